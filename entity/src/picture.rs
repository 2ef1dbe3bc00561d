//! A picture, addressed by the SHA-256 of what Marquee encoded: stored once however often it
//! is uploaded, its sizes in `picture_file`. Rows refer to it by hash (`movie.poster`); one
//! that nothing refers to is removed in the transaction that lets go of it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "picture")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub files: HasMany<super::picture_file::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
