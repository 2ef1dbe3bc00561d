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
//!
//! Beside the data, whole pages are kept for visitors without a session (no user, no flash
//! message, no CSRF token: the page is the same for all of them), under the same version and
//! bounded in bytes: such a request is answered before the session, the handler and the
//! template run ([`crate::cache::page_cache`]). Pictures served from `/media` are kept the
//! same way, bounded in bytes of their own: removing one is a content change, so a removed
//! picture is not served from memory either.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::Bytes;

use super::DataKey;

/// Data entries kept at most (each a page's data; together a few MiB at most).
const MAX_ENTRIES: usize = 256;
/// Whole pages kept at most, and their bodies' bytes at most (pages are 10–60 KiB).
const MAX_PAGES: usize = 512;
const MAX_PAGE_BYTES: usize = 2 << 20;
/// Picture files kept at most, and their bytes at most (a card is tens of KiB, a full size
/// some hundreds).
const MAX_MEDIA: usize = 256;
const MAX_MEDIA_BYTES: usize = 16 << 20;

type Value = Arc<dyn Any + Send + Sync>;

/// Values kept under one content version, bounded in count and in bytes (the oldest go first).
struct Shelf<K, V> {
    max_entries: usize,
    max_bytes: usize,
    entries: Mutex<Entries<K, V>>,
}

struct Entries<K, V> {
    version: i64,
    values: HashMap<K, (V, usize)>,
    order: VecDeque<K>,
    bytes: usize,
}

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Entries {
            version: 0,
            values: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
        }
    }
}

impl<K: Clone + Eq + Hash, V: Clone> Shelf<K, V> {
    fn new(max_entries: usize, max_bytes: usize) -> Shelf<K, V> {
        Shelf {
            max_entries,
            max_bytes,
            entries: Mutex::new(Entries::default()),
        }
    }

    fn lookup<Q>(&self, version: i64, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let mut entries = self.entries.lock().ok()?;
        if entries.version != version {
            *entries = Entries {
                version,
                ..Entries::default()
            };
            return None;
        }
        entries.values.get(key).map(|(value, _)| value.clone())
    }

    /// Keeps `value` (of `bytes` bytes) for `key` under `version`, unless a newer version is
    /// kept already (then it was loaded under a version someone has seen move on).
    fn store(&self, version: i64, key: K, value: V, bytes: usize) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.version > version || bytes > self.max_bytes {
            return;
        }
        if entries.version < version {
            *entries = Entries {
                version,
                ..Entries::default()
            };
        }
        match entries.values.insert(key.clone(), (value, bytes)) {
            Some((_, replaced)) => entries.bytes = entries.bytes.saturating_sub(replaced),
            None => entries.order.push_back(key),
        }
        entries.bytes = entries.bytes.saturating_add(bytes);
        while entries.order.len() > self.max_entries || entries.bytes > self.max_bytes {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            if let Some((_, size)) = entries.values.remove(&oldest) {
                entries.bytes = entries.bytes.saturating_sub(size);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.values.len()).unwrap_or(0)
    }
}

/// A whole page as it was sent to a visitor without a session: its headers and body.
#[derive(Clone, Debug)]
pub struct SharedPage {
    pub headers: Arc<Vec<(HeaderName, HeaderValue)>>,
    pub body: Bytes,
}

/// A picture file as `/media` serves it: its type and bytes.
#[derive(Clone, Debug)]
pub struct SharedMedia {
    pub content_type: String,
    pub bytes: Bytes,
}

