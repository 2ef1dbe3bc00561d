//! Server-side sessions. Whatever holds the session's state (an encrypted cookie or Redis), a
//! signed-in session is valid only while its `user_session` row exists and is within both
//! lifetimes: so logging out, "log out everywhere", a password or role change and deactivation
//! end sessions at once, on every instance, and a copied cookie is worth nothing afterwards.
//!
//! The session carries a random 256-bit token; the row's id is the token's SHA-256, so the
//! table alone cannot be used to take over a session.

use chrono::{DateTime, Duration, Utc};
use entity::user_session;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait, sea_query::Expr,
};

use super::secrets::{random_secret, token_id};
use crate::services::audit::{self, Actor};

/// Who a session says is signed in; checked against the database on every request.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user_id: i32,
    pub version: i32,
    /// The secret token of this session's row.
    pub token: String,
}

/// How long a session may live, enforced here on the server (the cookie's own expiry is only a
/// hint to the browser).
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    /// A session unused for this long has ended.
    pub idle: Duration,
    /// No session lives longer than this after sign-in, however busy.
    pub absolute: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            idle: Duration::days(3),
            absolute: Duration::days(14),
        }
    }
}

/// `last_seen_at` is written at most this often per session (not on every request).
const TOUCH_EVERY_SECS: i64 = 60;
/// Stored user agents are cut to this many characters (the column's size).
const USER_AGENT_CHARS: usize = 255;

/// Where a session was started from, for the sessions page and the audit log.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: String,
}

/// Starts a session for `user_id`; returns the secret token the session must carry.
pub async fn start(
    db: &impl ConnectionTrait,
    user_id: i32,
    origin: &Origin,
) -> Result<String, DbErr> {
    let token = random_secret();
    let now = Utc::now();
    user_session::ActiveModel {
        id: Set(token_id(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        ip: Set(origin.ip.clone()),
        user_agent: Set(origin.user_agent.chars().take(USER_AGENT_CHARS).collect()),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// True when `token` is a live session of `user_id`. An expired session's row is deleted; a
/// live one's `last_seen_at` is refreshed now and then.
pub async fn check(
    db: &impl ConnectionTrait,
    token: &str,
    user_id: i32,
    lifetimes: Lifetimes,
) -> Result<bool, DbErr> {
    let id = token_id(token);
    let Some(row) = user_session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Ok(false);
    };
    if row.user_id != user_id {
        return Ok(false);
    }
    let now = Utc::now();
    if expired(&row, now, lifetimes) {
        user_session::Entity::delete_by_id(id).exec(db).await?;
        return Ok(false);
    }
    if now - row.last_seen_at > Duration::seconds(TOUCH_EVERY_SECS) {
        user_session::Entity::update_many()
            .col_expr(user_session::Column::LastSeenAt, Expr::value(now))
            .filter(user_session::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(true)
}

fn expired(row: &user_session::Model, now: DateTime<Utc>, lifetimes: Lifetimes) -> bool {
    now - row.created_at > lifetimes.absolute || now - row.last_seen_at > lifetimes.idle
}

/// Ends the session of `token` (logging out).
pub async fn end(db: &impl ConnectionTrait, token: &str) -> Result<(), DbErr> {
    user_session::Entity::delete_by_id(token_id(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of `user_id` except the one of `keep`; returns how many ended.
pub async fn end_all(
    db: &impl ConnectionTrait,
    user_id: i32,
    keep: Option<&str>,
) -> Result<u64, DbErr> {
    let mut delete =
        user_session::Entity::delete_many().filter(user_session::Column::UserId.eq(user_id));
    if let Some(token) = keep {
        delete = delete.filter(user_session::Column::Id.ne(token_id(token)));
    }
    Ok(delete.exec(db).await?.rows_affected)
}

/// Ends one session of `user_id` by its row id; false when there is no such session of theirs.
pub async fn end_one(db: &impl ConnectionTrait, user_id: i32, id: &str) -> Result<bool, DbErr> {
    let result = user_session::Entity::delete_many()
        .filter(user_session::Column::Id.eq(id))
        .filter(user_session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Which sessions a user ends from the sessions page.
#[derive(Clone, Copy, Debug)]
pub enum Revoke<'a> {
    /// One session, by its row id.
    One(&'a str),
    /// Every session but the one with this token.
    AllBut(&'a str),
    /// Every session ("log out everywhere").
    All,
}

/// Ends sessions of the actor's own account, audited in the same transaction; returns how many
/// ended (0 when `Revoke::One` names no session of theirs).
pub async fn revoke(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    user_id: i32,
    which: Revoke<'_>,
) -> Result<u64, DbErr> {
    let txn = crate::services::begin_write(db).await?;
    let (ended, action) = match which {
        Revoke::One(id) => (u64::from(end_one(&txn, user_id, id).await?), "session.end"),
        Revoke::AllBut(token) => (
            end_all(&txn, user_id, Some(token)).await?,
            "session.end_others",
        ),
        Revoke::All => (end_all(&txn, user_id, None).await?, "session.end_all"),
    };
    if ended > 0 {
        audit::record(
            &txn,
            actor,
            action,
            "user",
            user_id,
            None,
            Some(serde_json::json!({ "sessions_ended": ended })),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(ended)
}

/// The live sessions of `user_id`, most recently used first (expired ones are removed).
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i32,
    lifetimes: Lifetimes,
) -> Result<Vec<user_session::Model>, DbErr> {
    let now = Utc::now();
    user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.eq(user_id))
        .filter(
            Condition::any()
                .add(user_session::Column::CreatedAt.lt(now - lifetimes.absolute))
                .add(user_session::Column::LastSeenAt.lt(now - lifetimes.idle)),
        )
        .exec(db)
        .await?;
    user_session::Entity::find()
        .filter(user_session::Column::UserId.eq(user_id))
        .order_by_desc(user_session::Column::LastSeenAt)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_id_is_the_hex_sha256_of_the_token() {
        assert_eq!(
            token_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn sessions_expire_when_idle_or_too_old() {
        let lifetimes = Lifetimes::default();
        let now = Utc::now();
        let row = |created: i64, seen: i64| user_session::Model {
            id: String::new(),
            user_id: 1,
            created_at: now - Duration::hours(created),
            last_seen_at: now - Duration::hours(seen),
            ip: None,
            user_agent: String::new(),
        };
        assert!(!expired(&row(1, 0), now, lifetimes));
        assert!(expired(&row(24 * 4, 24 * 4), now, lifetimes), "idle");
        assert!(expired(&row(24 * 15, 0), now, lifetimes), "absolute");
    }
}
