//! The category tree and the tags through the API.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, json};
use crate::services::blog::{self};
use crate::state::App;

/// A category in the tree, depth first and alphabetical.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CategoryNode {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<i32>,
    /// 0 for a top-level category.
    pub depth: u32,
    /// Published posts in this category and every one below it.
    pub posts: u64,
}

/// The category tree.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CategoryTree {
    pub items: Vec<CategoryNode>,
}

/// The whole category tree, depth first.
#[utoipa::path(
    get,
    path = "/api/v1/categories",
    tag = "posts",
    responses((status = 200, description = "Every category", body = CategoryTree)),
    security((), ("bearer" = []))
)]
pub async fn list_categories(app: App) -> Result<HttpResponse, ApiError> {
    let all = blog::categories(&app.db).await?;
    let items = blog::flatten(&all)
        .into_iter()
        .map(|node| CategoryNode {
            id: node.category.id,
            slug: node.category.slug,
            name: node.category.name,
            parent_id: node.category.parent_id,
            depth: u32::try_from(node.depth).unwrap_or(u32::MAX),
            posts: node.total_posts,
        })
        .collect();
    Ok(json(StatusCode::OK, &CategoryTree { items }))
}

/// A tag with the number of published posts that carry it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Tag {
    pub name: String,
    pub posts: i64,
}

/// Tags in use.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TagList {
    pub items: Vec<Tag>,
}

/// Every tag a published post carries, by name.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "posts",
    responses((status = 200, description = "Tags with their post counts", body = TagList)),
    security((), ("bearer" = []))
)]
pub async fn list_tags(app: App) -> Result<HttpResponse, ApiError> {
    let items = blog::tag_counts(&app.db)
        .await?
        .into_iter()
        .map(|t| Tag {
            name: t.name,
            posts: i64::from(t.posts),
        })
        .collect();
    Ok(json(StatusCode::OK, &TagList { items }))
}
