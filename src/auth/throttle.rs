//! Login throttling: after 5 failed attempts for a username or from an IP address within 15
//! minutes, further attempts are refused (429) until the oldest failure ages out. Counted in
//! memory for a single instance, or in Redis (sorted sets with expiry) when Redis is
//! configured, so every instance sees the same counts.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

pub const MAX_FAILURES: usize = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

pub enum LoginThrottle {
    Memory(Mutex<HashMap<String, VecDeque<i64>>>),
    Redis(ConnectionManager),
}

impl LoginThrottle {
    pub async fn connect(redis_url: Option<&str>) -> anyhow::Result<LoginThrottle> {
        match redis_url {
            None => Ok(LoginThrottle::Memory(Mutex::new(HashMap::new()))),
            Some(url) => {
                let client = redis::Client::open(url)?;
                Ok(LoginThrottle::Redis(ConnectionManager::new(client).await?))
            }
        }
    }

    /// The throttle keys of one attempt.
    pub fn keys(username: &str, ip: &str) -> [String; 2] {
        [
            format!("marquee:login:user:{}", username.trim().to_lowercase()),
            format!("marquee:login:ip:{ip}"),
        ]
    }

    /// `Err(seconds)` to wait when any key has reached the limit.
    pub async fn check(&self, keys: &[String]) -> Result<(), u64> {
        let now = now_millis();
        let mut wait = 0i64;
        for key in keys {
            let failures = self.recent(key, now).await;
            if failures.len() >= MAX_FAILURES {
                let oldest = failures.iter().copied().min().unwrap_or(now);
                wait = wait.max(oldest + WINDOW_SECS * 1000 - now);
            }
        }
        if wait > 0 {
            Err((wait as u64).div_ceil(1000))
        } else {
            Ok(())
        }
    }

    pub async fn record_failure(&self, keys: &[String]) {
        let now = now_millis();
        for key in keys {
            match self {
                LoginThrottle::Memory(map) => {
                    if let Ok(mut map) = map.lock() {
                        let entry = map.entry(key.clone()).or_default();
                        prune(entry, now);
                        entry.push_back(now);
                    }
                }
                LoginThrottle::Redis(conn) => {
                    let mut conn = conn.clone();
                    let member = format!("{now}-{}", rand::random::<u32>());
                    let result: redis::RedisResult<()> = redis::pipe()
                        .zadd(key, member, now)
                        .ignore()
                        .zrembyscore(key, 0, now - WINDOW_SECS * 1000)
                        .ignore()
                        .expire(key, WINDOW_SECS)
                        .ignore()
                        .query_async(&mut conn)
                        .await;
                    if let Err(error) = result {
                        tracing::warn!(%error, "login throttle: Redis write failed");
                    }
                }
            }
        }
    }

    /// Forgets failures for a key (after a successful login for that username).
    pub async fn clear(&self, key: &str) {
        match self {
            LoginThrottle::Memory(map) => {
                if let Ok(mut map) = map.lock() {
                    map.remove(key);
                }
            }
            LoginThrottle::Redis(conn) => {
                let mut conn = conn.clone();
                let result: redis::RedisResult<()> = conn.del(key).await;
                if let Err(error) = result {
                    tracing::warn!(%error, "login throttle: Redis delete failed");
                }
            }
        }
    }

    async fn recent(&self, key: &str, now: i64) -> Vec<i64> {
        match self {
            LoginThrottle::Memory(map) => match map.lock() {
                Ok(mut map) => match map.get_mut(key) {
                    Some(entry) => {
                        prune(entry, now);
                        entry.iter().copied().collect()
                    }
                    None => Vec::new(),
                },
                Err(_) => Vec::new(),
            },
            LoginThrottle::Redis(conn) => {
                let mut conn = conn.clone();
                let scores: redis::RedisResult<Vec<(String, f64)>> = conn
                    .zrangebyscore_withscores(key, now - WINDOW_SECS * 1000, "+inf")
                    .await;
                match scores {
                    Ok(scores) => scores.into_iter().map(|(_, s)| s as i64).collect(),
                    Err(error) => {
                        // Fail open: a Redis outage must not lock everybody out.
                        tracing::warn!(%error, "login throttle: Redis read failed");
                        Vec::new()
                    }
                }
            }
        }
    }
}

fn prune(entry: &mut VecDeque<i64>, now: i64) {
    while entry
        .front()
        .is_some_and(|t| *t <= now - WINDOW_SECS * 1000)
    {
        entry.pop_front();
    }
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sixth_attempt_within_the_window_is_refused_with_a_wait() {
        let throttle = LoginThrottle::connect(None).await.unwrap();
        let keys = LoginThrottle::keys("Ada", "10.0.0.1");
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check(&keys).await.is_ok());
            throttle.record_failure(&keys).await;
        }
        let wait = throttle.check(&keys).await.unwrap_err();
        assert!(wait > 14 * 60 && wait <= 15 * 60, "{wait}");

        // Another username from another address is not affected.
        assert!(
            throttle
                .check(&LoginThrottle::keys("bob", "10.0.0.2"))
                .await
                .is_ok()
        );
        // The same address is, whatever the username.
        assert!(
            throttle
                .check(&LoginThrottle::keys("bob", "10.0.0.1"))
                .await
                .is_err()
        );
        throttle.clear(&keys[0]).await;
        assert!(
            throttle
                .check(&LoginThrottle::keys("ada", "10.0.0.3"))
                .await
                .is_ok()
        );
    }
}
