//! Widens `audit_log.before` and `audit_log.after` to `MEDIUMTEXT` on MySQL/MariaDB: a post's
//! history keeps its text before and after each change, and a post's text alone may exceed the
//! 64 KiB a `TEXT` holds. PostgreSQL and SQLite `text` is unbounded: nothing to do.
//! `down` narrows them back only when every entry fits; otherwise it refuses, changing nothing,
//! and says which entries are in the way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DatabaseBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The most bytes a MySQL `TEXT` holds.
const TEXT_BYTES: i64 = 65_535;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::MySql {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE `audit_log` MODIFY `before` MEDIUMTEXT NULL, \
                     MODIFY `after` MEDIUMTEXT NULL",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::MySql {
            return Ok(());
        }
        let db = manager.get_connection();
        let sql = format!(
            "SELECT COUNT(*) FROM `audit_log` \
             WHERE LENGTH(`before`) > {TEXT_BYTES} OR LENGTH(`after`) > {TEXT_BYTES}"
        );
        let too_long: i64 = match db
            .query_one_raw(Statement::from_string(DatabaseBackend::MySql, sql))
            .await?
        {
            Some(row) => row.try_get_by_index(0)?,
            None => 0,
        };
        if too_long > 0 {
            return Err(DbErr::Migration(format!(
                "{too_long} audit log entr{} longer than MySQL's TEXT holds (long post texts \
                 in the history); nothing was changed: delete or shorten those entries first",
                if too_long == 1 { "y is" } else { "ies are" }
            )));
        }
        db.execute_unprepared(
            "ALTER TABLE `audit_log` MODIFY `before` TEXT NULL, MODIFY `after` TEXT NULL",
        )
        .await?;
        Ok(())
    }
}
