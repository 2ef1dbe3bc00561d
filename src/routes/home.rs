//! `GET /`: recent posts and the newest movies.

use actix_web::web;
use sea_orm::DatabaseConnection;

use crate::cache::TtlCache;
use crate::errors::AppError;
use crate::services::{blog, home};
use crate::views::{HomePage, PageContext};

const RECENT_POSTS: u64 = 8;
const NEWEST_MOVIES: u64 = 8;

/// What every visitor sees on the home page, cached for `MARQUEE_HOME_CACHE_MS`.
pub struct HomeData {
    pub posts: Vec<blog::PostCard>,
    pub movies: Vec<home::MovieSummary>,
}

pub type HomeCache = TtlCache<HomeData>;

#[tracing::instrument(name = "home", skip_all)]
pub async fn index(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
    cache: web::Data<HomeCache>,
) -> Result<HomePage, AppError> {
    let data = cache
        .get_or_load(async || -> Result<HomeData, AppError> {
            let db = db.get_ref();
            Ok(HomeData {
                posts: blog::recent_posts(db, RECENT_POSTS).await?,
                movies: home::newest_movies(db, NEWEST_MOVIES).await?,
            })
        })
        .await?;
    Ok(HomePage { ctx, data })
}
