//! Private messages between members.
//!
//! - `conversation`: a subject and who started it (kept when they are gone).
//! - `conversation_member`: who is in it, when they left (`left_at`, then they see nothing of
//!   it and receive nothing further), the newest message that reached them (`last_message_id`)
//!   and the newest they have read (`last_read_id`): a conversation is unread while the first
//!   is past the second, and a member's list is ordered by the first — no pass over messages.
//! - `message`: a conversation's messages in the order sent (numbered: MySQL's timestamps have
//!   whole seconds only), Markdown as typed; a sender's messages stay when the account goes.
//! - `user_block`: whom a member blocks; a blocked member's messages never reach them and
//!   cannot start a conversation with them.
//! - `message_report`: a message reported to moderators, once per member, open until a
//!   moderator dismisses it or acts on the sender.
//!
//! Going down drops them all, with the conversations: the older release has nowhere to show
//! them.

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
                .table("conversation")
                .col(pk_auto("id"))
                .col(string_len("subject", 200))
                .col(integer_null("started_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "conversation",
                    "started_by",
                    "user",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("conversation", &["started_by"])).await?;
        create_table(
            manager,
            Table::create()
                .table("conversation_member")
                .col(pk_auto("id"))
                .col(integer("conversation_id"))
                .col(integer("user_id"))
                .col(timestamp_with_time_zone("joined_at"))
                .col(timestamp_with_time_zone_null("left_at"))
                .col(integer("last_message_id").default(0))
                .col(integer("last_read_id").default(0))
                .foreign_key(&mut fk(
                    "conversation_member",
                    "conversation_id",
                    "conversation",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "conversation_member",
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
                .name("uq_conversation_member_conversation_id_user_id")
                .table("conversation_member")
                .col("conversation_id")
                .col("user_id")
                .unique()
                .to_owned(),
        )
        .await?;
        // A member's conversations, latest first, and their unread count.
        create_index(
            manager,
            index("conversation_member", &["user_id", "last_message_id"]),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("message")
                .col(pk_auto("id"))
                .col(integer("conversation_id"))
                .col(integer_null("sender_id"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "message",
                    "conversation_id",
                    "conversation",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "message",
                    "sender_id",
                    "user",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("message", &["conversation_id", "id"])).await?;
        create_index(manager, index("message", &["sender_id"])).await?;
        create_table(
            manager,
            Table::create()
                .table("user_block")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(integer("blocked_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "user_block",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "user_block",
                    "blocked_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_user_block_user_id_blocked_id")
                .table("user_block")
                .col("user_id")
                .col("blocked_id")
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("user_block", &["blocked_id"])).await?;
        create_table(
            manager,
            Table::create()
                .table("message_report")
                .col(pk_auto("id"))
                .col(integer("message_id"))
                .col(integer("reporter_id"))
                .col(string_len("reason", 500))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(string_len_null("resolution", 40))
                .foreign_key(&mut fk(
                    "message_report",
                    "message_id",
                    "message",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "message_report",
                    "reporter_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_message_report_message_id_reporter_id")
                .table("message_report")
                .col("message_id")
                .col("reporter_id")
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("message_report", &["reporter_id"])).await?;
        // The moderators' queue: open reports, oldest first.
        create_index(manager, index("message_report", &["resolved_at", "id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "message_report").await?;
        drop_table(manager, "user_block").await?;
        drop_table(manager, "message").await?;
        drop_table(manager, "conversation_member").await?;
        drop_table(manager, "conversation").await
    }
}
