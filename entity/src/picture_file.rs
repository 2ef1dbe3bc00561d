//! One size of a picture (`thumb`, `card`, `full`): the bytes Marquee encoded, their type and
//! dimensions. Read one at a time, by hash and size; lists never load them.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "picture_file")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub size: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    #[sea_orm(column_type = "Blob")]
    pub bytes: Vec<u8>,
    #[sea_orm(belongs_to, from = "hash", to = "hash", on_delete = "Cascade")]
    pub picture: BelongsTo<super::picture::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
