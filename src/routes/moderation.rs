//! The moderation queue: recent comments, hidden or not, with hide and unhide (audited).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::{actor, render_status, see_other};
use crate::auth::RequireUser;
use crate::errors::AppError;
use crate::flash::{self, Level};
use crate::services::{Page, blog};
use crate::views::{ModerationPage, PageContext, Pager};

const PER_PAGE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: Option<u64>,
}

pub async fn queue(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ModerateComments)?;
    let page =
        blog::moderation_queue(db.get_ref(), Page::<()>::index(query.page), PER_PAGE).await?;
    let pager = Pager::new(&page, &[]);
    render_status(StatusCode::OK, &ModerationPage { ctx, page, pager })
}

async fn set_hidden(
    req: HttpRequest,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    id: i32,
    hidden: bool,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ModerateComments)?;
    blog::set_comment_hidden(db.get_ref(), &actor(&req, &user.0), id, hidden).await?;
    let message = if hidden {
        "Comment hidden."
    } else {
        "Comment visible again."
    };
    flash::push(&session, Level::Success, message);
    Ok(see_other(&format!("/moderation#comment-{id}")))
}

pub async fn hide(
    req: HttpRequest,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_hidden(req, user, db, session, path.into_inner(), true).await
}

pub async fn unhide(
    req: HttpRequest,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    set_hidden(req, user, db, session, path.into_inner(), false).await
}
