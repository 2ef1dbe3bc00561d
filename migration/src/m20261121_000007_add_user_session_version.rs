//! Adds `user.session_version`: every session remembers the version it was created with, and
//! bumping the number (password change, role change, deactivation) ends the user's other
//! sessions on every instance, whether sessions live in cookies or in Redis.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("user")
                    .add_column(integer("session_version").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("user")
                    .drop_column("session_version")
                    .to_owned(),
            )
            .await
    }
}
