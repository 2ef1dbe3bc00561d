//! `movie.director_list`: the movie's directors as a list card shows them, JSON
//! `[[person id, "name"], …]` in credited order, so a page of the catalogue reads its twenty
//! movie rows and nothing else. Before, each row was joined to `movie_director` and `person`:
//! two or three B-tree searches a director, most of a page's reads. Written with the links
//! (`services::movies`, in the movie's transaction; people are never renamed); a `NULL` list
//! (a row written by other means) makes the page look the directors up as before.
//! Backfilled here from the links; `down` drops the column.

use std::collections::BTreeMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct Credit {
    movie_id: i32,
    person_id: i32,
    name: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "movie",
            ColumnDef::new("director_list").text().null(),
        )
        .await?;
        let db = manager.get_connection();
        let select = Query::select()
            .column(("movie_director", "movie_id"))
            .column(("movie_director", "person_id"))
            .column(("person", "name"))
            .from("movie_director")
            .inner_join(
                "person",
                Expr::col(("person", "id")).equals(("movie_director", "person_id")),
            )
            .order_by(("movie_director", "movie_id"), Order::Asc)
            .order_by(("movie_director", "position"), Order::Asc)
            .to_owned();
        let credits = Credit::find_by_statement(db.get_database_backend().build(&select))
            .all(db)
            .await?;
        let mut lists: BTreeMap<i32, Vec<(i32, String)>> = BTreeMap::new();
        for credit in credits {
            lists
                .entry(credit.movie_id)
                .or_default()
                .push((credit.person_id, credit.name));
        }
        // Movies without directors get an empty list.
        manager
            .exec_stmt(
                Query::update()
                    .table("movie")
                    .value("director_list", "[]")
                    .to_owned(),
            )
            .await?;
        for (movie_id, list) in lists {
            let json = serde_json::to_string(&list).map_err(crate::common::values_err)?;
            manager
                .exec_stmt(
                    Query::update()
                        .table("movie")
                        .value("director_list", json)
                        .and_where(Expr::col("id").eq(movie_id))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "movie", "director_list").await
    }
}
