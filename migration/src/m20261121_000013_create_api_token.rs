//! Adds `api_token`: personal access tokens for the JSON API. A token is shown once when it is
//! made; the table keeps only its SHA-256 (hex, unique), its name, the permissions it is scoped
//! to (a subset of its owner's, comma-separated), when it expires and when it was revoked.

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
                .table("api_token")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("name", 100))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len("scopes", 500).default(""))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "api_token",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("api_token", &["user_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "api_token").await
    }
}
