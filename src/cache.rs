//! A one-value cache with a time to live, for data every visitor sees the same (the home page).
//! Each instance keeps its own copy; a short TTL bounds how stale it can be after a change.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct TtlCache<T> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> TtlCache<T> {
    /// A zero TTL disables caching (every call loads).
    pub fn new(ttl: Duration) -> Self {
        TtlCache {
            ttl,
            slot: Mutex::new(None),
        }
    }

    /// The cached value while it is fresh, otherwise the result of `load` (kept on success).
    pub async fn get_or_load<E, Fut>(&self, load: impl FnOnce() -> Fut) -> Result<Arc<T>, E>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        if !self.ttl.is_zero()
            && let Ok(slot) = self.slot.lock()
            && let Some((at, value)) = slot.as_ref()
            && at.elapsed() < self.ttl
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load().await?);
        if !self.ttl.is_zero()
            && let Ok(mut slot) = self.slot.lock()
        {
            *slot = Some((Instant::now(), value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fresh_value_is_reused_and_a_stale_one_reloaded() {
        let cache = TtlCache::new(Duration::from_millis(50));
        let first = cache.get_or_load(async || Ok::<_, ()>(1)).await.unwrap();
        let second = cache.get_or_load(async || Ok::<_, ()>(2)).await.unwrap();
        assert_eq!((*first, *second), (1, 1));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            *cache.get_or_load(async || Ok::<_, ()>(3)).await.unwrap(),
            3
        );
        assert!(
            cache
                .get_or_load(async || Err::<i32, _>("boom"))
                .await
                .is_ok(),
            "fresh again"
        );
    }

    #[tokio::test]
    async fn a_zero_ttl_always_loads_and_errors_are_not_kept() {
        let cache = TtlCache::new(Duration::ZERO);
        assert_eq!(
            *cache.get_or_load(async || Ok::<_, ()>(1)).await.unwrap(),
            1
        );
        assert_eq!(
            *cache.get_or_load(async || Ok::<_, ()>(2)).await.unwrap(),
            2
        );
        let failing = TtlCache::<i32>::new(Duration::from_secs(10));
        assert!(
            failing
                .get_or_load(async || Err::<i32, _>("boom"))
                .await
                .is_err()
        );
        assert_eq!(
            *failing
                .get_or_load(async || Ok::<_, &str>(4))
                .await
                .unwrap(),
            4
        );
    }
}
