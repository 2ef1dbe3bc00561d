//! A post's pictures: `/posts/{slug}/pictures` lists them with the line the text shows each by
//! and attaches one (`multipart/form-data`); `…/pictures/{hash}/remove` removes one the text
//! no longer shows. Whoever may edit the post.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::RequireUser;
use crate::domain::FieldErrors;
use crate::flash::Level;
use crate::routes::error::AppError;
use crate::routes::pictures::uploaded;
use crate::routes::{client_ip, done, problems, render_status};
use crate::services::blog;
use crate::state::App;
use crate::views::{PageContext, PostPicturesPage};

async fn page(
    app: &App,
    ctx: PageContext,
    user: &RequireUser,
    slug: &str,
    status: StatusCode,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (post, pictures) = blog::pictures_of(&app.db, &user.0, slug).await?;
    render_status(
        status,
        &PostPicturesPage {
            ctx,
            post,
            pictures,
            limit: blog::PICTURES_PER_POST,
            errors,
        },
    )
}

pub async fn show(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    page(
        &app,
        ctx,
        &user,
        &slug,
        StatusCode::OK,
        FieldErrors::default(),
    )
    .await
}

pub async fn attach(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
    form: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let bytes = uploaded(form, blog::pictures::FIELD).await?;
    match blog::attach_picture(&app.db, &user.0, client_ip(&req), &slug, bytes).await {
        Ok(_) => Ok(done(
            &session,
            Level::Success,
            "The picture is attached: put its line into the text where it should show.",
            &format!("/posts/{slug}/pictures"),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            page(&app, ctx, &user, &slug, status, errors).await
        }
    }
}

pub async fn remove(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, hash) = path.into_inner();
    match blog::detach_picture(&app.db, &user.0, client_ip(&req), &slug, &hash).await {
        Ok(()) => Ok(done(
            &session,
            Level::Success,
            "The picture is removed.",
            &format!("/posts/{slug}/pictures"),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            page(&app, ctx, &user, &slug, status, errors).await
        }
    }
}

/// This part's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/posts/{slug}/pictures", web::get().to(show))
        .route("/posts/{slug}/pictures", web::post().to(attach))
        .route(
            "/posts/{slug}/pictures/{hash}/remove",
            web::post().to(remove),
        );
}
