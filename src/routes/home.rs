//! `GET /`: recent posts and the newest movies.

use actix_web::web;
use sea_orm::DatabaseConnection;

use crate::errors::AppError;
use crate::services::{blog, home};
use crate::views::{HomePage, PageContext};

const RECENT_POSTS: u64 = 8;
const NEWEST_MOVIES: u64 = 8;

#[tracing::instrument(name = "home", skip_all)]
pub async fn index(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
) -> Result<HomePage, AppError> {
    let db = db.get_ref();
    let posts = blog::recent_posts(db, RECENT_POSTS).await?;
    let movies = home::newest_movies(db, NEWEST_MOVIES).await?;
    Ok(HomePage { ctx, posts, movies })
}
