//! `movie_decade_facet`: how many movies there are for each (MPA rating, in theatres, decade)
//! combination, beside `movie_facet`'s per-year counts and kept in the same transactions. The
//! movie list's facets read these rows (a hundred or so) directly, and the per-year rows only
//! for the decades a year filter touches, instead of grouping every per-year row on every
//! request. Backfilled from `movie_facet`; `down` drops it.

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
                .table("movie_decade_facet")
                .col(string_len("mpa", 16))
                .col(boolean("theatre"))
                .col(integer("decade"))
                .col(integer("movies").default(0))
                .primary_key(Index::create().col("mpa").col("theatre").col("decade"))
                .to_owned(),
        )
        .await?;
        // One INSERT ... SELECT: every count is there or none is.
        if !is_empty(manager, "movie_decade_facet").await? {
            return Ok(());
        }
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("movie_decade_facet")
                    .columns(["mpa", "theatre", "decade", "movies"])
                    .select_from(
                        Query::select()
                            .column("mpa")
                            .column("theatre")
                            .column("decade")
                            .expr(Expr::col("movies").sum())
                            .from("movie_facet")
                            .group_by_col("mpa")
                            .group_by_col("theatre")
                            .group_by_col("decade")
                            .to_owned(),
                    )
                    .map_err(crate::common::values_err)?
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "movie_decade_facet").await
    }
}
