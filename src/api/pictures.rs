//! Pictures through the API: a movie's poster set from the request body (the picture's bytes,
//! whatever `Content-Type` says: decoding decides) or removed, by the same service functions as
//! the pages. The picture itself is served at `/media/{hash}/{size}`.

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
    /// 80 × 120 for a poster.
    pub thumb: String,
    /// 240 × 360 for a poster.
    pub card: String,
    /// 600 × 900 for a poster.
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
    pictures::set_poster(&app.db, user, client_ip(&req), id, body.to_vec()).await?;
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
    pictures::remove_poster(&app.db, user, client_ip(&req), id).await?;
    let movie = movie_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &movie))
}

/// These endpoints' routes ([`crate::api::routes`] mounts them). The body may be a whole
/// picture, larger than the default limit; past the limit actix answers 413 unread.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::api::at("/movies/{id}/poster")
            .app_data(web::PayloadConfig::new(pictures::MAX_UPLOAD))
            .route(web::put().to(put_poster))
            .route(web::delete().to(delete_poster)),
    );
}
