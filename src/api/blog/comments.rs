//! Comments through the API: list, write, reply, edit, delete, hide and show again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links};
use crate::domain::{CommentBody, ServiceError};
use crate::request::client_ip;
use crate::services::blog::{self};
use crate::state::App;

/// A comment on a post.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub id: i32,
    /// `null` when the account is gone.
    pub author: Option<String>,
    pub body: String,
    /// Hidden comments are listed for moderators only.
    pub is_hidden: bool,
    pub created_at: DateTime<Utc>,
    /// When its author last changed the text.
    pub edited_at: Option<DateTime<Utc>>,
    /// A deleted comment keeps its place, its `body` empty.
    pub deleted: bool,
    /// The comment this one replies to.
    pub parent_id: Option<i32>,
    /// The top-level comment of its conversation (comments are listed by conversation, each
    /// top-level comment followed by its replies).
    pub thread_id: Option<i32>,
}

impl Comment {
    pub fn of(comment: entity::comment::Model, author: Option<String>) -> Comment {
        Comment {
            id: comment.id,
            author,
            body: comment.body,
            is_hidden: comment.is_hidden,
            created_at: comment.created_at,
            edited_at: comment.edited_at,
            deleted: comment.deleted_at.is_some(),
            parent_id: comment.parent_id,
            thread_id: comment.thread_id,
        }
    }
}

/// A page of a post's comments, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CommentList {
    pub items: Vec<Comment>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A comment to write.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CommentWrite {
    /// 1 to 5,000 characters.
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub body: String,
}

impl CommentWrite {
    /// The checked text, by the rule the comment form follows.
    fn text(&self) -> Result<CommentBody, ServiceError> {
        CommentBody::parse(&self.body).map_err(|e| ServiceError::invalid("body", e))
    }
}

/// A page cursor.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// A `next` or `prev` cursor from an earlier page.
    pub cursor: Option<String>,
}

