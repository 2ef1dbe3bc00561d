//! Movies, people and the ordered movie-director link.
//!
//! The tutorial this grew from kept directors in a PostgreSQL-only ARRAY column; an ordered
//! junction (`position` 0, 1, ...) is the portable equivalent. The MPA rating arrives in the
//! next step, as a schema change on a table that may already hold rows.

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
                .table("movie")
                .col(pk_auto("id"))
                .col(string_len("title", 200))
                .col(integer("year"))
                .col(boolean("theatre").default(true))
                .col(text("synopsis"))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("movie", &["year"])).await?;
        create_index(manager, index("movie", &["title"])).await?;

        create_table(
            manager,
            Table::create()
                .table("person")
                .col(pk_auto("id"))
                .col(string_len_uniq("name", 200))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("movie_director")
                .col(integer("movie_id"))
                .col(integer("person_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("movie_id").col("person_id"))
                .foreign_key(&mut fk(
                    "movie_director",
                    "movie_id",
                    "movie",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "movie_director",
                    "person_id",
                    "person",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            index("movie_director", &["movie_id", "position"])
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("movie_director", &["person_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "movie_director").await?;
        drop_table(manager, "person").await?;
        drop_table(manager, "movie").await
    }
}
