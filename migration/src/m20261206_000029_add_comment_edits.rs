//! Comments their authors edit and delete: `comment.edited_at`, when the text last changed
//! (the earlier text is kept in the audit log), and `comment.deleted_at`: a deleted comment
//! keeps its place in the conversation as a placeholder, its text cleared.
//!
//! `down` drops both columns; it hides the deleted comments first, so that the older release,
//! which knows no placeholder, does not show them as empty comments.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::{add_column, drop_column};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "comment",
            &mut timestamp_with_time_zone_null("edited_at"),
        )
        .await?;
        add_column(
            manager,
            "comment",
            &mut timestamp_with_time_zone_null("deleted_at"),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.has_column("comment", "deleted_at").await? {
            manager
                .exec_stmt(
                    Query::update()
                        .table("comment")
                        .value("is_hidden", true)
                        .and_where(Expr::col("deleted_at").is_not_null())
                        .to_owned(),
                )
                .await?;
        }
        drop_column(manager, "comment", "deleted_at").await?;
        drop_column(manager, "comment", "edited_at").await
    }
}
