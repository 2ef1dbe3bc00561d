//! Histories through the API: the audited changes to a post, a movie or an account, with what
//! each changed (a unified diff for long text), and reverting a post or a movie to the version
//! one of them left it in (the same service functions as the pages). A role's history is with
//! the other role endpoints, in `admin::history`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Problem, json, tagged};
use crate::request::client_ip;
use crate::services::history::{self, Version};

/// One field a change changed, in words.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
    /// For long text (a post's body, a synopsis): the change as a unified diff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// One audited change to an object.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Change {
    /// The audit entry: revert to the state it left the object in with
    /// `…/history/{entry}/revert` (posts, movies and roles).
    pub entry: i32,
    /// What was done: `post.update`, `movie.revert`, `role.create`, `user.override`, …
    pub action: String,
    /// Who did it (none for the command line, or an account since deleted).
    pub actor: Option<String>,
    pub at: DateTime<Utc>,
    pub changes: Vec<FieldChange>,
    /// True for the newest change: the object as it is.
    pub current: bool,
    /// Whether the state this change left can be restored (an older entry may lack fields).
    pub restorable: bool,
}

impl<S> From<Version<S>> for Change {
    fn from(version: Version<S>) -> Change {
        Change {
            entry: version.entry_id,
            restorable: version.state.is_some(),
            action: version.action,
            actor: version.actor,
            at: version.at,
            changes: version
                .changes
                .into_iter()
                .map(|c| FieldChange {
                    field: c.field.to_owned(),
                    diff: (!c.unified.is_empty()).then_some(c.unified),
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            current: version.current,
        }
    }
}

fn changes<S>(versions: Vec<Version<S>>) -> Vec<Change> {
    versions.into_iter().map(Change::from).collect()
}

/// A post's audited changes, newest first (whoever may edit it).
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}/history",
    tag = "posts",
    params(("slug" = String, Path, description = "The post's slug")),
    responses(
        (status = 200, description = "Its changes, newest first", body = Vec<Change>),
        (status = 403, description = "Someone who may not edit the post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post (or a draft of someone else's)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn post_history(
    caller: Caller,
    app: crate::state::App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let (_, versions) = history::post_history(&app.db, user, &path.into_inner()).await?;
    Ok(json(StatusCode::OK, &changes(versions)))
}

/// Restores a post's title, text, category and tags to the version one of its changes left,
/// through the same rules as an edit (whether it is published stays as it is); audited as
/// `post.revert`.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{slug}/history/{entry}/revert",
    tag = "posts",
    params(
        ("slug" = String, Path, description = "The post's slug"),
        ("entry" = i32, Path, description = "The change (`entry` in the history) whose version to restore"),
    ),
    responses(
        (status = 200, description = "The post as restored", body = crate::api::blog::Post, headers(("ETag" = String, description = "The post's entity tag"))),
        (status = 403, description = "Someone who may not edit the post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or no such change of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The version was recorded without its text", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The version cannot be restored as it was (its category was deleted since)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn revert_post(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let (slug, entry) = path.into_inner();
    let post = history::revert_post(&app.db, user, client_ip(&req), &slug, entry).await?;
    let view = crate::api::blog::posts::post_view(&app.db, &post.slug, Some(user)).await?;
    Ok(tagged(&req, StatusCode::OK, &view))
}

/// A movie's audited changes, newest first (`manage_movies`).
#[utoipa::path(
    get,
    path = "/api/v1/movies/{id}/history",
    tag = "movies",
    params(("id" = i32, Path, description = "The movie's id")),
    responses(
        (status = 200, description = "Its changes, newest first", body = Vec<Change>),
        (status = 403, description = "Without manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn movie_history(
    caller: Caller,
    app: crate::state::App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let (_, versions) = history::movie_history(&app.db, user, path.into_inner()).await?;
    Ok(json(StatusCode::OK, &changes(versions)))
}

/// Restores a movie to the version one of its changes left, through the same rules as an
/// edit; audited as `movie.revert` (`manage_movies`).
#[utoipa::path(
    post,
    path = "/api/v1/movies/{id}/history/{entry}/revert",
    tag = "movies",
    params(
        ("id" = i32, Path, description = "The movie's id"),
        ("entry" = i32, Path, description = "The change (`entry` in the history) whose version to restore"),
    ),
    responses(
        (status = 200, description = "The movie as restored", body = crate::api::movies::Movie, headers(("ETag" = String, description = "The movie's entity tag"))),
        (status = 403, description = "Without manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie, or no such change of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The version was recorded without every field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The version cannot be restored as it was", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn revert_movie(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let (id, entry) = path.into_inner();
    history::revert_movie(&app.db, user, client_ip(&req), id, entry).await?;
    let view = crate::api::movies::catalogue::movie_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &view))
}

/// An account's audited changes (its role, active flag, grants and denials, sessions), newest
/// first (`manage_users`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{id}/history",
    tag = "administration",
    params(("id" = i32, Path, description = "The account's id")),
    responses(
        (status = 200, description = "Its changes, newest first", body = Vec<Change>),
        (status = 403, description = "Without manage_users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn account_history(
    caller: Caller,
    app: crate::state::App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let (_, versions) = history::account_history(&app.db, user, path.into_inner()).await?;
    Ok(json(StatusCode::OK, &changes(versions)))
}

/// These endpoints' routes ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::at("/posts/{slug}/history").route(web::get().to(post_history)))
        .service(
            crate::api::at("/posts/{slug}/history/{entry}/revert")
                .route(web::post().to(revert_post)),
        )
        .service(crate::api::at("/movies/{id}/history").route(web::get().to(movie_history)))
        .service(
            crate::api::at("/movies/{id}/history/{entry}/revert")
                .route(web::post().to(revert_movie)),
        )
        .service(crate::api::at("/admin/users/{id}/history").route(web::get().to(account_history)));
}
