//! Pictures attached to a post, which its Markdown shows (`![…](/media/HASH/full)`):
//! `post_picture` links a post to each picture uploaded for it. The link keeps the picture
//! stored while the post has it (a picture no post, movie, person or member refers to is
//! removed); it goes with its post, and a picture cannot be removed while a post has it.
//!
//! Going down drops the links but keeps the pictures: posts written meanwhile still show them
//! on the older release.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("post_picture")
                // In the order attached (timestamps on MySQL have whole seconds only).
                .col(pk_auto("id"))
                .col(integer("post_id"))
                .col(string_len("hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "post_picture",
                    "post_id",
                    "post",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_post_picture_hash")
                        .from("post_picture", "hash")
                        .to("picture", "hash")
                        .on_delete(ForeignKeyAction::Restrict)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_post_picture_post_id_hash")
                .table("post_picture")
                .col("post_id")
                .col("hash")
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("post_picture", &["hash"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "post_picture").await
    }
}
