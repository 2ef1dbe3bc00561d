//! The session store: encrypted cookies by default, Redis when `MARQUEE_REDIS_URL` is set so
//! that several instances share sessions. One type so the app is built the same either way.

use actix_session::storage::{
    CookieSessionStore, LoadError, RedisSessionStore, SaveError, SessionKey, SessionStore,
    UpdateError,
};
use actix_web::cookie::time::Duration;

type SessionState = std::collections::HashMap<String, String>;

#[derive(Clone)]
pub enum Store {
    Cookie,
    Redis(RedisSessionStore),
}

impl Store {
    pub async fn connect(redis_url: Option<&str>) -> anyhow::Result<Store> {
        match redis_url {
            None => Ok(Store::Cookie),
            Some(url) => Ok(Store::Redis(RedisSessionStore::new(url).await.map_err(
                |e| anyhow::anyhow!("could not connect to Redis for sessions: {e}"),
            )?)),
        }
    }
}

impl SessionStore for Store {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<SessionState>, LoadError> {
        match self {
            Store::Cookie => CookieSessionStore::default().load(session_key).await,
            Store::Redis(redis) => redis.load(session_key).await,
        }
    }

    async fn save(
        &self,
        session_state: SessionState,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        match self {
            Store::Cookie => CookieSessionStore::default().save(session_state, ttl).await,
            Store::Redis(redis) => redis.save(session_state, ttl).await,
        }
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: SessionState,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        match self {
            Store::Cookie => {
                CookieSessionStore::default()
                    .update(session_key, session_state, ttl)
                    .await
            }
            Store::Redis(redis) => redis.update(session_key, session_state, ttl).await,
        }
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl: &Duration,
    ) -> Result<(), anyhow::Error> {
        match self {
            Store::Cookie => {
                CookieSessionStore::default()
                    .update_ttl(session_key, ttl)
                    .await
            }
            Store::Redis(redis) => redis.update_ttl(session_key, ttl).await,
        }
    }

    async fn delete(&self, session_key: &SessionKey) -> Result<(), anyhow::Error> {
        match self {
            Store::Cookie => CookieSessionStore::default().delete(session_key).await,
            Store::Redis(redis) => redis.delete(session_key).await,
        }
    }
}
