//! Makes the movie catalogue fast at any size:
//!
//! - `movie_facet`: how many movies there are for each (MPA rating, in theatres, year)
//!   combination, maintained in the transaction of every movie change. The catalogue's filter
//!   counts are sums over these few hundred rows instead of a pass over every movie. `mpa` is
//!   the rating's code, or `''` for unrated movies (a key column cannot be NULL); `decade` is
//!   stored (and leads the key before `year`) so the counts group by it in key order with the
//!   same SQL on every backend. Every existing movie is counted in by one
//!   `INSERT … SELECT … GROUP BY`.
//! - One index per sort of the list (title, year, rating), each followed by the filtered
//!   columns, so a filtered, sorted page reads the index in order and checks the filters
//!   there; they replace the single-column indexes on `title`, `year`, `rating_avg` and `mpa`.
//!   The counts have a covering index in the order they are grouped by.
//!
//! `down` drops the table and puts the old indexes back.

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
                .table("movie_facet")
                .col(string_len("mpa", 16))
                .col(integer("year"))
                .col(boolean("theatre"))
                .col(integer("decade"))
                .col(integer("movies").default(0))
                .primary_key(
                    Index::create()
                        .col("mpa")
                        .col("theatre")
                        .col("decade")
                        .col("year"),
                )
                .to_owned(),
        )
        .await?;
        let mpa = Func::coalesce([Expr::col("mpa"), Expr::val("")]);
        let decade = Expr::col("year").sub(Expr::col("year").modulo(10));
        // One INSERT ... SELECT: every count is there or none is.
        let counted = !is_empty(manager, "movie_facet").await?;
        if !counted {
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table("movie_facet")
                        .columns(["mpa", "year", "theatre", "decade", "movies"])
                        .select_from(
                            Query::select()
                                .expr(mpa)
                                .column("year")
                                .column("theatre")
                                .expr(decade)
                                .expr(Expr::col("id").count())
                                .from("movie")
                                // Grouped by the bare columns: the selected expressions are
                                // functions of them (PostgreSQL cannot match bound values).
                                .add_group_by([
                                    Expr::col("mpa"),
                                    Expr::col("year"),
                                    Expr::col("theatre"),
                                ])
                                .to_owned(),
                        )
                        .map_err(crate::common::values_err)?
                        .to_owned(),
                )
                .await?;
        }
        create_index(
            manager,
            index(
                "movie_facet",
                &["mpa", "theatre", "decade", "year", "movies"],
            ),
        )
        .await?;
        for (sort, columns) in BROWSE {
            let mut create = Index::create();
            create
                .name(format!("idx_movie_browse_{sort}"))
                .table("movie");
            for (i, column) in columns.iter().enumerate() {
                // The sort key in its default direction (newest and best first), the
                // tie-breakers ascending: the default order reads the index straight through.
                let order = if i == 0 && sort != "title" {
                    IndexOrder::Desc
                } else {
                    IndexOrder::Asc
                };
                create.col((*column, order));
            }
            create_index(manager, create).await?;
        }
        for old in REPLACED {
            drop_index(manager, "movie", &format!("idx_movie_{old}")).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for old in REPLACED {
            create_index(manager, index("movie", &[old])).await?;
        }
        for (sort, _) in BROWSE {
            drop_index(manager, "movie", &format!("idx_movie_browse_{sort}")).await?;
        }
        drop_table(manager, "movie_facet").await
    }
}

/// One index per sort of the list: the sort key, the tie-breakers, then the filtered columns.
const BROWSE: [(&str, &[&str]); 3] = [
    ("title", &["title", "id", "mpa", "year", "theatre"]),
    ("year", &["year", "title", "id", "mpa", "theatre"]),
    (
        "rating",
        &["rating_avg", "title", "id", "mpa", "year", "theatre"],
    ),
];

/// The single-column indexes they replace. The one on `mpa` goes too: it tempted the planner
/// into reading every movie of a rating and sorting them, where reading a sort's index in
/// order and stopping after a page is many times cheaper.
const REPLACED: [&str; 4] = ["title", "year", "rating_avg", "mpa"];
