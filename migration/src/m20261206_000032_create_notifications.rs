//! Notifications: what happened that concerns a member (a reply to their comment, a comment
//! on their post, a new message, a review of a film on their watchlist), and how each kind
//! reaches them.
//!
//! - `notification`: one a member and event — its kind, who did it, a sentence's subject
//!   (kept, so it reads the same after a rename), the page it points to, and when it was read.
//! - `notification_setting`: a member's choice for a kind (`site`, `mail` at once, or `digest`
//!   once a day); no row is the kind's default.
//! - `notification_digest`: the day a member's digest went out, one a member and day: the
//!   unique key is what lets any number of instances try and only one send it.
//!
//! Going down drops them, with the notifications: the older release has nowhere to show them.

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
                .table("notification")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("kind", 32))
                .col(integer_null("actor_id"))
                .col(string_len("subject", 200))
                .col(string_len("link", 300))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .foreign_key(&mut fk(
                    "notification",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "notification",
                    "actor_id",
                    "user",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        // A member's notifications, newest first; their unread ones.
        create_index(manager, index("notification", &["user_id", "id"])).await?;
        create_index(manager, index("notification", &["user_id", "read_at"])).await?;
        create_index(manager, index("notification", &["actor_id"])).await?;
        create_table(
            manager,
            Table::create()
                .table("notification_setting")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("kind", 32))
                .col(string_len("delivery", 16))
                .foreign_key(&mut fk(
                    "notification_setting",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_notification_setting_user_id_kind")
                .table("notification_setting")
                .col("user_id")
                .col("kind")
                .unique()
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("notification_digest")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(date("day"))
                .col(timestamp_with_time_zone("sent_at"))
                .foreign_key(&mut fk(
                    "notification_digest",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_notification_digest_user_id_day")
                .table("notification_digest")
                .col("user_id")
                .col("day")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "notification_digest").await?;
        drop_table(manager, "notification_setting").await?;
        drop_table(manager, "notification").await
    }
}