/// Lists a post's comments by conversation, oldest first (hidden ones for moderators only).
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}/comments",
    tag = "comments",
    params(("slug" = String, Path, description = "The post's slug"), PageQuery),
    responses(
        (status = 200, description = "A page of comments", body = CommentList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_comments(
    caller: Caller,
    app: App,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let post = blog::visible_post(&app.db, &path.into_inner(), caller.viewer()).await?;
    let moderator = caller.viewer().is_some_and(blog::is_moderator);
    let page = blog::comments(&app.db, post.id, moderator, number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|(comment, author)| Comment::of(comment, author.map(|a| a.username)))
        .collect();
    Ok(json(
        StatusCode::OK,
        &CommentList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

/// Comments on a post (`comment`).
#[utoipa::path(
    post,
    path = "/api/v1/posts/{slug}/comments",
    tag = "comments",
    params(("slug" = String, Path, description = "The post's slug")),
    request_body = CommentWrite,
    responses(
        (status = 201, description = "The new comment", body = Comment),
        (status = 403, description = "The token lacks comment", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Ten comments in ten minutes already: wait (Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["comment"]))
)]
pub async fn create_comment(
    caller: Caller,
    app: App,
    path: web::Path<String>,
    body: Json<CommentWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(entity::enums::Permission::Comment)?;
    let text = body.0.text()?;
    let slug = path.into_inner();
    let write = blog::add_comment(&app.db, user, &slug, text);
    let (comment, _) = within_share(&app, user, write).await?;
    app.delivery.wake_if_due(&app.db).await;
    Ok(json(
        StatusCode::CREATED,
        &Comment::of(comment, Some(user.username.clone())),
    ))
}

/// `write` within `user`'s share of comments (see `Throttle::comment`): a 429 problem with
/// `Retry-After` once it is used up.
async fn within_share<T>(
    app: &App,
    user: &crate::domain::CurrentUser,
    write: impl std::future::Future<Output = Result<T, ServiceError>>,
) -> Result<T, ApiError> {
    let outcome = app.throttle.comment(user, write).await.map_err(|seconds| {
        ApiError::Wait(crate::auth::throttle::comments_wait(seconds), seconds)
    })?;
    Ok(outcome?)
}

pub(super) async fn set_hidden(
    req: HttpRequest,
    caller: Caller,
    app: App,
    id: i32,
    hidden: bool,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    blog::set_comment_hidden(&app.db, user, client_ip(&req), id, hidden).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Hides a comment (`moderate_comments`; audited).
#[utoipa::path(
    post,
    path = "/api/v1/comments/{id}/hide",
    tag = "comments",
    params(("id" = i32, Path, description = "The comment's id")),
    responses(
        (status = 204, description = "Hidden"),
        (status = 403, description = "The token lacks moderate_comments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["moderate_comments"]))
)]
pub async fn hide_comment(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    set_hidden(req, caller, app, path.into_inner(), true).await
}

/// Shows a hidden comment again (`moderate_comments`; audited).
#[utoipa::path(
    post,
    path = "/api/v1/comments/{id}/unhide",
    tag = "comments",
    params(("id" = i32, Path, description = "The comment's id")),
    responses(
        (status = 204, description = "Shown again"),
        (status = 403, description = "The token lacks moderate_comments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["moderate_comments"]))
)]
pub async fn unhide_comment(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    set_hidden(req, caller, app, path.into_inner(), false).await
}

/// Changes the text of your own comment (`comment`); it is marked edited, and the earlier text
/// is kept in the audit log.
#[utoipa::path(
    patch,
    path = "/api/v1/comments/{id}",
    tag = "comments",
    params(("id" = i32, Path, description = "The comment's id")),
    request_body = CommentWrite,
    responses(
        (status = 200, description = "The comment as saved", body = Comment),
        (status = 403, description = "Not your comment, or the token lacks comment", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment, or it is deleted", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["comment"]))
)]
pub async fn edit_comment(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<CommentWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let text = body.0.text()?;
    let (comment, _) =
        blog::edit_comment(&app.db, user, client_ip(&req), path.into_inner(), text).await?;
    Ok(json(
        StatusCode::OK,
        &Comment::of(comment, Some(user.username.clone())),
    ))
}

/// Deletes a comment: your own (`comment`) or anyone's (`moderate_comments`). It stays in the
/// list as a placeholder (`deleted`, its text empty); the text is kept in the audit log.
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}",
    tag = "comments",
    params(("id" = i32, Path, description = "The comment's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not your comment and not a moderator, or the token lacks the scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment, or it is deleted already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["comment"]), ("bearer" = ["moderate_comments"]))
)]
pub async fn delete_comment(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    blog::delete_comment(&app.db, user, client_ip(&req), path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replies to a comment (`comment`): the reply goes to the same post, in the same
/// conversation.
#[utoipa::path(
    post,
    path = "/api/v1/comments/{id}/replies",
    tag = "comments",
    params(("id" = i32, Path, description = "The id of the comment answered")),
    request_body = CommentWrite,
    responses(
        (status = 201, description = "The reply", body = Comment),
        (status = 403, description = "The token lacks comment", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment, a deleted one, or one this caller may not see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Ten comments in ten minutes already: wait (Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["comment"]))
)]
pub async fn reply_to_comment(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<CommentWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(entity::enums::Permission::Comment)?;
    let text = body.0.text()?;
    let write = blog::reply_to_comment(&app.db, user, path.into_inner(), text);
    let (comment, _) = within_share(&app, user, write).await?;
    app.delivery.wake_if_due(&app.db).await;
    Ok(json(
        StatusCode::CREATED,
        &Comment::of(comment, Some(user.username.clone())),
    ))
}

/// A comment in the moderation queue, with the post it is on.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct QueuedComment {
    pub comment: Comment,
    /// The post's slug and title (`null` if it is gone).
    pub post_slug: Option<String>,
    pub post_title: Option<String>,
}

/// A page of the moderation queue.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ModerationQueue {
    pub items: Vec<QueuedComment>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// The moderation queue as `/moderation` shows it: the newest comments first, hidden ones
/// included (`moderate_comments`), 50 a page.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/comments",
    tag = "comments",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of the queue", body = ModerationQueue),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Nobody is signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["moderate_comments"]))
)]
pub async fn moderation_queue(
    caller: Caller,
    app: App,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    user.require(entity::enums::Permission::ModerateComments)?;
    let number = page_cursor(query.cursor.as_deref())?;
    let page = blog::moderation_queue(&app.db, number, blog::COMMENTS_PER_PAGE).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|(comment, author, post)| QueuedComment {
            comment: Comment::of(comment, author.map(|a| a.username)),
            post_slug: post.as_ref().map(|p| p.slug.clone()),
            post_title: post.map(|p| p.title),
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ModerationQueue {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}
