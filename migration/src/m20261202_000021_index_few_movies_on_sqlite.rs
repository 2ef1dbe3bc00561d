//! On SQLite, an index on the movies' `(theatre, coalesce(mpa, ''), year)`: the list's three
//! filters, searchable together (both theatre flags and every rating an `IN` list, the years a
//! range). When a selection leaves few movies (`services::movies::FEW_MOVIES`, known exactly
//! from the facet counts before the page is read), the page reads just those movies through
//! this index and sorts them, where reading a sort's index in order would pass over most of
//! the catalogue to find a page of them (`mpa=R&theatre=yes` in one decade: every entry of the
//! rating index, ~3 ms at 10,000 movies, against ~0.1 ms). `coalesce` puts the unrated movies
//! in the `IN` list with the rated ones.
//!
//! Only on SQLite: PostgreSQL and MySQL/MariaDB plan the filtered list from their own
//! statistics and keep the indexes of migration 11. `down` drops it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "idx_movie_theatre_mpa_year";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        create_expression_index(
            manager,
            "movie",
            NAME,
            r#""theatre", coalesce("mpa", ''), "year""#,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        drop_index(manager, "movie", NAME).await
    }
}
