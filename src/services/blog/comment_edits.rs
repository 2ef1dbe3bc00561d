//! A comment changed after it was posted: its author edits it (marked "edited", the earlier
//! text kept in the audit log), its author or a moderator deletes it. A deleted comment keeps
//! its place as a placeholder, its text cleared (and kept in the audit log for moderators).

use chrono::Utc;
use entity::comment;
use entity::enums::Permission;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::{PostRef, is_moderator};
use crate::domain::{CommentBody, CurrentUser};
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};

/// What may be done to a comment by whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentChange {
    Edit,
    Delete,
}

/// Whether `user` may make `change` to `comment`: its author edits and deletes it while they
/// hold `comment`; a moderator deletes anyone's. A deleted comment takes no change.
pub fn may_change_comment(
    user: &CurrentUser,
    comment: &comment::Model,
    change: CommentChange,
) -> bool {
    if comment.deleted_at.is_some() {
        return false;
    }
    let own = comment.author_id == user.id && user.can(Permission::Comment);
    match change {
        CommentChange::Edit => own,
        CommentChange::Delete => own || is_moderator(user),
    }
}

/// The comment `id` with its post, if `user` may make `change` to it: a comment that is gone
/// or deleted is a 404, someone else's a 403.
pub async fn changeable_comment(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i32,
    change: CommentChange,
) -> Result<(comment::Model, PostRef), ServiceError> {
    let comment = comment::Entity::find_by_id(id)
        .filter(comment::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let post = entity::post::Entity::find_by_id(comment.post_id)
        .into_partial_model::<PostRef>()
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if may_change_comment(user, &comment, change) {
        Ok((comment, post))
    } else if !user.verified {
        Err(ServiceError::Refused(crate::domain::UNVERIFIED.into()))
    } else {
        Err(ServiceError::forbidden())
    }
}

/// Replaces the text of `user`'s comment `id`, marks it edited and records the text before and
/// after (`comment.edit`). The same text again changes nothing.
pub async fn edit_comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    body: CommentBody,
) -> Result<(comment::Model, PostRef), ServiceError> {
    let txn = crate::services::begin_content_change(db).await?;
    let (existing, post) = changeable_comment(&txn, user, id, CommentChange::Edit).await?;
    let body = body.into_inner();
    if existing.body == body {
        txn.commit().await?;
        return Ok((existing, post));
    }
    let before = existing.body.clone();
    let mut active: comment::ActiveModel = existing.into();
    active.body = Set(body.clone());
    active.edited_at = Set(Some(Utc::now()));
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "comment.edit",
        "comment",
        id,
        Some(json!({ "body": before })),
        Some(json!({ "body": body })),
    )
    .await?;
    txn.commit().await?;
    Ok((updated, post))
}

/// Deletes comment `id` (its author, or a moderator): its text is cleared and it stays as a
/// placeholder, so the conversation around it still reads. Audited as `comment.delete`, with
/// the text it had.
pub async fn delete_comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
) -> Result<(comment::Model, PostRef), ServiceError> {
    let txn = crate::services::begin_content_change(db).await?;
    let (existing, post) = changeable_comment(&txn, user, id, CommentChange::Delete).await?;
    let before = json!({ "body": existing.body, "author_id": existing.author_id });
    let mut active: comment::ActiveModel = existing.into();
    active.body = Set(String::new());
    active.deleted_at = Set(Some(Utc::now()));
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "comment.delete",
        "comment",
        id,
        Some(before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok((updated, post))
}
