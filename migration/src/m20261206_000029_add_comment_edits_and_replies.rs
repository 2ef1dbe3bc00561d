//! Comments their authors edit, delete and reply to:
//!
//! - `comment.edited_at`, when the text last changed (the earlier text is kept in the audit
//!   log), and `comment.deleted_at`: a deleted comment keeps its place in the conversation as a
//!   placeholder, its text cleared;
//! - `comment.parent_id`, the comment a reply answers, and `comment.thread_id`, the top-level
//!   comment its conversation hangs from (both `NULL` on a top-level comment). Both let go
//!   (`SET NULL`) when the comment they name goes with its account or post: a reply whose
//!   conversation is gone stands on its own. Indexed, so that removing a comment finds its
//!   replies without reading every comment.
//!
//! `down` drops all four columns; it hides the deleted comments first, so that the older
//! release, which knows no placeholder, does not show them as empty comments (replies become
//! plain comments).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::common::{add_column, create_index, drop_column, drop_index, has_foreign_key, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The columns naming another comment.
const LINKS: [&str; 2] = ["parent_id", "thread_id"];

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
        .await?;
        for column in LINKS {
            // The column comes with its key in one statement on every backend.
            let present = manager.has_column("comment", column).await?;
            if present {
                // Done by an earlier run of this step.
            } else if manager.get_database_backend() == DbBackend::Sqlite {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        r#"ALTER TABLE "comment" ADD COLUMN "{column}" integer NULL REFERENCES "comment" ("id") ON DELETE SET NULL ON UPDATE CASCADE"#
                    ))
                    .await?;
            } else {
                manager
                    .alter_table(
                        Table::alter()
                            .table("comment")
                            .add_column(integer_null(column))
                            .add_foreign_key(
                                TableForeignKey::new()
                                    .name(format!("fk_comment_{column}"))
                                    .from_tbl("comment")
                                    .from_col(column)
                                    .to_tbl("comment")
                                    .to_col("id")
                                    .on_delete(ForeignKeyAction::SetNull)
                                    .on_update(ForeignKeyAction::Cascade),
                            )
                            .to_owned(),
                    )
                    .await?;
            }
            create_index(manager, index("comment", &[column])).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in LINKS.iter().rev() {
            // MySQL keeps the index while the foreign key needs it: key first.
            let key = format!("fk_comment_{column}");
            if has_foreign_key(manager, &key).await? {
                manager
                    .drop_foreign_key(ForeignKey::drop().name(key).table("comment").to_owned())
                    .await?;
            }
            drop_index(manager, "comment", &format!("idx_comment_{column}")).await?;
            drop_column(manager, "comment", column).await?;
        }
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
