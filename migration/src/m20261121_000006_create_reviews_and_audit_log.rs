//! Movie reviews (one per user and movie, rating 1 to 10 checked by the database too) and the
//! audit log of administrative changes. Audit rows outlive their actor (SET NULL).

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
                .table("review")
                .col(pk_auto("id"))
                .col(integer("movie_id"))
                .col(integer("user_id"))
                .col(integer("rating").check(Expr::col("rating").between(1, 10)))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk(
                    "review",
                    "movie_id",
                    "movie",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "review",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_review_movie_id_user_id")
                .table("review")
                .col("movie_id")
                .col("user_id")
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("review", &["movie_id", "created_at"])).await?;
        create_index(manager, index("review", &["user_id"])).await?;

        create_table(
            manager,
            Table::create()
                .table("audit_log")
                .col(pk_auto("id"))
                .col(integer_null("actor_id"))
                .col(string_len("action", 64))
                .col(string_len("subject_type", 32))
                .col(string_len_null("subject_id", 64))
                .col(text_null("before"))
                .col(text_null("after"))
                .col(string_len_null("ip", 45))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .foreign_key(&mut fk(
                    "audit_log",
                    "actor_id",
                    "user",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("audit_log", &["created_at"])).await?;
        create_index(manager, index("audit_log", &["actor_id"])).await?;
        create_index(manager, index("audit_log", &["subject_type", "subject_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "audit_log").await?;
        drop_table(manager, "review").await
    }
}
