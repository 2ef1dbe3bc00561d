//! On SQLite, an index on the users' `(id, username)`: every page that names people (a post
//! list's authors, a post's author and commenters, a movie's reviewers) joins each row to its
//! user for the username alone, and reads it from this small index instead of the user table.
//! A user row is wide (email, password hash, times): the table's rows spread over a few hundred
//! pages, which SQLite's small per-connection cache kept losing to the post list's own pages.
//! A random page of `/posts` at 100,000 posts and 5,000 users read 26 pages from the operating
//! system's cache, 16 of them user rows; with this index, 10 (`sqlite3` `.stats`, 512 KiB cache).
//! The index is analysed at once: without statistics for it SQLite keeps to the table.
//!
//! Only on SQLite: PostgreSQL and MySQL/MariaDB keep their pages in a shared buffer pool, and
//! MySQL's primary key holds the rows themselves. There the step does nothing. `down` drops it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &[&str] = &["id", "username"];
const NAME: &str = "idx_user_id_username";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        create_index(manager, index("user", COLUMNS)).await?;
        manager
            .get_connection()
            .execute_unprepared(r#"ANALYZE "user""#)
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        drop_index(manager, "user", NAME).await
    }
}
