//! `GET /`: recent posts and the newest movies, from the content cache.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;

use super::{Cached, render_status};
use crate::cache::DataKey;
use crate::cache::shared_with_visitors;
use crate::routes::error::AppError;
use crate::services::{home, movies};
use crate::views::{HomePage, PageContext};

#[tracing::instrument(name = "home", skip_all)]
pub async fn index(cached: Cached, ctx: PageContext) -> Result<HttpResponse, AppError> {
    let db = cached.db();
    let version = cached.version().await;
    let data = cached
        .app
        .cache
        .get_or_load(version, DataKey::Home, async || home::home_data(db).await)
        .await?;
    let for_you = movies::for_you(db, ctx.user.as_ref()).await?;
    let page = HomePage { ctx, data, for_you };
    Ok(shared_with_visitors(
        render_status(StatusCode::OK, &page)?,
        &page.ctx,
        version,
    ))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index));
}
