//! `GET /`: recent posts and the newest movies, from the content cache.

use super::Site;
use crate::errors::AppError;
use crate::services::home;
use crate::views::{HomePage, PageContext};

#[tracing::instrument(name = "home", skip_all)]
pub async fn index(site: Site, ctx: PageContext) -> Result<HomePage, AppError> {
    let db = site.db();
    let version = site.version().await;
    let data = site
        .cache
        .get_or_load(version, "home", async || home::home_data(db).await)
        .await?;
    Ok(HomePage { ctx, data })
}