pub struct SiteCache {
    enabled: bool,
    data: Shelf<DataKey, Value>,
    /// Pages by their path and query.
    pages: Shelf<String, SharedPage>,
    /// Picture files by their hash and size.
    media: Shelf<(String, &'static str), SharedMedia>,
    /// Reads of the content version, shared between concurrent requests.
    pub versions: VersionReads,
    /// The connection the version is read on: one of its own, so that the read, which every
    /// request waits for, never queues behind the pages' statements for a connection of the
    /// pool (when it did, random post pages were served slower with the cache on than with it
    /// off). `None`: the pool's.
    version_db: Option<sea_orm::DatabaseConnection>,
}

impl SiteCache {
    pub fn new(enabled: bool) -> SiteCache {
        SiteCache {
            enabled,
            data: Shelf::new(MAX_ENTRIES, usize::MAX),
            pages: Shelf::new(MAX_PAGES, MAX_PAGE_BYTES),
            media: Shelf::new(MAX_MEDIA, MAX_MEDIA_BYTES),
            versions: VersionReads::default(),
            version_db: None,
        }
    }

    /// The cache, reading the content version on `db` (a connection of its own).
    pub fn with_version_connection(self, db: sea_orm::DatabaseConnection) -> SiteCache {
        SiteCache {
            version_db: Some(db),
            ..self
        }
    }

    /// The connection to read the content version on: its own, or else `pool`.
    pub fn version_connection<'a>(
        &'a self,
        pool: &'a sea_orm::DatabaseConnection,
    ) -> &'a sea_orm::DatabaseConnection {
        self.version_db.as_ref().unwrap_or(pool)
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
        key: DataKey,
        load: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(version) = version.filter(|_| self.enabled) else {
            return Ok(Arc::new(load().await?));
        };
        if let Some(hit) = self.data.lookup(version, &key)
            && let Ok(value) = hit.downcast::<T>()
        {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        self.data.store(version, key, value.clone(), 0);
        Ok(value)
    }

    /// The page kept for `key` (its path and query) under `version`.
    pub fn page(&self, version: i64, key: &str) -> Option<SharedPage> {
        self.enabled
            .then(|| self.pages.lookup(version, key))
            .flatten()
    }

    /// Keeps a page sent under `version`, for the next visitors without a session.
    pub fn keep_page(&self, version: i64, key: &str, page: SharedPage) {
        if self.enabled {
            let bytes = page.body.len().saturating_add(key.len());
            self.pages.store(version, key.to_owned(), page, bytes);
        }
    }
}

impl SiteCache {
    /// The picture file kept for `hash` in `size` under `version`.
    pub fn media(&self, version: i64, hash: &str, size: &'static str) -> Option<SharedMedia> {
        self.enabled
            .then(|| self.media.lookup(version, &(hash.to_owned(), size)))
            .flatten()
    }

