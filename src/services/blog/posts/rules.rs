//! Who may see, list and edit which posts.

use entity::enums::PostStatus;
use entity::post;
use sea_orm::ConnectionTrait;

use entity::enums::Permission;

use crate::domain::{CurrentUser, Viewer};
use crate::services::ServiceError;

/// Moderators see drafts and hidden comments, and may edit, hide and delete what others wrote.
pub fn is_moderator(user: &CurrentUser) -> bool {
    user.can(Permission::ModerateComments)
}

/// Whether `viewer` may see `post`: published posts for everyone, drafts for their author and
/// moderators.
pub fn may_see(viewer: Viewer<'_>, post: &post::Model) -> bool {
    post.status == PostStatus::Published
        || viewer.is_some_and(|u| u.id == post.author_id || is_moderator(u))
}

/// Whether `viewer` may edit or delete `post`: its author while they hold `write_posts`, or a
/// moderator.
pub fn can_edit(viewer: Viewer<'_>, post: &post::Model) -> bool {
    viewer.is_some_and(|u| {
        (u.id == post.author_id && u.can(Permission::WritePosts)) || is_moderator(u)
    })
}

/// Whether `viewer` sees the drafts in `author`'s list (their own, or as a moderator).
pub fn sees_drafts_of(viewer: Viewer<'_>, author_id: i32) -> bool {
    viewer.is_some_and(|u| u.id == author_id || is_moderator(u))
}

/// Whether `viewer` may list drafts: an author's own (`author_id`), or anyone's as a
/// moderator.
pub fn may_list_drafts(viewer: Viewer<'_>, author_id: Option<i32>) -> bool {
    match author_id {
        Some(author) => sees_drafts_of(viewer, author),
        None => viewer.is_some_and(is_moderator),
    }
}

/// The post, if `viewer` may see it (404 otherwise, so drafts do not leak).
pub async fn visible_post(
    db: &impl ConnectionTrait,
    slug: &str,
    viewer: Viewer<'_>,
) -> Result<post::Model, ServiceError> {
    post::Entity::find_by_slug(slug)
        .one(db)
        .await?
        .filter(|p| may_see(viewer, p))
        .ok_or(ServiceError::NotFound)
}

/// The post, if `user` may edit it; a draft they may not edit is a 404, a published post a
/// 403.
pub async fn editable_post(
    db: &impl ConnectionTrait,
    slug: &str,
    user: &CurrentUser,
) -> Result<post::Model, ServiceError> {
    let post = post::Entity::find_by_slug(slug)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if can_edit(Some(user), &post) {
        Ok(post)
    } else if post.status == PostStatus::Draft {
        Err(ServiceError::NotFound)
    } else {
        Err(ServiceError::forbidden())
    }
}
