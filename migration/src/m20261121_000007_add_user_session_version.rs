//! Adds `user.session_version`: every session remembers the version it was created with, and
//! bumping the number (password change, role change, deactivation) ends the user's other
//! sessions on every instance, whether sessions live in cookies or in Redis.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "user", integer("session_version").default(0)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "user", "session_version").await
    }
}
