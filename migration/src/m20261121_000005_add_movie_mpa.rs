//! Adds the MPA rating to movies: a nullable column, so existing rows stay valid (unrated)
//! without a default that would misstate them. Plain ADD/DROP COLUMN works on all three
//! backends (SQLite 3.35+ for DROP COLUMN; the bundled SQLite is newer).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("movie")
                    .add_column(string_len_null("mpa", 8))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("movie", &["mpa"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_movie_mpa")
                    .table("movie")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("movie").drop_column("mpa").to_owned())
            .await
    }
}
