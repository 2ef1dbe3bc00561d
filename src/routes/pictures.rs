//! Pictures on the site: `GET /media/{hash}/{size}` serves a stored picture (immutable by
//! its hash: cached for a year, `304` on `If-None-Match`), and a movie's poster page
//! (`/movies/{id}/poster`) uploads one as `multipart/form-data` or removes it.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use futures_util::StreamExt;

use crate::auth::RequireUser;
use crate::domain::FieldErrors;
use crate::flash::Level;
use crate::routes::error::AppError;
use crate::routes::{client_ip, done, problems, render_status};
use crate::services::{movies, pictures};
use crate::state::App;
use crate::views::{MoviePosterPage, PageContext};

/// The entity tag of a stored size: its hash names its bytes for good.
fn media_tag(hash: &str, size: pictures::Size) -> String {
    format!("\"{hash}-{}\"", size.as_str())
}

fn is_hash(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `GET /media/{hash}/{size}`: one statement, and none for a `304`.
pub async fn media(
    req: HttpRequest,
    app: App,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (hash, size) = path.into_inner();
    let size = pictures::Size::parse(&size).ok_or(AppError::NotFound)?;
    if !is_hash(&hash) {
        return Err(AppError::NotFound);
    }
    let tag = media_tag(&hash, size);
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let immutable = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    if cached {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header(immutable)
            .finish());
    }
    let file = pictures::file(&app.db, &hash, size)
        .await
        .map_err(crate::services::ServiceError::from)?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((header::ETAG, tag))
        .insert_header(immutable)
        // Already compressed: the compression middleware leaves it alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .body(file.bytes))
}

async fn poster_page(
    app: &App,
    ctx: PageContext,
    id: i32,
    errors: FieldErrors,
) -> Result<MoviePosterPage, AppError> {
    let movie = movies::find(&app.db, id).await?;
    Ok(MoviePosterPage { ctx, movie, errors })
}

pub async fn poster_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let page = poster_page(&app, ctx, path.into_inner(), FieldErrors::default()).await?;
    render_status(StatusCode::OK, &page)
}

/// The bytes of the `poster` field of a multipart form (the body was read whole, within its
/// limit, by the CSRF check before this handler ran).
async fn uploaded(mut form: actix_multipart::Multipart) -> Result<Vec<u8>, AppError> {
    let unreadable = || AppError::BadRequest("The upload could not be read as a form.".into());
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        if field.name() != Some("poster") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            bytes.extend_from_slice(&chunk.map_err(|_| unreadable())?);
        }
        return Ok(bytes);
    }
    Ok(Vec::new())
}

pub async fn poster_upload(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let id = path.into_inner();
    let upload = uploaded(form).await?;
    match pictures::set_poster(&app.db, &user.0, client_ip(&req), id, upload).await {
        Ok(movie) => Ok(done(
            &session,
            Level::Success,
            format!("The poster of “{}” is saved.", movie.title),
            &format!("/movies/{id}"),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(status, &poster_page(&app, ctx, id, errors).await?)
        }
    }
}

pub async fn poster_remove(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let movie = pictures::remove_poster(&app.db, &user.0, client_ip(&req), id).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("The poster of “{}” is removed.", movie.title),
        &format!("/movies/{id}"),
    ))
}

/// The poster pages ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/movies/{id}/poster", web::get().to(poster_form))
        .route("/movies/{id}/poster", web::post().to(poster_upload))
        .route("/movies/{id}/poster/remove", web::post().to(poster_remove));
}
