//! What a post list used to compute for each of its rows, stored instead, so a list page reads
//! its rows and nothing else:
//!
//! - `post.comment_count`: the post's visible (not hidden) comments, kept in the transaction
//!   of every comment added, hidden or shown again (`services::blog::refresh_comment_count`);
//! - `post.tag_names`: the post's tag names joined by commas (names never hold one), written
//!   with the post and its links;
//! - `post_tag.listed_at`: a copy of the post's `listed_at`, indexed with the tag as
//!   `(tag_id, listed_at, post_id)`, so a tag's list is read in order from that index, one row
//!   per post shown, at any depth. Before, a tag page walked the posts' status index and
//!   tested each post for the tag: thousands of rows for a page of a tag on one post in a
//!   hundred. It is written with the links (`services::blog::set_tags`), which every post
//!   change that can move `listed_at` rewrites. The new index takes over from
//!   `idx_post_tag_tag_id` (its leading column serves the foreign key on MySQL);
//! - the published posts' index `(status, listed_at, id)` gains `category_id`, so a category's
//!   list with its subcategories (`category_id IN (…)`) tests each entry in the index rather
//!   than reading every post row it passes over.
//!
//! Each is backfilled by one `UPDATE`. `down` drops them and puts the old indexes back.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_TAG_INDEX: &str = "idx_post_tag_tag_id";
const NEW_TAG_INDEX: &str = "idx_post_tag_tag_id_listed_at_post_id";
const OLD_STATUS_INDEX: &str = "idx_post_status_listed_at_id";
const NEW_STATUS_INDEX: &str = "idx_post_status_listed_at_id_category_id";
/// Ten tags of at most 50 characters and nine commas (`domain::Tags`), with room to spare.
const TAG_NAMES_LEN: u32 = 600;

fn subquery(select: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(select.into_sub_query_statement()))
}

/// The post's tag names joined by commas, in the back-end's dialect; `''` without tags.
fn joined_tag_names(backend: DatabaseBackend) -> Expr {
    let sql = match backend {
        DatabaseBackend::Postgres => {
            r#"COALESCE((SELECT string_agg("tag"."name", ',' ORDER BY "tag"."name") FROM "post_tag" JOIN "tag" ON "tag"."id" = "post_tag"."tag_id" WHERE "post_tag"."post_id" = "post"."id"), '')"#
        }
        DatabaseBackend::MySql => {
            "COALESCE((SELECT GROUP_CONCAT(`tag`.`name` ORDER BY `tag`.`name` SEPARATOR ',') FROM `post_tag` JOIN `tag` ON `tag`.`id` = `post_tag`.`tag_id` WHERE `post_tag`.`post_id` = `post`.`id`), '')"
        }
        _ => {
            r#"COALESCE((SELECT group_concat("tag"."name", ',' ORDER BY "tag"."name") FROM "post_tag" JOIN "tag" ON "tag"."id" = "post_tag"."tag_id" WHERE "post_tag"."post_id" = "post"."id"), '')"#
        }
    };
    Expr::cust(sql)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        add_column(manager, "post", integer("comment_count").default(0)).await?;
        add_column(
            manager,
            "post",
            string_len("tag_names", TAG_NAMES_LEN).default(""),
        )
        .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("post")
                    .value(
                        "comment_count",
                        subquery(
                            Query::select()
                                .expr(Expr::col(("comment", "id")).count())
                                .from("comment")
                                .and_where(Expr::col(("comment", "post_id")).equals(("post", "id")))
                                .and_where(Expr::col(("comment", "is_hidden")).eq(false))
                                .to_owned(),
                        ),
                    )
                    .value("tag_names", joined_tag_names(backend))
                    .to_owned(),
            )
            .await?;

        add_column(
            manager,
            "post_tag",
            timestamp_with_time_zone("listed_at").default("2000-01-01 00:00:00"),
        )
        .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("post_tag")
                    .value(
                        "listed_at",
                        subquery(
                            Query::select()
                                .column(("post", "listed_at"))
                                .from("post")
                                .and_where(
                                    Expr::col(("post", "id")).equals(("post_tag", "post_id")),
                                )
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(
            manager,
            index("post_tag", &["tag_id", "listed_at", "post_id"]),
        )
        .await?;
        drop_index(manager, "post_tag", OLD_TAG_INDEX).await?;
        create_index(
            manager,
            index("post", &["status", "listed_at", "id", "category_id"]),
        )
        .await?;
        drop_index(manager, "post", OLD_STATUS_INDEX).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_index(manager, index("post", &["status", "listed_at", "id"])).await?;
        drop_index(manager, "post", NEW_STATUS_INDEX).await?;
        create_index(manager, index("post_tag", &["tag_id"])).await?;
        drop_index(manager, "post_tag", NEW_TAG_INDEX).await?;
        drop_column(manager, "post_tag", "listed_at").await?;
        drop_column(manager, "post", "tag_names").await?;
        drop_column(manager, "post", "comment_count").await
    }
}
