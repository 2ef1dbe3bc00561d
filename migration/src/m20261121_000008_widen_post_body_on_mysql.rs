//! Widens `post.body` to `MEDIUMTEXT` on MySQL/MariaDB. There `TEXT` holds only 64 KiB, less
//! than the 100,000 bytes the post form accepts, so a long post was refused by the database
//! (a 500) instead of being stored. PostgreSQL and SQLite `text` is unbounded: nothing to do.
//! `down` narrows it back, which MySQL refuses while a longer body is stored.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::MySql {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE `post` MODIFY `body` MEDIUMTEXT NOT NULL")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::MySql {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE `post` MODIFY `body` TEXT NOT NULL")
                .await?;
        }
        Ok(())
    }
}
