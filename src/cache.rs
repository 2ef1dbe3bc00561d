//! A cache that is never stale: what every visitor sees the same (the home page's lists, the
//! category tree, the first pages of lists, popular posts) is kept under the site's content
//! version, a number in the database (`site_version`) that every content change bumps in its
//! own transaction (`services::content_changed`). Each request reads the version once (one
//! primary-key look-up, shared by every lookup of the request and, under load, with the
//! requests that arrived before that read started: [`VersionReads`]); when it has moved,
//! everything cached is dropped. So a change is visible on the very next request, on every
//! instance.
//!
//! The version is read *before* anything is loaded: data loaded under version `v` is at least
//! as new as `v`, never older. Entries are bounded (the oldest go first). `MARQUEE_CACHE=off`
//! turns the cache off, so the benchmark can measure the data path itself.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Reads of the content version, shared between concurrent requests.
    pub versions: VersionReads,
}

impl SiteCache {
    pub fn new(enabled: bool) -> SiteCache {
        SiteCache {
            enabled,
            entries: Mutex::new(Entries::default()),
            versions: VersionReads::default(),
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

/// Reads of the content version, shared between requests without ever answering one with a
/// version read before it arrived: a request may use a read that *started* after it arrived
/// (so it saw every change committed before), and otherwise starts one itself. Reads run one
/// at a time; the requests that arrive while one runs share the next. Under load that is one
/// primary-key read per read's duration instead of one per request, and never stale.
#[derive(Default)]
pub struct VersionReads {
    /// Reads started so far (each read's sequence number is its position).
    started: AtomicU64,
    /// The newest finished read: its sequence number and the version it saw.
    last: Mutex<(u64, i64)>,
    /// Held while a read runs.
    running: tokio::sync::Mutex<()>,
}

impl VersionReads {
    /// The version as of now or later, reading it with `read` unless a read that started
    /// after this call began has finished in the meantime.
    pub async fn current<E, Fut>(&self, read: impl FnOnce() -> Fut) -> Result<i64, E>
    where
        Fut: Future<Output = Result<i64, E>>,
    {
        let arrived = self.started.load(Ordering::Acquire);
        let _running = self.running.lock().await;
        if let Some(version) = self.finished_after(arrived) {
            return Ok(version);
        }
        let sequence = self
            .started
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1);
        let version = read().await?;
        if let Ok(mut last) = self.last.lock() {
            *last = (sequence, version);
        }
        Ok(version)
    }

    fn finished_after(&self, arrived: u64) -> Option<i64> {
        let last = self.last.lock().ok()?;
        (last.0 > arrived).then_some(last.1)
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

    #[tokio::test]
    async fn a_version_read_is_shared_only_with_requests_that_arrived_before_it_started() {
        let reads = VersionReads::default();
        let count = AtomicU64::new(0);
        let read = || async {
            Ok::<_, ()>(i64::try_from(count.fetch_add(1, Ordering::SeqCst) + 1).unwrap())
        };
        assert_eq!(reads.current(read).await, Ok(1));
        assert_eq!(
            reads.current(read).await,
            Ok(2),
            "one after another: each reads"
        );

        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let first = reads.current(async || {
            let version = read().await;
            released.await.ok();
            version
        });
        // Polled in order: the first starts its read and waits; the second and third arrive
        // while it runs; then the first is let go.
        let (first, second, third, ()) =
            tokio::join!(first, reads.current(read), reads.current(read), async {
                release.send(()).ok();
            });
        assert_eq!(first, Ok(3));
        assert_eq!(second, Ok(4), "arrived during the first read: reads again");
        assert_eq!(
            third,
            Ok(4),
            "arrived before the second read started: shares it"
        );
        assert_eq!(count.load(Ordering::SeqCst), 4);
    }
}
