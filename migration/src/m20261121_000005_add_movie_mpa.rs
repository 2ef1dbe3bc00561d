//! Adds the MPA rating to movies: a nullable column, so existing rows stay valid (unrated)
//! without a default that would misstate them. Plain ADD/DROP COLUMN works on all three
//! backends (SQLite 3.35+ for DROP COLUMN; the bundled SQLite is newer).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "movie", &mut string_len_null("mpa", 8)).await?;
        create_index(manager, index("movie", &["mpa"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_index(manager, "movie", "idx_movie_mpa").await?;
        drop_column(manager, "movie", "mpa").await
    }
}
