//! `category.trail`: the category's root-to-itself chain as JSON (`[{"name":…,"slug":…},…]`),
//! so a post page gets its breadcrumbs with the post, in the same statement, instead of
//! loading the whole category tree. Kept by every category change (`services::blog`); a
//! `NULL` trail (a row written by other means) makes the page load the tree as before.
//! Backfilled here from the rows; `down` drops the column.

use std::collections::HashMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct Row {
    id: i32,
    parent_id: Option<i32>,
    name: String,
    slug: String,
}

/// Each category's trail, root first; a cycle (which the app never writes) ends the walk.
fn trails(rows: &[Row]) -> Vec<(i32, String)> {
    let by_id: HashMap<i32, &Row> = rows.iter().map(|r| (r.id, r)).collect();
    rows.iter()
        .map(|row| {
            let mut chain: Vec<&Row> = Vec::new();
            let mut current = Some(row);
            while let Some(c) = current {
                if chain.iter().any(|seen| seen.id == c.id) {
                    break;
                }
                chain.push(c);
                current = c.parent_id.and_then(|p| by_id.get(&p).copied());
            }
            chain.reverse();
            let crumbs: Vec<serde_json::Value> = chain
                .iter()
                .map(|c| serde_json::json!({ "name": c.name, "slug": c.slug }))
                .collect();
            (row.id, serde_json::Value::Array(crumbs).to_string())
        })
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "category", ColumnDef::new("trail").text().null()).await?;
        let db = manager.get_connection();
        let select = Query::select()
            .columns(["id", "parent_id", "name", "slug"])
            .from("category")
            .to_owned();
        let rows = Row::find_by_statement(db.get_database_backend().build(&select))
            .all(db)
            .await?;
        for (id, trail) in trails(&rows) {
            manager
                .exec_stmt(
                    Query::update()
                        .table("category")
                        .value("trail", trail)
                        .and_where(Expr::col("id").eq(id))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "category", "trail").await
    }
}
