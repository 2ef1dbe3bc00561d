//! Mail: `user.email_verified_at` (accounts that existed before are taken as verified, from
//! their creation), `account_link` (the single-use links mailed to verify an address, reset a
//! password or confirm a new address: only the SHA-256 of the secret is kept, with a stamp of
//! the password and address it was issued under) and `mail_outbox` (messages, as what to say in JSON, written in
//! the same transaction as the change they announce; a background task renders and delivers
//! them, and deletes each once delivered).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(
            manager,
            "user",
            &mut timestamp_with_time_zone_null("email_verified_at"),
        )
        .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("user")
                    .value("email_verified_at", Expr::col("created_at"))
                    // Only what this step has not confirmed yet, when run again.
                    .and_where(Expr::col("email_verified_at").is_null())
                    .to_owned(),
            )
            .await?;
        create_table(
            manager,
            Table::create()
                .table("account_link")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("purpose", 16))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len_null("new_email", 254))
                .col(string_len("stamp", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk(
                    "account_link",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            index("account_link", &["user_id", "purpose", "created_at"]),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("mail_outbox")
                .col(pk_auto("id"))
                .col(string_len("recipient", 254))
                .col(text("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("failed_at"))
                .col(string_len_null("last_error", 500))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("mail_outbox", &["next_attempt_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "mail_outbox").await?;
        drop_table(manager, "account_link").await?;
        drop_column(manager, "user", "email_verified_at").await
    }
}
