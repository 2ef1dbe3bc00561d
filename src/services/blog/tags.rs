//! Tags: the names of a post's tags (stored with the post, or in bulk from the links), and finding or creating them when a post is saved.

use std::collections::HashMap;

use entity::{post, post_tag, tag};
use sea_orm::sea_query::OnConflict;

use crate::services::ServiceError;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Tag names from a comma-joined `post.tag_names`, sorted.
pub(super) fn split_tags(joined: &str) -> Vec<String> {
    let mut tags: Vec<String> = joined
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.sort();
    tags
}

/// The stored form of a post's tag names (`post.tag_names`): sorted, joined by commas.
pub fn join_tags(names: &[String]) -> String {
    let mut sorted = names.to_vec();
    sorted.sort();
    sorted.join(",")
}

/// Tag names per post, in one query.
pub async fn tags_of(
    db: &impl ConnectionTrait,
    post_ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut by_post: HashMap<i32, Vec<String>> = HashMap::new();
    if post_ids.is_empty() {
        return Ok(by_post);
    }
    let links = post_tag::Entity::find()
        .filter(post_tag::Column::PostId.is_in(post_ids))
        .find_also_related(tag::Entity)
        .all(db)
        .await?;
    for (link, tag) in links {
        if let Some(tag) = tag {
            by_post.entry(link.post_id).or_default().push(tag.name);
        }
    }
    for names in by_post.values_mut() {
        names.sort();
    }
    Ok(by_post)
}

/// Looks up (or creates) the tags and returns their ids.
pub(super) async fn tag_ids(
    db: &impl ConnectionTrait,
    names: &[String],
) -> Result<Vec<i32>, DbErr> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    // Insert what is missing; a name created meanwhile by someone else is simply kept.
    tag::Entity::insert_many(names.iter().map(|name| tag::ActiveModel {
        name: Set(name.clone()),
        ..Default::default()
    }))
    // "Update" the name to itself: the one upsert form all three backends accept.
    .on_conflict(
        OnConflict::column(tag::Column::Name)
            .update_column(tag::Column::Name)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(tag::Entity::find()
        .filter(tag::Column::Name.is_in(names.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect())
}

/// Replaces the post's tags, as written: the links carry its `listed_at`, so this runs after
/// every change that can move it. Returns every tag whose posts changed (the old and the new
/// ones), for [`super::refresh_post_counts`].
pub(super) async fn set_tags(
    db: &impl ConnectionTrait,
    post: &post::Model,
    names: &[String],
) -> Result<Vec<i32>, DbErr> {
    let post_id = post.id;
    let mut touched: Vec<i32> = post_tag::Entity::find()
        .select_only()
        .column(post_tag::Column::TagId)
        .filter(post_tag::Column::PostId.eq(post_id))
        .into_tuple()
        .all(db)
        .await?;
    post_tag::Entity::delete_many()
        .filter(post_tag::Column::PostId.eq(post_id))
        .exec(db)
        .await?;
    let ids = tag_ids(db, names).await?;
    if !ids.is_empty() {
        post_tag::Entity::insert_many(ids.iter().map(|&tag_id| post_tag::ActiveModel {
            post_id: Set(post_id),
            tag_id: Set(tag_id),
            listed_at: Set(post.listed_at),
        }))
        .exec_without_returning(db)
        .await?;
    }
    touched.extend(ids);
    touched.sort_unstable();
    touched.dedup();
    Ok(touched)
}

/// The tag with this name (names are stored lowercase).
pub async fn tag_by_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<tag::Model, ServiceError> {
    tag::Entity::find_by_name(name.to_lowercase())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A tag with the number of published posts that carry it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct TagCount {
    pub name: String,
    pub posts: i32,
}

/// Tags on a `/tags` page.
pub const TAGS_PER_PAGE: u64 = 100;

/// The tags that published posts carry, most used first (then by name), with their counts, a
/// page at a time (two statements, on the maintained `tag.post_count`).
pub async fn tag_page(
    db: &impl ConnectionTrait,
    number: u64,
) -> Result<crate::services::Page<TagCount>, DbErr> {
    let paginator = tag::Entity::find()
        .select_only()
        .column(tag::Column::Name)
        .column_as(tag::Column::PostCount, "posts")
        .filter(tag::Column::PostCount.gt(0))
        .order_by_desc(tag::Column::PostCount)
        .order_by_asc(tag::Column::Name)
        .into_model::<TagCount>()
        .paginate(db, TAGS_PER_PAGE);
    crate::services::queries::fetch_page(paginator, number).await
}

/// Every tag that a published post carries, by name, with its count (one statement, on the
/// maintained `tag.post_count`).
pub async fn tag_counts(db: &impl ConnectionTrait) -> Result<Vec<TagCount>, DbErr> {
    tag::Entity::find()
        .select_only()
        .column(tag::Column::Name)
        .column_as(tag::Column::PostCount, "posts")
        .filter(tag::Column::PostCount.gt(0))
        .order_by_asc(tag::Column::Name)
        .into_model::<TagCount>()
        .all(db)
        .await
}
