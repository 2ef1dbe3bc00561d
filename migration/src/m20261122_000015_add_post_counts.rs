//! Maintained post counts, so the category tree, the tag list and the sitemap no longer count
//! every published post on every request:
//!
//! - `category.post_count`: published posts filed directly in the category (the tree adds up
//!   its subtrees);
//! - `tag.post_count`: published posts carrying the tag.
//!
//! Both are kept in the transaction of every post change (`services::blog`), and backfilled
//! here from the posts by one `UPDATE` each. `down` drops the columns.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(SELECT COUNT(*) FROM post [JOIN] WHERE <link> AND post.status = 'published')`.
fn published_posts(query: &mut SelectStatement) -> Expr {
    Expr::SubQuery(
        None,
        Box::new(
            query
                .expr(Expr::col(("post", "id")).count())
                .from("post")
                .and_where(Expr::col(("post", "status")).eq("published"))
                .to_owned()
                .into_sub_query_statement(),
        ),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["category", "tag"] {
            add_column(manager, table, integer("post_count").default(0)).await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table("category")
                    .value(
                        "post_count",
                        published_posts(Query::select().and_where(
                            Expr::col(("post", "category_id")).equals(("category", "id")),
                        )),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("tag")
                    .value(
                        "post_count",
                        published_posts(
                            Query::select()
                                .inner_join(
                                    "post_tag",
                                    Expr::col(("post_tag", "post_id")).equals(("post", "id")),
                                )
                                .and_where(Expr::col(("post_tag", "tag_id")).equals(("tag", "id"))),
                        ),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["tag", "category"] {
            drop_column(manager, table, "post_count").await?;
        }
        Ok(())
    }
}
