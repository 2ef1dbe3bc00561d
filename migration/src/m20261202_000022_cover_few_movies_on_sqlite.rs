//! On SQLite, the narrow-selection index of migration 21, `(theatre, coalesce(mpa, ''), year)`,
//! also holds the sort keys, `rating_avg` and `title` (the id is in every SQLite index entry),
//! so a narrow selection finds its page's ids and sorts them from the index alone, then reads
//! only those 24 movies (`services::movies::list_select`). Before, each selected movie was read
//! from the table to be sorted, synopsis and all: a few hundred rows scattered over the table's
//! pages, most of them through SQLite's small per-connection cache from the operating
//! system's. On the 100,000-post bench database (10,020 movies) a selection of 182 movies took
//! ~470 µs in SQLite, and ~80 µs after.
//!
//! Only on SQLite, as migration 21. `down` puts migration 21's index back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const FILTERS: &str = "idx_movie_theatre_mpa_year";
const FILTERS_TERMS: &str = r#""theatre", coalesce("mpa", ''), "year""#;
const COVERING: &str = "idx_movie_selection_sorts";
const COVERING_TERMS: &str = r#""theatre", coalesce("mpa", ''), "year", "rating_avg", "title""#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        create_expression_index(manager, "movie", COVERING, COVERING_TERMS).await?;
        drop_index(manager, "movie", FILTERS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        create_expression_index(manager, "movie", FILTERS, FILTERS_TERMS).await?;
        drop_index(manager, "movie", COVERING).await
    }
}
