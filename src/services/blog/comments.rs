//! Comments and their moderation: a post's comment pages, adding one, the moderation queue,
//! hiding and showing (audited). Edits and deletions are in `comment_edits`.

use std::collections::HashMap;

use chrono::Utc;
use entity::{comment, post, user};
use sea_orm::sea_query::{Expr, Query, QueryStatementBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use serde_json::json;

use entity::enums::Permission;

use super::*;
use crate::domain::{CommentBody, CurrentUser};
use crate::services::audit::{self, Actor};
use crate::services::notifications::{Event, Kind, notify};
use crate::services::{Page, ServiceError};

pub type CommentRow = (comment::Model, Option<crate::services::UserRef>);

/// The order of a post's comments: by conversation (its top-level comment's id, or its own),
/// then by time, so each top-level comment comes with its replies after it.
pub fn conversation_order() -> Expr {
    Expr::expr(sea_orm::sea_query::Func::coalesce([
        Expr::col((comment::Entity, comment::Column::ThreadId)),
        Expr::col((comment::Entity, comment::Column::Id)),
    ]))
}

/// Comments of a post, by conversation ([`conversation_order`]), with their total (one
/// statement); hidden ones only for moderators.
pub async fn comments(
    db: &impl ConnectionTrait,
    post_id: i32,
    include_hidden: bool,
    page: u64,
) -> Result<Page<CommentRow>, DbErr> {
    let mut query = comment::Entity::find().filter(comment::Column::PostId.eq(post_id));
    if !include_hidden {
        query = query.filter(comment::Column::IsHidden.eq(false));
    }
    crate::services::pair_page::<_, _, comment::Model, crate::services::UserRef>(
        db,
        query
            .order_by_asc(conversation_order())
            .order_by_asc(comment::Column::CreatedAt)
            .order_by_asc(comment::Column::Id)
            .find_also_related(user::Entity),
        page,
        COMMENTS_PER_PAGE,
    )
    .await
}

/// Adds `user`'s comment to a post they may see (`comment`), and moves the content version, so
/// cached pages show it at once. Returns the comment and its post.
pub async fn add_comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    slug: &str,
    body: CommentBody,
) -> Result<(comment::Model, post::Model), ServiceError> {
    user.require(Permission::Comment)?;
    let post = visible_post(db, slug, Some(user)).await?;
    insert_comment(db, user, post, body, None).await
}

/// A comment's text as its page shows it (Markdown, a smaller set than a post's).
pub fn comment_html(body: &str) -> String {
    markup::comment_to_safe_html(body)
}

/// A comment's text rendered as posting it would show it, by the same rules (`comment`; an
/// empty or too long text is refused as posting it would be); nothing is saved.
pub fn preview_comment(user: &CurrentUser, body: &str) -> Result<String, ServiceError> {
    user.require(Permission::Comment)?;
    let body = CommentBody::parse(body).map_err(|e| ServiceError::invalid("body", e))?;
    Ok(comment_html(&body.into_inner()))
}

/// The comment `id` as something `user` may reply to, with its author and post: not deleted,
/// on a post they may see, and hidden only when they are a moderator (404 otherwise).
pub async fn comment_to_answer(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i32,
) -> Result<(CommentRow, post::Model), ServiceError> {
    user.require(Permission::Comment)?;
    let (parent, author) = comment::Entity::find_by_id(id)
        .filter(comment::Column::DeletedAt.is_null())
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let author = author.map(|u| crate::services::UserRef {
        id: u.id,
        username: u.username,
        avatar: u.avatar,
    });
    if parent.is_hidden && !is_moderator(user) {
        return Err(ServiceError::NotFound);
    }
    let post = post::Entity::find_by_id(parent.post_id)
        .one(db)
        .await?
        .filter(|p| may_see(Some(user), p))
        .ok_or(ServiceError::NotFound)?;
    Ok(((parent, author), post))
}

/// Replies to comment `id` ([`comment_to_answer`] says which may be answered): the reply names
/// it and the top-level comment of its conversation.
pub async fn reply_to_comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    id: i32,
    body: CommentBody,
) -> Result<(comment::Model, post::Model), ServiceError> {
    let ((parent, _), post) = comment_to_answer(db, user, id).await?;
    insert_comment(db, user, post, body, Some(&parent)).await
}

