//! Pictures on the site: `GET /media/{hash}/{size}` serves a stored picture (immutable by
//! its hash: cached for a year, `304` on `If-None-Match`), and one page per kind uploads one
//! as `multipart/form-data` or removes it: a movie's poster (`/movies/{id}/poster`), a
//! person's portrait (`/people/{id}/portrait`), your avatar (`/settings/avatar`); moderators
//! take a member's avatar down from their profile.

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
use crate::services::pictures::Holder;
use crate::services::{movies, pictures};
use crate::state::App;
use crate::views::{PageContext, PicturePage};

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

/// `GET /media/{hash}/{size}`: one statement besides the content version's read, and none for
/// a `304`; a picture served lately comes from memory (kept under the content version, as
/// pages are, so a removed one is not served from there), with only the version read.
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
        .is_some_and(|v| crate::services::precondition::matches(v, &tag));
    let immutable = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    if cached {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header(immutable)
            .finish());
    }
    let version = crate::cache::content_version(&req, &app.cache, &app.db).await;
    let kept = version.and_then(|v| app.cache.media(v, &hash, size.as_str()));
    let file = match kept {
        Some(file) => file,
        None => {
            let file = pictures::file(&app.db, &hash, size)
                .await
                .map_err(crate::services::ServiceError::from)?
                .ok_or(AppError::NotFound)?;
            let file = crate::cache::SharedMedia {
                content_type: file.content_type,
                bytes: file.bytes.into(),
            };
            if let Some(v) = version {
                app.cache.keep_media(v, &hash, size.as_str(), file.clone());
            }
            file
        }
    };
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((header::ETAG, tag))
        .insert_header(immutable)
        // Already compressed: the compression middleware leaves it alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .body(file.bytes))
}

/// What a picture's page shows of its holder.
struct Described {
    heading: String,
    back_href: String,
    back_label: String,
    action: String,
    alt: String,
    current: Option<String>,
    done: String,
}

/// The holder's row as its page describes it (404 when there is none).
async fn describe(app: &App, holder: Holder) -> Result<Described, AppError> {
    Ok(match holder {
        Holder::Poster(id) => {
            let movie = movies::find(&app.db, id).await?;
            Described {
                heading: format!("Poster of “{}” ({})", movie.title, movie.year),
                back_href: format!("/movies/{id}"),
                back_label: "The movie".into(),
                action: format!("/movies/{id}/poster"),
                alt: format!("Poster of {}", movie.title),
                current: movie.poster,
                done: format!("The poster of “{}”", movie.title),
            }
        }
        Holder::Portrait(id) => {
            let person = movies::person(&app.db, id)
                .await
                .map_err(crate::services::ServiceError::from)?
                .ok_or(AppError::NotFound)?;
            Described {
                heading: format!("Portrait of {}", person.name),
                back_href: format!("/people/{id}"),
                back_label: format!("{}’s page", person.name),
                action: format!("/people/{id}/portrait"),
                alt: format!("Portrait of {}", person.name),
                current: person.portrait,
                done: format!("The portrait of {}", person.name),
            }
        }
        Holder::Avatar(id) => {
            let (account, _) = crate::services::accounts::account(&app.db, id)
                .await
                .map_err(crate::services::ServiceError::from)?
                .ok_or(AppError::NotFound)?;
            Described {
                heading: "Your avatar".into(),
                back_href: format!("/users/{}", account.username),
                back_label: "Your profile".into(),
                action: "/settings/avatar".into(),
                alt: format!("{}’s avatar", account.username),
                current: account.avatar,
                done: "Your avatar".into(),
            }
        }
    })
}

async fn picture_page(
    app: &App,
    ctx: PageContext,
    holder: Holder,
    errors: FieldErrors,
) -> Result<PicturePage, AppError> {
    let described = describe(app, holder).await?;
    let kind = holder.kind();
    let (width, height) = kind.dimensions(pictures::Size::Card);
    let (full_width, _) = kind.dimensions(pictures::Size::Full);
    Ok(PicturePage {
        ctx,
        heading: described.heading,
        back_href: described.back_href,
        back_label: described.back_label,
        action: described.action,
        field: holder.field(),
        current: described.current,
        alt: described.alt,
        width,
        height,
        full_width,
        shape: match kind {
            pictures::Kind::Avatar => "It is cropped to a square and stored in three sizes.",
            _ => "It is cropped to 2:3 and stored in three sizes.",
        },
        errors,
    })
}

