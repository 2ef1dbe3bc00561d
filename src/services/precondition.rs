//! Conditional changes: "change this only if it is still what I read". A client that read a
//! resource holds its entity tag (a fingerprint of what it was shown); a change sent with that
//! tag is checked against the resource as it is *now*, under a lock, in the same transaction
//! as the change, so two clients that read the same version cannot both write: the second gets
//! [`ServiceError::Stale`] (412) and nothing is lost.

use sea_orm::sea_query::{Alias, Expr, LockType, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, ExprTrait};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ServiceError;

/// The strong entity tag of a representation: a quoted SHA-256 prefix of its JSON.
pub fn etag_of(value: &impl Serialize) -> String {
    etag_of_bytes(&serde_json::to_vec(value).unwrap_or_default())
}

/// The strong entity tag of a representation's bytes: a quoted SHA-256 prefix.
pub fn etag_of_bytes(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The version an edit form carries: the entity tag of what the form shows, unquoted (a form
/// field, not a header).
pub fn form_version(shown: &impl Serialize) -> String {
    etag_of(shown).trim_matches('"').to_owned()
}

/// Refuses with [`ServiceError::Stale`] when the form was opened at a version (`opened`)
/// other than the `current` one; a form without a version is not checked.
pub fn still_at(opened: Option<&str>, current: &str) -> Result<(), ServiceError> {
    match opened {
        Some(opened) if opened != current => Err(ServiceError::Stale),
        _ => Ok(()),
    }
}

/// Whether an `If-Match` value (a list of tags, or `*`) admits the current tag. Weak tags
/// never match (RFC 9110's strong comparison).
pub fn matches(if_match: &str, current: &str) -> bool {
    if_match.trim() == "*" || if_match.split(',').any(|tag| tag.trim() == current)
}

/// Whether an `If-None-Match` value (a list of tags, or `*`) names the current tag: the
/// client's copy is current. Weak comparison (RFC 9110): `W/"x"` matches `"x"`.
pub fn none_match(if_none_match: &str, current: &str) -> bool {
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|tag| tag.trim().trim_start_matches("W/") == current)
}

/// What a conditional change locks before it reads the current state.
#[derive(Clone, Copy, Debug)]
pub enum Lock<'a> {
    /// One row of a table, by id.
    Row(&'a str, i32),
    /// Every row of a table, in id order: the admin changes' lock (`services::admin`), which
    /// must be taken the same way everywhere or two changes could wait on each other.
    Table(&'a str),
}

/// Takes the lock for the rest of the transaction (PostgreSQL and MySQL; SQLite's write
/// transaction already holds the database's one write lock).
async fn take(txn: &DatabaseTransaction, lock: Lock<'_>) -> Result<(), ServiceError> {
    if txn.get_database_backend() == DbBackend::Sqlite {
        return Ok(());
    }
    let id = || Expr::col(Alias::new("id"));
    let mut statement = Query::select();
    match lock {
        Lock::Row(table, row) => statement
            .column(Alias::new("id"))
            .from(Alias::new(table))
            .and_where(id().eq(row)),
        Lock::Table(table) => statement
            .column(Alias::new("id"))
            .from(Alias::new(table))
            .order_by(Alias::new("id"), Order::Asc),
    };
    statement.lock(LockType::Update);
    txn.query_all(&statement).await?;
    Ok(())
}

/// Runs `change` only while the resource still has the tag `if_match`: `current` reads the
/// resource (as the client was shown it) after `lock` is taken, inside the transaction
/// `change` then runs in. `None` for `if_match` runs `change` unconditionally.
pub async fn unless_changed<T, R>(
    db: &DatabaseConnection,
    if_match: Option<&str>,
    lock: Lock<'_>,
    current: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, ServiceError>,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> Result<R, ServiceError>,
) -> Result<R, ServiceError>
where
    T: Serialize,
{
    let txn = super::begin_write(db).await?;
    if let Some(expected) = if_match {
        take(&txn, lock).await?;
        let now = current(&txn).await?;
        if !matches(expected, &etag_of(&now)) {
            return Err(ServiceError::Stale);
        }
    }
    let result = change(&txn).await?;
    txn.commit().await?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_content_and_match_strongly() {
        let a = etag_of(&serde_json::json!({ "title": "One" }));
        let b = etag_of(&serde_json::json!({ "title": "Two" }));
        assert_ne!(a, b);
        assert_eq!(a, etag_of(&serde_json::json!({ "title": "One" })));
        assert!(matches(&a, &a));
        assert!(matches(&format!("{b}, {a}"), &a));
        assert!(matches("*", &a));
        assert!(!matches(&b, &a));
        assert!(!matches(&format!("W/{a}"), &a), "a weak tag never matches");
        assert!(
            none_match(&format!("W/{a}"), &a),
            "If-None-Match compares weakly"
        );
        assert!(none_match(&format!("{b}, {a}"), &a));
        assert!(!none_match(&b, &a));
        assert_eq!(a, etag_of_bytes(br#"{"title":"One"}"#));
    }
}
