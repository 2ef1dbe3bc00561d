//! Adds `user_session`: every signed-in session has a row, checked on each request, so logging
//! out, "log out everywhere", a password or role change and deactivation end sessions at once
//! and on every instance, whichever store holds the session cookie's state. The row's id is the
//! SHA-256 of the session's secret token (the token itself lives only in the session).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("user_session")
                .col(string_len("id", 64).primary_key())
                .col(integer("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(string_len_null("ip", 64))
                .col(string_len("user_agent", 255).default(""))
                .foreign_key(&mut fk(
                    "user_session",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("user_session", &["user_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "user_session").await
    }
}
