//! The moderation queue: recent comments, hidden or not, with hide and unhide (audited).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;

use crate::auth::RequireUser;
use crate::flash::Level;
use crate::routes::PageQuery;
use crate::routes::error::AppError;
use crate::routes::{client_ip, done, render_status};
use crate::services::blog;
use crate::state::App;
use crate::views::{ModerationPage, PageContext, Pager};

const PER_PAGE: u64 = 50;

pub async fn queue(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ModerateComments)?;
    let page = blog::moderation_queue(&app.db, query.number(), PER_PAGE).await?;
    let pager = Pager::new(&page, &[]);
    render_status(StatusCode::OK, &ModerationPage { ctx, page, pager })
}

async fn set_hidden(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    id: i32,
    hidden: bool,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ModerateComments)?;
    blog::set_comment_hidden(&app.db, &user.0, client_ip(&req), id, hidden).await?;
    let message = if hidden {
        "Comment hidden."
    } else {
        "Comment visible again."
    };
    Ok(done(
        &session,
        Level::Success,
        message,
        &format!("/moderation#comment-{id}"),
    ))
}

pub async fn hide(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_hidden(req, user, app, session, path.into_inner(), true).await
}

pub async fn unhide(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_hidden(req, user, app, session, path.into_inner(), false).await
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/moderation", web::get().to(queue))
        .route("/moderation/comments/{id}/hide", web::post().to(hide))
        .route("/moderation/comments/{id}/unhide", web::post().to(unhide));
}
