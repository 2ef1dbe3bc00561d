//! Every step runs in one transaction, on every backend, together with its row in
//! `seaql_migrations`: a step that fails leaves neither its changes nor its record behind.
//!
//! SeaORM wraps steps in a transaction only on PostgreSQL unless a step asks
//! (`MigrationTrait::use_transaction`); SQLite runs DDL transactionally too, so asking makes a
//! failed `down` on SQLite roll back instead of leaving a table dropped and the step recorded
//! as applied. MySQL and MariaDB commit at every DDL statement whatever is asked: there a
//! step is written so that running it again completes it.
//!
//! On SQLite the migration connection has foreign keys off ([`crate::connect`]), as SQLite's
//! ALTER TABLE procedure asks, so that dropping or rebuilding a table does not check (or
//! cascade through) its rows one by one; before the step commits, `PRAGMA foreign_key_check`
//! proves that no row was left pointing at nothing, and the step fails (and rolls back) if
//! one was. Where the connection has foreign keys on (a caller's own pool), checks that can
//! wait are deferred to the commit, so the order of drops inside a step does not matter.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

/// A step of [`crate::Migrator`], run in one transaction with a foreign-key check at its end.
pub struct Step(Box<dyn MigrationTrait>);

/// Wraps `migration` as a transactional, foreign-key-checked [`Step`].
pub fn step(migration: impl MigrationTrait + 'static) -> Box<dyn MigrationTrait> {
    Box::new(Step(Box::new(migration)))
}

impl MigrationName for Step {
    fn name(&self) -> &str {
        self.0.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Step {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        defer_foreign_keys(manager).await?;
        self.0.up(manager).await?;
        check_foreign_keys(manager, self.name()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        defer_foreign_keys(manager).await?;
        self.0.down(manager).await?;
        check_foreign_keys(manager, self.name()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

async fn defer_foreign_keys(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() == DatabaseBackend::Sqlite {
        // Lasts until the transaction ends.
        manager
            .get_connection()
            .execute_unprepared("PRAGMA defer_foreign_keys = ON")
            .await?;
    }
    Ok(())
}

/// Fails when a row of any table points at a row that does not exist (SQLite only; the other
/// backends never stop checking).
async fn check_foreign_keys(manager: &SchemaManager<'_>, step: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    let rows = manager
        .get_connection()
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA foreign_key_check",
        ))
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut tables: Vec<String> = rows
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    tables.sort();
    tables.dedup();
    Err(DbErr::Migration(format!(
        "{step} would leave {} row(s) pointing at rows that do not exist (in {}); \
         nothing was changed",
        rows.len(),
        tables.join(", ")
    )))
}
