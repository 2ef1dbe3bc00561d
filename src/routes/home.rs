//! `GET /`: recent posts and the newest movies, from the content cache.

use actix_web::{HttpRequest, web};
use sea_orm::DatabaseConnection;

use crate::cache::SiteCache;
use crate::errors::AppError;
use crate::services::{blog, home};
use crate::views::{HomePage, PageContext};

const RECENT_POSTS: u64 = 8;
const NEWEST_MOVIES: u64 = 8;

/// What every visitor sees on the home page.
pub struct HomeData {
    pub posts: Vec<blog::PostCard>,
    pub movies: Vec<home::MovieSummary>,
}

#[tracing::instrument(name = "home", skip_all)]
pub async fn index(
    req: HttpRequest,
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
    cache: web::Data<SiteCache>,
) -> Result<HomePage, AppError> {
    let db = db.get_ref();
    let version = super::content_version(&req, &cache, db).await;
    let data = cache
        .get_or_load(version, "home", async || -> Result<HomeData, AppError> {
            Ok(HomeData {
                posts: blog::recent_posts(db, RECENT_POSTS).await?,
                movies: home::newest_movies(db, NEWEST_MOVIES).await?,
            })
        })
        .await?;
    Ok(HomePage { ctx, data })
}