/// The `field` part of a multipart form (the body was read whole, within its limit, by the
/// CSRF check before this handler ran); empty when there is none.
pub(crate) async fn uploaded(
    mut form: actix_multipart::Multipart,
    name: &str,
) -> Result<Vec<u8>, AppError> {
    let unreadable = || AppError::BadRequest("The upload could not be read as a form.".into());
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|_| unreadable())?;
        if field.name() != Some(name) {
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

async fn show(app: App, ctx: PageContext, holder: Holder) -> Result<HttpResponse, AppError> {
    let page = picture_page(&app, ctx, holder, FieldErrors::default()).await?;
    render_status(StatusCode::OK, &page)
}

async fn upload(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: actix_multipart::Multipart,
    holder: Holder,
) -> Result<HttpResponse, AppError> {
    let bytes = uploaded(form, holder.field()).await?;
    match pictures::set_picture(&app.db, &user.0, client_ip(&req), holder, bytes).await {
        Ok(_) => {
            let described = describe(&app, holder).await?;
            Ok(done(
                &session,
                Level::Success,
                format!("{} is saved.", described.done),
                &described.back_href,
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(status, &picture_page(&app, ctx, holder, errors).await?)
        }
    }
}

async fn remove(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    holder: Holder,
) -> Result<HttpResponse, AppError> {
    pictures::remove_picture(&app.db, &user.0, client_ip(&req), holder).await?;
    let described = describe(&app, holder).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("{} is removed.", described.done),
        &described.back_href,
    ))
}

pub async fn poster_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    show(app, ctx, Holder::Poster(path.into_inner())).await
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
    let holder = Holder::Poster(path.into_inner());
    upload(req, ctx, user, app, session, form, holder).await
}

pub async fn poster_remove(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    remove(req, user, app, session, Holder::Poster(path.into_inner())).await
}

pub async fn portrait_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    show(app, ctx, Holder::Portrait(path.into_inner())).await
}

pub async fn portrait_upload(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let holder = Holder::Portrait(path.into_inner());
    upload(req, ctx, user, app, session, form, holder).await
}

pub async fn portrait_remove(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    remove(req, user, app, session, Holder::Portrait(path.into_inner())).await
}

pub async fn avatar_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    show(app, ctx, Holder::Avatar(user.0.id)).await
}

pub async fn avatar_upload(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let holder = Holder::Avatar(user.0.id);
    upload(req, ctx, user, app, session, form, holder).await
}

pub async fn avatar_remove(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let holder = Holder::Avatar(user.0.id);
    remove(req, user, app, session, holder).await
}

/// `POST /users/{username}/avatar/remove`: a moderator takes a member's avatar down.
pub async fn member_avatar_remove(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    let member = crate::services::accounts::user_by_username(&app.db, &username).await?;
    let holder = Holder::Avatar(member.id);
    pictures::remove_picture(&app.db, &user.0, client_ip(&req), holder).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("{}’s avatar is removed.", member.username),
        &format!("/users/{}", member.username),
    ))
}

/// The picture pages ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/movies/{id}/poster", web::get().to(poster_form))
        .route("/movies/{id}/poster", web::post().to(poster_upload))
        .route("/movies/{id}/poster/remove", web::post().to(poster_remove))
        .route("/people/{id}/portrait", web::get().to(portrait_form))
        .route("/people/{id}/portrait", web::post().to(portrait_upload))
        .route(
            "/people/{id}/portrait/remove",
            web::post().to(portrait_remove),
        )
        .route("/settings/avatar", web::get().to(avatar_form))
        .route("/settings/avatar", web::post().to(avatar_upload))
        .route("/settings/avatar/remove", web::post().to(avatar_remove))
        .route(
            "/users/{username}/avatar/remove",
            web::post().to(member_avatar_remove),
        );
}
