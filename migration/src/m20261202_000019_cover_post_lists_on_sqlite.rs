//! On SQLite, the published posts' list index `(status, listed_at, id, category_id)` becomes a
//! covering index: it also holds every other column a list row shows (`author_id`, title, slug,
//! excerpt, the three times, `comment_count`, `tag_names`), so a page of `/posts` or of a
//! category reads its twenty rows from two or three adjacent index pages and never the table.
//! A post row there holds its body and rendered HTML (two rows a 4 KiB page), so twenty rows
//! were a dozen scattered table pages, each read through SQLite's small per-connection cache
//! from the operating system's. At 100,000 posts the index takes about 45 MB.
//!
//! Only on SQLite: PostgreSQL and MySQL/MariaDB keep their pages in a shared buffer pool, and
//! their index entries are bounded (PostgreSQL's to a third of a page, MySQL's text columns
//! only by prefix), which long titles and excerpts could exceed. There the step does nothing.
//! `down` puts the narrow index back.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NARROW: &[&str] = &["status", "listed_at", "id", "category_id"];
const NARROW_NAME: &str = "idx_post_status_listed_at_id_category_id";
/// The narrow index's columns first (so it serves every query the narrow one did), then the
/// rest of a list row (`services::blog::posts::post_rows` and its joins).
const COVERING: &[&str] = &[
    "status",
    "listed_at",
    "id",
    "category_id",
    "author_id",
    "title",
    "slug",
    "excerpt",
    "created_at",
    "published_at",
    "comment_count",
    "tag_names",
];
const COVERING_NAME: &str = "idx_post_list_covering";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        create_index(
            manager,
            index("post", COVERING).name(COVERING_NAME).to_owned(),
        )
        .await?;
        drop_index(manager, "post", NARROW_NAME).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        create_index(manager, index("post", NARROW)).await?;
        drop_index(manager, "post", COVERING_NAME).await
    }
}
