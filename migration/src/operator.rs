//! What both command lines (`marquee migrate` and this crate's binary, which `sea-orm-cli
//! migrate` runs) do with a verb: open a connection fit for migrations, refuse a database
//! this binary is too old for, then run the verb.

use std::time::Duration;

use sea_orm_migration::MigrationStatus;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

use crate::Migrator;

/// A migration verb, as `sea-orm-cli migrate` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Apply pending steps: all, or the next N.
    Up(Option<u32>),
    /// Roll back the last N applied steps.
    Down(u32),
    /// Change nothing; report which steps are applied.
    Status,
    /// Drop every table, then apply every step.
    Fresh,
    /// Roll back every step, then apply every step.
    Refresh,
    /// Roll back every step.
    Reset,
}

/// One connection for running migrations on `url`.
///
/// One, because SQLite's `PRAGMA foreign_keys` belongs to a connection: `fresh` switches it
/// off on the connection that then drops the tables, which a pool would not guarantee. On
/// SQLite foreign keys start off, as SQLite's ALTER TABLE procedure asks; every step ends with
/// `PRAGMA foreign_key_check` instead ([`crate::step`]). `schema` is PostgreSQL's search path.
pub async fn connect(url: &str, schema: Option<&str>) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(0)
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if let Some(schema) = schema {
        options.set_schema_search_path(schema.to_owned());
    }
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|opts| {
            opts.foreign_keys(false)
                // A site serving from the same file may be writing: wait for it.
                .busy_timeout(Duration::from_secs(30))
        });
    }
    Database::connect(options).await
}

/// Runs `verb` on `db` and returns every known step with its status afterwards.
///
/// Refuses, before changing anything, a database on which a step this binary does not know
/// was applied (a newer release migrated it): rolling back or dropping what it cannot undo
/// would lose data.
pub async fn run(
    db: &DatabaseConnection,
    verb: Verb,
) -> Result<Vec<(String, MigrationStatus)>, DbErr> {
    refuse_unknown_steps(db).await?;
    match verb {
        Verb::Up(num) => Migrator::up(db, num).await?,
        Verb::Down(num) => Migrator::down(db, Some(num)).await?,
        Verb::Status => {}
        Verb::Fresh => Migrator::fresh(db).await?,
        Verb::Refresh => Migrator::refresh(db).await?,
        Verb::Reset => Migrator::reset(db).await?,
    }
    status(db).await
}

/// Every known step with its status, without creating `seaql_migrations` when it is missing.
pub async fn status(db: &DatabaseConnection) -> Result<Vec<(String, MigrationStatus)>, DbErr> {
    Ok(Migrator::get_migration_with_status_read_only(db)
        .await?
        .iter()
        .map(|step| (step.name().to_owned(), step.status()))
        .collect())
}

/// The steps recorded in `seaql_migrations` that this binary does not know.
pub async fn unknown_steps(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let manager = SchemaManager::new(db);
    if !manager.has_table("seaql_migrations").await? {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::MySql => "SELECT `version` FROM `seaql_migrations` ORDER BY `version`",
        _ => r#"SELECT "version" FROM "seaql_migrations" ORDER BY "version""#,
    };
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|step| step.name().to_owned())
        .collect();
    let mut unknown = Vec::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?
    {
        let version: String = row.try_get_by_index(0)?;
        if !known.contains(&version) {
            unknown.push(version);
        }
    }
    Ok(unknown)
}

async fn refuse_unknown_steps(db: &DatabaseConnection) -> Result<(), DbErr> {
    let unknown = unknown_steps(db).await?;
    match unknown.first() {
        None => Ok(()),
        Some(first) => Err(DbErr::Migration(format!(
            "the database was migrated by a newer release ({} step(s) this binary does not \
             know, the first {first}); nothing was changed: run the newer release's migrations",
            unknown.len()
        ))),
    }
}

/// One line for an operator: what went wrong, without SeaORM's and sqlx's wrapping.
pub fn describe(error: &DbErr) -> String {
    let text = match error {
        DbErr::Migration(message) | DbErr::Custom(message) => message.clone(),
        DbErr::Conn(inner) => format!("could not connect to the database: {inner}"),
        DbErr::ConnectionAcquire(inner) => format!("could not connect to the database: {inner}"),
        DbErr::Exec(inner) | DbErr::Query(inner) => inner.to_string(),
        other => other.to_string(),
    };
    let text = text
        .replace("error returned from database: ", "")
        .replace('\n', " ");
    // sqlx's SQLite errors say their message twice ("X: X"): keep one.
    for (at, _) in text.match_indices(": ") {
        let (first, second) = (&text[..at], &text[at + 2..]);
        if !second.is_empty() && first.ends_with(second) {
            return first.to_owned();
        }
    }
    text
}
