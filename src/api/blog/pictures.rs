//! A post's pictures through the API: list them, attach one from the request body (the
//! picture's bytes, whatever `Content-Type` says: decoding decides), remove one the text no
//! longer shows; whoever may edit the post, by the same service functions as the pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Problem};
use crate::request::client_ip;
use crate::services::blog;

/// A picture attached to a post.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PostPicture {
    /// The SHA-256 of the full size: the picture's address.
    pub hash: String,
    /// The line that shows it in the post's Markdown (describe it in the brackets).
    pub markdown: String,
    /// Fitted into 160 × 160.
    pub thumb: String,
    /// Fitted into 720 × 1080: what the post shows.
    pub card: String,
    /// Fitted into 1440 × 2160.
    pub full: String,
    /// The card size's width and height, in pixels.
    pub width: u32,
    pub height: u32,
}

impl PostPicture {
    fn of(picture: &markup::Picture) -> PostPicture {
        let at = |size: &str| format!("/media/{}/{size}", picture.hash);
        PostPicture {
            hash: picture.hash.clone(),
            markdown: format!("![Describe the picture]({})", at("full")),
            thumb: at("thumb"),
            card: at("card"),
            full: at("full"),
            width: picture.card.0,
            height: picture.card.1,
        }
    }
}

/// The pictures attached to a post, oldest first (whoever may edit it).
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}/pictures",
    tag = "posts",
    params(("slug" = String, Path, description = "The post's slug")),
    responses(
        (status = 200, description = "Its pictures", body = Vec<PostPicture>),
        (status = 403, description = "Someone else's published post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or a draft you may not edit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn list_pictures(
    caller: Caller,
    app: crate::state::App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let (_, pictures) = blog::pictures_of(&app.db, user, &path.into_inner()).await?;
    let list: Vec<PostPicture> = pictures.iter().map(PostPicture::of).collect();
    Ok(crate::api::json(StatusCode::OK, &list))
}

/// Attaches a picture to a post from the body: a JPEG, PNG, WebP or GIF of at most 5 MiB,
/// kept in its shape and stored re-encoded; at most 24 per post. Put its `markdown` into the
/// post's text to show it.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{slug}/pictures",
    tag = "posts",
    params(("slug" = String, Path, description = "The post's slug")),
    request_body(content = Vec<u8>, content_type = "image/*", description = "The picture's bytes"),
    responses(
        (status = 201, description = "Attached (or it was already)", body = PostPicture),
        (status = 403, description = "Someone else's published post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or a draft you may not edit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post holds as many pictures as a post may", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 5 MiB: refused before the rest is read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a picture Marquee takes", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn attach_picture(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let slug = path.into_inner();
    let picture =
        blog::attach_picture(&app.db, user, client_ip(&req), &slug, body.to_vec()).await?;
    Ok(crate::api::json(
        StatusCode::CREATED,
        &PostPicture::of(&picture),
    ))
}

/// Removes a picture from a post, and the stored picture when nothing else has it; refused
/// while the post's text shows it.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{slug}/pictures/{hash}",
    tag = "posts",
    params(
        ("slug" = String, Path, description = "The post's slug"),
        ("hash" = String, Path, description = "The picture's hash"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Someone else's published post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post, or the post has no such picture", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post's text still shows it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn detach_picture(
    req: HttpRequest,
    caller: Caller,
    app: crate::state::App,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let (slug, hash) = path.into_inner();
    blog::detach_picture(&app.db, user, client_ip(&req), &slug, &hash).await?;
    Ok(HttpResponse::NoContent().finish())
}
