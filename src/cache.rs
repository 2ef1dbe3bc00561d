//! A cache that is never stale: what every visitor sees the same (the home page's lists, the
//! category tree, the first pages of lists, popular posts) is kept under the site's content
//! version, a number in the database (`site_version`) that every content change bumps in its
//! own transaction (`services::content_changed`). Each request reads the version once (one
//! primary-key look-up, shared by every lookup of the request); when it has moved, everything
//! cached is dropped. So a change is visible on the very next request, on every instance.
//!
//! The version is read *before* anything is loaded: data loaded under version `v` is at least
//! as new as `v`, never older. Entries are bounded (the oldest go first). `MARQUEE_CACHE=off`
//! turns the cache off, so the benchmark can measure the data path itself.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// Entries kept at most (each a page's data; together a few MiB at most).
const MAX_ENTRIES: usize = 256;

type Value = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Entries {
    version: i64,
    values: HashMap<String, Value>,
    order: VecDeque<String>,
}

pub struct SiteCache {
    enabled: bool,
    entries: Mutex<Entries>,
}

impl SiteCache {
    pub fn new(enabled: bool) -> SiteCache {
        SiteCache {
            enabled,
            entries: Mutex::new(Entries::default()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The value kept for `key` under `version`, or the result of `load` (kept on success).
    /// `version` is `None` when the cache is off or the version could not be read: then it
    /// always loads.
    pub async fn get_or_load<T, E, Fut>(
        &self,
        version: Option<i64>,
        key: &str,
        load: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(version) = version.filter(|_| self.enabled) else {
            return Ok(Arc::new(load().await?));
        };
        if let Some(hit) = self.lookup(version, key)
            && let Ok(value) = hit.downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        self.store(version, key, value.clone());
        Ok(value)
    }

    fn lookup(&self, version: i64, key: &str) -> Option<Value> {
        let mut entries = self.entries.lock().ok()?;
        if entries.version != version {
            *entries = Entries {
                version,
                ..Entries::default()
            };
            return None;
        }
        entries.values.get(key).cloned()
    }

    fn store(&self, version: i64, key: &str, value: Value) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // Loaded under an older version than the one now kept: someone saw a newer one.
        if entries.version > version {
            return;
        }
        if entries.version < version {
            *entries = Entries {
                version,
                ..Entries::default()
            };
        }
        if entries.values.insert(key.to_owned(), value).is_none() {
            entries.order.push_back(key.to_owned());
        }
        while entries.order.len() > MAX_ENTRIES {
            if let Some(oldest) = entries.order.pop_front() {
                entries.values.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_value_is_reused_until_the_version_moves() {
        let cache = SiteCache::new(true);
        let first = cache
            .get_or_load(Some(1), "k", async || Ok::<_, ()>(1))
            .await
            .unwrap();
        let again = cache
            .get_or_load(Some(1), "k", async || Ok::<_, ()>(2))
            .await
            .unwrap();
        assert_eq!((*first, *again), (1, 1));
        let moved = cache
            .get_or_load(Some(2), "k", async || Ok::<_, ()>(3))
            .await
            .unwrap();
        assert_eq!(*moved, 3, "a new version drops what was kept");
    }

    #[tokio::test]
    async fn off_or_without_a_version_it_always_loads_and_errors_are_not_kept() {
        let off = SiteCache::new(false);
        assert_eq!(
            *off.get_or_load(Some(1), "k", async || Ok::<_, ()>(1))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            *off.get_or_load(Some(1), "k", async || Ok::<_, ()>(2))
                .await
                .unwrap(),
            2
        );
        let on = SiteCache::new(true);
        assert_eq!(
            *on.get_or_load(None, "k", async || Ok::<_, ()>(5))
                .await
                .unwrap(),
            5
        );
        assert!(
            on.get_or_load(Some(1), "e", async || Err::<i32, _>("boom"))
                .await
                .is_err()
        );
        assert_eq!(
            *on.get_or_load(Some(1), "e", async || Ok::<_, &str>(4))
                .await
                .unwrap(),
            4
        );
    }

    #[tokio::test]
    async fn entries_are_bounded_and_a_stale_load_is_not_kept() {
        let cache = SiteCache::new(true);
        for i in 0..MAX_ENTRIES + 5 {
            cache
                .get_or_load(Some(1), &i.to_string(), async || Ok::<_, ()>(i))
                .await
                .unwrap();
        }
        let kept = cache.entries.lock().unwrap().values.len();
        assert_eq!(kept, MAX_ENTRIES);
        cache
            .get_or_load(Some(3), "new", async || Ok::<_, ()>(0))
            .await
            .unwrap();
        cache.store(2, "old", Arc::new(1usize));
        assert!(
            cache.lookup(3, "old").is_none(),
            "loaded under version 2, not kept for 3"
        );
    }
}