    /// Keeps a picture file read under `version`.
    pub fn keep_media(&self, version: i64, hash: &str, size: &'static str, file: SharedMedia) {
        if self.enabled {
            let bytes = file.bytes.len();
            self.media
                .store(version, (hash.to_owned(), size), file, bytes);
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
            .get_or_load(Some(1), DataKey::Home, async || Ok::<_, ()>(1))
            .await
            .unwrap();
        let again = cache
            .get_or_load(Some(1), DataKey::Home, async || Ok::<_, ()>(2))
            .await
            .unwrap();
        assert_eq!((*first, *again), (1, 1));
        let moved = cache
            .get_or_load(Some(2), DataKey::Home, async || Ok::<_, ()>(3))
            .await
            .unwrap();
        assert_eq!(*moved, 3, "a new version drops what was kept");
    }

    #[tokio::test]
    async fn off_or_without_a_version_it_always_loads_and_errors_are_not_kept() {
        let off = SiteCache::new(false);
        assert_eq!(
            *off.get_or_load(Some(1), DataKey::Home, async || Ok::<_, ()>(1))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            *off.get_or_load(Some(1), DataKey::Home, async || Ok::<_, ()>(2))
                .await
                .unwrap(),
            2
        );
        let on = SiteCache::new(true);
        assert_eq!(
            *on.get_or_load(None, DataKey::Home, async || Ok::<_, ()>(5))
                .await
                .unwrap(),
            5
        );
        assert!(
            on.get_or_load(Some(1), DataKey::Categories, async || Err::<i32, _>("boom"))
                .await
                .is_err()
        );
        assert_eq!(
            *on.get_or_load(Some(1), DataKey::Categories, async || Ok::<_, &str>(4))
                .await
                .unwrap(),
            4
        );
    }

    #[test]
    fn pictures_are_kept_under_the_version_and_bounded_in_bytes() {
        let cache = SiteCache::new(true);
        let file = |kib: usize| SharedMedia {
            content_type: "image/jpeg".into(),
            bytes: Bytes::from(vec![0u8; kib * 1024]),
        };
        cache.keep_media(1, "a", "card", file(10));
        assert_eq!(
            cache.media(1, "a", "card").map(|f| f.bytes.len()),
            Some(10 * 1024)
        );
        assert!(cache.media(1, "a", "full").is_none(), "by size too");
        assert!(cache.media(2, "a", "card").is_none(), "a change drops them");
        for n in 0..20 {
            cache.keep_media(2, &n.to_string(), "full", file(1024));
        }
        assert!(
            cache.media(2, "0", "full").is_none(),
            "the oldest went first"
        );
        assert!(cache.media(2, "19", "full").is_some());
        assert!(cache.media.entries.lock().unwrap().bytes <= MAX_MEDIA_BYTES);
        let off = SiteCache::new(false);
        off.keep_media(1, "a", "card", file(1));
        assert!(off.media(1, "a", "card").is_none());
    }

    #[tokio::test]
    async fn entries_are_bounded_and_a_stale_load_is_not_kept() {
        let cache = SiteCache::new(true);
        for i in 0..MAX_ENTRIES + 5 {
            cache
                .get_or_load(
                    Some(1),
                    DataKey::Post {
                        slug: i.to_string(),
                        page: 1,
                    },
                    async || Ok::<_, ()>(i),
                )
                .await
                .unwrap();
        }
        assert_eq!(cache.data.len(), MAX_ENTRIES);
        cache
            .get_or_load(Some(3), DataKey::Categories, async || Ok::<_, ()>(0))
            .await
            .unwrap();
        cache.data.store(2, DataKey::Home, Arc::new(1usize), 0);
        assert!(
            cache.data.lookup(3, &DataKey::Home).is_none(),
            "loaded under version 2, not kept for 3"
        );
    }

    fn page(bytes: usize) -> SharedPage {
        SharedPage {
            headers: Arc::new(Vec::new()),
            body: Bytes::from(vec![b'x'; bytes]),
        }
    }

    #[test]
    fn pages_are_kept_per_version_within_their_byte_budget_and_not_when_off() {
        let cache = SiteCache::new(true);
        cache.keep_page(1, "/a", page(10));
        assert_eq!(cache.page(1, "/a").map(|p| p.body.len()), Some(10));
        assert!(
            cache.page(2, "/a").is_none(),
            "a new version drops every page"
        );
        assert!(
            cache.page(1, "/a").is_none(),
            "and an older one is not kept again"
        );
        let third = MAX_PAGE_BYTES / 3;
        for key in ["/1", "/2", "/3", "/4"] {
            cache.keep_page(2, key, page(third));
        }
        assert!(cache.page(2, "/1").is_none(), "the oldest went first");
        assert!(cache.page(2, "/4").is_some());
        let total = cache.pages.entries.lock().unwrap().bytes;
        assert!(total <= MAX_PAGE_BYTES, "{total} bytes kept");
        cache.keep_page(2, "/huge", page(MAX_PAGE_BYTES + 1));
        assert!(cache.page(2, "/huge").is_none(), "larger than the budget");
        assert!(
            cache.page(2, "/4").is_some(),
            "and nothing was evicted for it"
        );
        let off = SiteCache::new(false);
        off.keep_page(1, "/a", page(10));
        assert!(off.page(1, "/a").is_none());
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