async fn insert_comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    post: post::Model,
    body: CommentBody,
    parent: Option<&comment::Model>,
) -> Result<(comment::Model, post::Model), ServiceError> {
    let txn = crate::services::begin_content_change(db).await?;
    let created = comment::ActiveModel {
        post_id: Set(post.id),
        author_id: Set(user.id),
        body: Set(body.into_inner()),
        is_hidden: Set(false),
        created_at: Set(Utc::now()),
        parent_id: Set(parent.map(|p| p.id)),
        thread_id: Set(parent.map(|p| p.thread_id.unwrap_or(p.id))),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    refresh_comment_count(&txn, post.id).await?;
    // The replied-to comment's author is told of a reply, the post's author of a comment
    // (once: a reply to the author's own comment is a reply).
    let link = format!("/comments/{}", created.id);
    let replied_to = parent.map(|p| p.author_id);
    if let Some(author) = replied_to {
        notify(
            &txn,
            [author],
            Event {
                kind: Kind::CommentReply,
                actor: user,
                subject: post.title.clone(),
                link: link.clone(),
            },
        )
        .await?;
    }
    if replied_to != Some(post.author_id) {
        notify(
            &txn,
            [post.author_id],
            Event {
                kind: Kind::PostComment,
                actor: user,
                subject: post.title.clone(),
                link,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok((created, post))
}

/// The page of its post's comments (as readers see them, [`conversation_order`]) that
/// `comment` is on.
pub async fn page_of_comment(
    db: &impl ConnectionTrait,
    comment: &comment::Model,
) -> Result<u64, DbErr> {
    use sea_orm::{Condition, PaginatorTrait};
    let conversation = comment.thread_id.unwrap_or(comment.id);
    let same = || Condition::all().add(conversation_order().eq(conversation));
    let before = comment::Entity::find()
        .filter(comment::Column::PostId.eq(comment.post_id))
        .filter(comment::Column::IsHidden.eq(false))
        .filter(
            Condition::any()
                .add(conversation_order().lt(conversation))
                .add(same().add(comment::Column::CreatedAt.lt(comment.created_at)))
                .add(
                    same()
                        .add(comment::Column::CreatedAt.eq(comment.created_at))
                        .add(comment::Column::Id.lt(comment.id)),
                ),
        )
        .count(db)
        .await?;
    Ok(before / COMMENTS_PER_PAGE + 1)
}

/// Where comment `id` is read: its post's page that holds it, at the comment (404 when the
/// viewer may not see it).
pub async fn comment_location(
    db: &impl ConnectionTrait,
    viewer: crate::domain::Viewer<'_>,
    id: i32,
) -> Result<String, ServiceError> {
    let found = comment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if found.is_hidden && !viewer.is_some_and(is_moderator) {
        return Err(ServiceError::NotFound);
    }
    let post = post::Entity::find_by_id(found.post_id)
        .one(db)
        .await?
        .filter(|p| may_see(viewer, p))
        .ok_or(ServiceError::NotFound)?;
    let page = page_of_comment(db, &found).await?;
    Ok(format!(
        "/posts/{}?page={page}#comment-{}",
        post.slug, found.id
    ))
}

/// A post as a link: id, title and slug (never its body).
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "post::Entity")]
pub struct PostRef {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

pub type ModerationRow = (
    comment::Model,
    Option<crate::services::UserRef>,
    Option<PostRef>,
);

/// Newest comments first, hidden ones included, with author and post (two statements: the
/// comments with their authors and total, then their posts).
pub async fn moderation_queue(
    db: &impl ConnectionTrait,
    page: u64,
    per_page: u64,
) -> Result<Page<ModerationRow>, DbErr> {
    let found = crate::services::pair_page::<_, _, comment::Model, crate::services::UserRef>(
        db,
        comment::Entity::find()
            .order_by_desc(comment::Column::CreatedAt)
            .order_by_desc(comment::Column::Id)
            .find_also_related(user::Entity),
        page,
        per_page,
    )
    .await?;
    let post_ids: Vec<i32> = found.items.iter().map(|(c, _)| c.post_id).collect();
    let posts: HashMap<i32, PostRef> = if post_ids.is_empty() {
        HashMap::new()
    } else {
        post::Entity::find()
            .filter(post::Column::Id.is_in(post_ids))
            .into_partial_model::<PostRef>()
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    Ok(Page {
        items: found
            .items
            .into_iter()
            .map(|(c, author)| {
                let post = posts.get(&c.post_id).cloned();
                (c, author, post)
            })
            .collect(),
        number: found.number,
        pages: found.pages,
        total: found.total,
    })
}

/// Hides or shows a comment again (`moderate_comments`; audited when it changes).
pub async fn set_comment_hidden(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    hidden: bool,
) -> Result<comment::Model, ServiceError> {
    user.require(Permission::ModerateComments)?;
    let txn = crate::services::begin_content_change(db).await?;
    let existing = comment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let was = existing.is_hidden;
    let mut active: comment::ActiveModel = existing.into();
    active.is_hidden = Set(hidden);
    let updated = active.update(&txn).await?;
    if was != hidden {
        refresh_comment_count(&txn, updated.post_id).await?;
        let action = if hidden {
            "comment.hide"
        } else {
            "comment.unhide"
        };
        audit::record(
            &txn,
            &Actor::of(user, ip),
            action,
            "comment",
            id,
            Some(json!({ "is_hidden": was })),
            Some(json!({ "is_hidden": hidden })),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Counts the post's visible comments again into `post.comment_count`, in the transaction of
/// the change (content changes are serialised, so the count includes every earlier one).
pub async fn refresh_comment_count(db: &impl ConnectionTrait, post_id: i32) -> Result<(), DbErr> {
    store_comment_counts(db, post::Column::Id.eq(post_id)).await
}

/// [`refresh_comment_count`] for many posts in one statement (none for an empty list): for
/// comments written directly (the volume seed).
pub async fn refresh_comment_counts(
    db: &impl ConnectionTrait,
    post_ids: Vec<i32>,
) -> Result<(), DbErr> {
    if post_ids.is_empty() {
        return Ok(());
    }
    store_comment_counts(db, post::Column::Id.is_in(post_ids)).await
}

/// `post.comment_count` counts the post's visible comments: the one statement that says so,
/// for the posts that `posts` selects.
async fn store_comment_counts(db: &impl ConnectionTrait, posts: Expr) -> Result<(), DbErr> {
    let visible = Query::select()
        .expr(Expr::col((comment::Entity, comment::Column::Id)).count())
        .from(comment::Entity)
        .and_where(
            Expr::col((comment::Entity, comment::Column::PostId))
                .equals((post::Entity, post::Column::Id)),
        )
        .and_where(Expr::col((comment::Entity, comment::Column::IsHidden)).eq(false))
        .to_owned();
    post::Entity::update_many()
        .col_expr(
            post::Column::CommentCount,
            Expr::SubQuery(None, Box::new(visible.into_sub_query_statement())),
        )
        .filter(posts)
        .exec(db)
        .await?;
    Ok(())
}
