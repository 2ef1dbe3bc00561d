//! Passwords stored: a new hash ends the account's other sessions (and, for a reset, every
//! session and access token) in one transaction.

use entity::user;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, TransactionSession,
    TransactionTrait,
};

use super::sessions::{self};
use super::tokens;
use crate::services::audit::{self, Actor};

/// Stores a new password hash, bumps the session version and ends every other session of the
/// account (all of them when `keep` is `None`), audited, in one transaction. Returns the new
/// version for the session that stays.
pub async fn set_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i32,
    password_hash: String,
    keep: Option<&str>,
    actor: &Actor,
) -> Result<i32, DbErr> {
    let change = PasswordChange {
        keep,
        action: "user.password_change",
        recovery: false,
    };
    store_password(db, user_id, password_hash, actor, change).await
}

/// How a password is being replaced.
pub struct PasswordChange<'a> {
    /// The session that stays signed in, if any.
    pub keep: Option<&'a str>,
    /// The audit log's action.
    pub action: &'a str,
    /// Taking an account back (a reset link, the operator's `set-password`): its personal
    /// access tokens are revoked too, since whoever had the account may have made some.
    pub recovery: bool,
}

/// Stores a new password hash: the session version moves on, the other sessions end (and, in a
/// recovery, every personal access token), audited, in one transaction.
pub async fn store_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    user_id: i32,
    password_hash: String,
    actor: &Actor,
    change: PasswordChange<'_>,
) -> Result<i32, DbErr> {
    let PasswordChange {
        keep,
        action,
        recovery,
    } = change;
    let txn = crate::services::begin_write(db).await?;
    let user = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("user".into()))?;
    let version = user.session_version.wrapping_add(1);
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(password_hash);
    active.session_version = Set(version);
    active.update(&txn).await?;
    let ended = sessions::end_all(&txn, user_id, keep).await?;
    let tokens_revoked = if recovery {
        tokens::revoke_all(&txn, user_id).await?
    } else {
        0
    };
    audit::record(
        &txn,
        actor,
        action,
        "user",
        user_id,
        None,
        Some(serde_json::json!({ "sessions_ended": ended, "tokens_revoked": tokens_revoked })),
    )
    .await?;
    txn.commit().await?;
    Ok(version)
}
