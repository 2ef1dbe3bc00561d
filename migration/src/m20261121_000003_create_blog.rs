//! The blog: a category tree, posts, tags and their links, comments.
//!
//! Deleting a user is blocked while they have posts (RESTRICT: reassign or delete the posts
//! first); comments go with their user and their post; a category with children cannot be
//! deleted, and posts of a deleted category become uncategorised.

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
                .table("category")
                .col(pk_auto("id"))
                .col(string_len("name", 64))
                .col(string_len_uniq("slug", 80))
                .col(integer_null("parent_id"))
                .foreign_key(&mut fk(
                    "category",
                    "parent_id",
                    "category",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("category", &["parent_id"])).await?;

        create_table(
            manager,
            Table::create()
                .table("post")
                .col(pk_auto("id"))
                .col(string_len("title", 200))
                .col(string_len_uniq("slug", 220))
                .col(text("body"))
                .col(string_len("status", 16).default("draft"))
                .col(integer("author_id"))
                .col(integer_null("category_id"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone("updated_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone_null("published_at"))
                .foreign_key(&mut fk(
                    "post",
                    "author_id",
                    "user",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "post",
                    "category_id",
                    "category",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("post", &["status", "published_at"])).await?;
        create_index(manager, index("post", &["author_id", "created_at"])).await?;
        create_index(manager, index("post", &["category_id", "published_at"])).await?;

        create_table(
            manager,
            Table::create()
                .table("tag")
                .col(pk_auto("id"))
                .col(string_len_uniq("name", 50))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("post_tag")
                .col(integer("post_id"))
                .col(integer("tag_id"))
                .primary_key(Index::create().col("post_id").col("tag_id"))
                .foreign_key(&mut fk(
                    "post_tag",
                    "post_id",
                    "post",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "post_tag",
                    "tag_id",
                    "tag",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("post_tag", &["tag_id"])).await?;

        create_table(
            manager,
            Table::create()
                .table("comment")
                .col(pk_auto("id"))
                .col(integer("post_id"))
                .col(integer("author_id"))
                .col(text("body"))
                .col(boolean("is_hidden").default(false))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk(
                    "comment",
                    "post_id",
                    "post",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "comment",
                    "author_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("comment", &["post_id", "created_at"])).await?;
        create_index(manager, index("comment", &["author_id"])).await?;
        create_index(manager, index("comment", &["created_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "comment").await?;
        drop_table(manager, "post_tag").await?;
        drop_table(manager, "tag").await?;
        drop_table(manager, "post").await?;
        // SQLite empties a table row by row before dropping it, and with foreign keys on, the
        // tree's `ON DELETE RESTRICT` refuses to delete a parent before its children: cut
        // the tree first (the rows go with the table anyway).
        if manager.has_table("category").await? {
            manager
                .exec_stmt(
                    Query::update()
                        .table("category")
                        .value("parent_id", Option::<i32>::None)
                        .to_owned(),
                )
                .await?;
        }
        drop_table(manager, "category").await
    }
}
