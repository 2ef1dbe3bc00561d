//! Junction of posts and tags; goes with either side.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_tag")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub tag_id: i32,
    /// The post's `listed_at`, copied so a tag's list is read in order from the index
    /// `(tag_id, listed_at, post_id)`; rewritten with the links after every post change.
    #[sea_orm(default_value = "2000-01-01 00:00:00")]
    pub listed_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "post_id", to = "id", on_delete = "Cascade")]
    pub post: BelongsTo<super::post::Entity>,
    #[sea_orm(belongs_to, from = "tag_id", to = "id", on_delete = "Cascade")]
    pub tag: BelongsTo<super::tag::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
