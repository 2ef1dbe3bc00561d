//! Ranked full-text search over posts and movies (`/search`), on each backend's own engine,
//! kept up to date by the database itself in the writing transaction:
//!
//! - SQLite: FTS5 tables `post_text` (title, tag names, body) and `movie_text` (title,
//!   directors, synopsis) with the Porter stemmer, external content (they store the index, not
//!   a copy of the text), kept by triggers and filled once here. Ranked by `bm25` with column
//!   weights.
//! - PostgreSQL: a stored generated `tsvector` column `search_vector` on `post` and `movie`
//!   (title weighted A, tag names or directors B, body or synopsis C, English configuration),
//!   each with a GIN index. Ranked by `ts_rank_cd`, which also rewards words found together.
//! - MySQL/MariaDB: `FULLTEXT` indexes on the title alone and on all three columns, so a title
//!   match can be weighted above a body match (a `MATCH` needs an index of exactly its columns).
//!
//! The trigram index of migration 12 stays: it serves the post lists' substring filter.
//! `down` removes everything this step adds, whatever data the tables hold.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::common::{drop_index, has_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite's index of posts, filled once: `rebuild` runs only when the table is new (run again
/// over its own work, it would rewrite the index's segments).
const SQLITE_POSTS: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS post_text USING fts5(title, tag_names, body, \
     content='post', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS post_text_insert AFTER INSERT ON post BEGIN \
     INSERT INTO post_text(rowid, title, tag_names, body) \
     VALUES (new.id, new.title, new.tag_names, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS post_text_delete AFTER DELETE ON post BEGIN \
     INSERT INTO post_text(post_text, rowid, title, tag_names, body) \
     VALUES ('delete', old.id, old.title, old.tag_names, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS post_text_update AFTER UPDATE OF title, tag_names, body ON post \
     BEGIN \
     INSERT INTO post_text(post_text, rowid, title, tag_names, body) \
     VALUES ('delete', old.id, old.title, old.tag_names, old.body); \
     INSERT INTO post_text(rowid, title, tag_names, body) \
     VALUES (new.id, new.title, new.tag_names, new.body); END",
    "INSERT INTO post_text(post_text) VALUES ('rebuild')",
];

const SQLITE_MOVIES: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS movie_text USING fts5(title, director_list, synopsis, \
     content='movie', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS movie_text_insert AFTER INSERT ON movie BEGIN \
     INSERT INTO movie_text(rowid, title, director_list, synopsis) \
     VALUES (new.id, new.title, new.director_list, new.synopsis); END",
    "CREATE TRIGGER IF NOT EXISTS movie_text_delete AFTER DELETE ON movie BEGIN \
     INSERT INTO movie_text(movie_text, rowid, title, director_list, synopsis) \
     VALUES ('delete', old.id, old.title, old.director_list, old.synopsis); END",
    "CREATE TRIGGER IF NOT EXISTS movie_text_update \
     AFTER UPDATE OF title, director_list, synopsis ON movie BEGIN \
     INSERT INTO movie_text(movie_text, rowid, title, director_list, synopsis) \
     VALUES ('delete', old.id, old.title, old.director_list, old.synopsis); \
     INSERT INTO movie_text(rowid, title, director_list, synopsis) \
     VALUES (new.id, new.title, new.director_list, new.synopsis); END",
    "INSERT INTO movie_text(movie_text) VALUES ('rebuild')",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS movie_text_update",
    "DROP TRIGGER IF EXISTS movie_text_delete",
    "DROP TRIGGER IF EXISTS movie_text_insert",
    "DROP TABLE IF EXISTS movie_text",
    "DROP TRIGGER IF EXISTS post_text_update",
    "DROP TRIGGER IF EXISTS post_text_delete",
    "DROP TRIGGER IF EXISTS post_text_insert",
    "DROP TABLE IF EXISTS post_text",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE post ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (\
     setweight(to_tsvector('english', title), 'A') || \
     setweight(to_tsvector('english', tag_names), 'B') || \
     setweight(to_tsvector('english', body), 'C')) STORED",
    "CREATE INDEX IF NOT EXISTS idx_post_search_vector ON post USING gin (search_vector)",
    "ALTER TABLE movie ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (\
     setweight(to_tsvector('english', title), 'A') || \
     setweight(to_tsvector('english', coalesce(director_list, '')), 'B') || \
     setweight(to_tsvector('english', synopsis), 'C')) STORED",
    "CREATE INDEX IF NOT EXISTS idx_movie_search_vector ON movie USING gin (search_vector)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS idx_movie_search_vector",
    "ALTER TABLE movie DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS idx_post_search_vector",
    "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
];

/// MySQL's `FULLTEXT` indexes, as (table, name, columns). InnoDB adds one a statement.
const MYSQL_INDEXES: &[(&str, &str, &str)] = &[
    ("post", "ft_post_title", "title"),
    ("post", "ft_post_text", "title, tag_names, body"),
    ("movie", "ft_movie_title", "title"),
    ("movie", "ft_movie_text", "title, director_list, synopsis"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for (table, statements) in
                    [("post_text", SQLITE_POSTS), ("movie_text", SQLITE_MOVIES)]
                {
                    if !manager.has_table(table).await? {
                        run(manager, statements).await?;
                    }
                }
                Ok(())
            }
            DatabaseBackend::Postgres => run(manager, POSTGRES_UP).await,
            DatabaseBackend::MySql => {
                for (table, name, columns) in MYSQL_INDEXES {
                    if !has_index(manager, name).await? {
                        let sql = format!(
                            "ALTER TABLE `{table}` ADD FULLTEXT INDEX `{name}` ({columns})"
                        );
                        manager.get_connection().execute_unprepared(&sql).await?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => run(manager, SQLITE_DOWN).await,
            DatabaseBackend::Postgres => run(manager, POSTGRES_DOWN).await,
            DatabaseBackend::MySql => {
                for (table, name, _) in MYSQL_INDEXES.iter().rev() {
                    drop_index(manager, table, name).await?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
