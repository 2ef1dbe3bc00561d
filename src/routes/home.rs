//! `GET /`: recent posts and the newest movies, from the content cache.

use super::Site;
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
pub async fn index(site: Site, ctx: PageContext) -> Result<HomePage, AppError> {
    let db = site.db();
    let version = site.version().await;
    let data = site
        .cache
        .get_or_load(version, "home", async || -> Result<HomeData, AppError> {
            Ok(HomeData {
                posts: blog::recent_posts(db, RECENT_POSTS).await?,
                movies: home::newest_movies(db, NEWEST_MOVIES).await?,
            })
        })
        .await?;
    Ok(HomePage { ctx, data })
}
