//! `POST /api/v1/preview`: a post's or a comment's Markdown as it would show once saved, by the
//! function the form's Preview button uses; nothing is saved.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Json, Problem, json};
use crate::services::blog;
use crate::state::App;

/// The text to render.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PreviewWrite {
    /// Markdown, up to 100,000 bytes.
    pub body: String,
    /// The post being edited, whose attached pictures then show with their dimensions; none
    /// for a new post.
    pub post: Option<String>,
    /// Render it as a comment (`comment`): a comment's smaller Markdown, at most 5,000
    /// characters.
    pub comment: bool,
}

/// The rendering.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Preview {
    /// Safe HTML, as the post's (or the comment's) page would show it.
    pub html: String,
}

/// Renders a post's text as saving it would, without saving it (`write_posts` for a new
/// post; for an edit, whoever may edit the post), or a comment's (`comment`).
#[utoipa::path(
    post,
    path = "/api/v1/preview",
    tag = "posts",
    request_body = PreviewWrite,
    responses(
        (status = 200, description = "The rendering", body = Preview),
        (status = 403, description = "Without write_posts, or someone else's post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or a draft you may not edit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A text over 100,000 bytes (a comment: empty or over 5,000 characters)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]), ("bearer" = ["comment"]))
)]
pub async fn preview(
    caller: Caller,
    app: App,
    Json(write): Json<PreviewWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let html = match write.comment {
        true => blog::preview_comment(user, &write.body)?,
        false => blog::preview_post(&app.db, user, write.post.as_deref(), &write.body).await?,
    };
    Ok(json(StatusCode::OK, &Preview { html }))
}
