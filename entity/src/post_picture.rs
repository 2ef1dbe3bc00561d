//! A picture attached to a post, which the post's Markdown shows by its address
//! (`/media/HASH/full`). Goes with its post; keeps its picture stored while it exists.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_picture")]
pub struct Model {
    /// In the order attached.
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "post_picture_post_hash")]
    pub post_id: i32,
    #[sea_orm(unique_key = "post_picture_post_hash")]
    pub hash: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "post_id", to = "id", on_delete = "Cascade")]
    pub post: BelongsTo<super::post::Entity>,
    #[sea_orm(belongs_to, from = "hash", to = "hash", on_delete = "Restrict")]
    pub picture: BelongsTo<super::picture::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
