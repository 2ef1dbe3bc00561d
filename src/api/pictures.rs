//! Pictures through the API: a movie's poster, a person's portrait and your avatar set from
//! the request body (the picture's bytes, whatever `Content-Type` says: decoding decides) or
//! removed, by the same service functions as the pages. The pictures themselves are served at
//! `/media/{hash}/{size}`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::movies::catalogue::movie_view;
use crate::api::{ApiError, Caller, Problem, tagged};
use crate::request::client_ip;
use crate::services::pictures;

/// A stored picture's addresses, one per size.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Picture {
    /// The SHA-256 of the full size: the picture's address.
    pub hash: String,
    /// 80 × 120 for a poster or a portrait, 48 × 48 for an avatar.
    pub thumb: String,
    /// 240 × 360 for a poster or a portrait, 96 × 96 for an avatar.
    pub card: String,
    /// 600 × 900 for a poster or a portrait, 256 × 256 for an avatar.
    pub full: String,
}

impl Picture {
    pub fn of(hash: &str) -> Picture {
        let at = |size: pictures::Size| format!("/media/{hash}/{}", size.as_str());
        Picture {
            hash: hash.to_owned(),
            thumb: at(pictures::Size::Thumb),
            card: at(pictures::Size::Card),
            full: at(pictures::Size::Full),
        }
    }
}

/// Sets a movie's poster from the body: a JPEG, PNG, WebP or GIF of at most 5 MiB, cropped to
/// 2:3 and stored re-encoded (`manage_movies`).
#[utoipa::path(
    put,
    path = "/api/v1/movies/{id}/poster",
    tag = "movies",
    params(("id" = i32, Path, description = "The movie's id")),
    request_body(content = Vec<u8>, content_type = "image/*", description = "The picture's bytes"),
    responses(
        (status = 200, description = "The movie with its new poster", body = crate::api::movies::Movie, headers(("ETag" = String, description = "The movie's entity tag"))),
        (status = 403, description = "Without manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 5 MiB: refused before the rest is read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a picture Marquee takes (not JPEG, PNG, WebP or GIF, damaged, too many pixels, or more than a picture)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn put_poster(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let id = path.into_inner();
    let holder = pictures::Holder::Poster(id);
    pictures::set_picture(&app.db, user, client_ip(&req), holder, body.to_vec()).await?;
    let movie = movie_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &movie))
}

/// Removes a movie's poster (`manage_movies`).
#[utoipa::path(
    delete,
    path = "/api/v1/movies/{id}/poster",
    tag = "movies",
    params(("id" = i32, Path, description = "The movie's id")),
    responses(
        (status = 200, description = "The movie without a poster", body = crate::api::movies::Movie, headers(("ETag" = String, description = "The movie's entity tag"))),
        (status = 403, description = "Without manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn delete_poster(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let id = path.into_inner();
    pictures::remove_picture(&app.db, user, client_ip(&req), pictures::Holder::Poster(id)).await?;
    let movie = movie_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &movie))
}

/// Sets your avatar from the body: a JPEG, PNG, WebP or GIF of at most 5 MiB, cropped square
/// and stored re-encoded (once your address is confirmed).
#[utoipa::path(
    put,
    path = "/api/v1/me/avatar",
    tag = "members",
    request_body(content = Vec<u8>, content_type = "image/*", description = "The picture's bytes"),
    responses(
        (status = 200, description = "Your avatar's addresses", body = Picture),
        (status = 403, description = "An address not confirmed yet", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 5 MiB: refused before the rest is read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a picture Marquee takes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_avatar(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let holder = pictures::Holder::Avatar(user.id);
    let hash = pictures::set_picture(&app.db, user, client_ip(&req), holder, body.to_vec()).await?;
    Ok(crate::api::json(StatusCode::OK, &Picture::of(&hash)))
}

/// Removes a member's avatar: your own, or anyone's with `moderate_comments`.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{username}/avatar",
    tag = "members",
    params(("username" = String, Path, description = "The member's username")),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 403, description = "Someone else's, without moderate_comments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_avatar(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let member = crate::services::accounts::user_by_username(&app.db, &path.into_inner()).await?;
    let holder = pictures::Holder::Avatar(member.id);
    pictures::remove_picture(&app.db, user, client_ip(&req), holder).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sets a person's portrait from the body (`manage_movies`), cropped to 2:3.
#[utoipa::path(
    put,
    path = "/api/v1/people/{id}/portrait",
    tag = "movies",
    params(("id" = i32, Path, description = "The person's id")),
    request_body(content = Vec<u8>, content_type = "image/*", description = "The picture's bytes"),
    responses(
        (status = 200, description = "The portrait's addresses", body = Picture),
        (status = 403, description = "Without manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 5 MiB: refused before the rest is read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a picture Marquee takes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn put_portrait(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let holder = pictures::Holder::Portrait(path.into_inner());
    let hash = pictures::set_picture(&app.db, user, client_ip(&req), holder, body.to_vec()).await?;
    Ok(crate::api::json(StatusCode::OK, &Picture::of(&hash)))
}

/// Removes a person's portrait (`manage_movies`).
#[utoipa::path(
    delete,
    path = "/api/v1/people/{id}/portrait",
    tag = "movies",
    params(("id" = i32, Path, description = "The person's id")),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 403, description = "Without manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn delete_portrait(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let holder = pictures::Holder::Portrait(path.into_inner());
    pictures::remove_picture(&app.db, user, client_ip(&req), holder).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// These endpoints' routes ([`crate::api::routes`] mounts them). The body may be a whole
/// picture, larger than the default limit; past the limit actix answers 413 unread.
pub fn routes(cfg: &mut web::ServiceConfig) {
    let upload = || web::PayloadConfig::new(pictures::MAX_UPLOAD);
    cfg.service(
        crate::api::at("/movies/{id}/poster")
            .app_data(upload())
            .route(web::put().to(put_poster))
            .route(web::delete().to(delete_poster)),
    )
    .service(
        crate::api::at("/people/{id}/portrait")
            .app_data(upload())
            .route(web::put().to(put_portrait))
            .route(web::delete().to(delete_portrait)),
    )
    .service(
        crate::api::at("/me/avatar")
            .app_data(upload())
            .route(web::put().to(put_avatar)),
    )
    .service(crate::api::at("/users/{username}/avatar").route(web::delete().to(delete_avatar)));
}
