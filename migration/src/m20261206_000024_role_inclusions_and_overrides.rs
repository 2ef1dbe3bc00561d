//! Roles that include other roles, and permissions granted to or withheld from one account.
//!
//! - `role_inclusion`: `role_id` includes `included_role_id` (both cascade with their role): a
//!   role's effective permissions are its own and those of every role it includes, transitively.
//! - `permission_override`: one account's grant or denial (`effect`) of one permission, with the
//!   reason, who made it and until when (`expires_at`; none: until removed). One per account
//!   and permission; an expired one simply stops counting.
//!
//! Both tables start empty, so the step changes no one's permissions.

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
                .table("role_inclusion")
                .col(integer("role_id"))
                .col(integer("included_role_id"))
                .primary_key(Index::create().col("role_id").col("included_role_id"))
                .foreign_key(&mut fk(
                    "role_inclusion",
                    "role_id",
                    "role",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "role_inclusion",
                    "included_role_id",
                    "role",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("role_inclusion", &["included_role_id"])).await?;
        create_table(
            manager,
            Table::create()
                .table("permission_override")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_len("permission", 32))
                .col(string_len("effect", 8))
                .col(string_len("reason", 200))
                .col(integer_null("granted_by_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .foreign_key(&mut fk(
                    "permission_override",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "permission_override",
                    "granted_by_id",
                    "user",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        create_index(
            manager,
            Index::create()
                .name("uq_permission_override_user_id_permission")
                .table("permission_override")
                .col("user_id")
                .col("permission")
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("permission_override", &["granted_by_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "permission_override").await?;
        drop_table(manager, "role_inclusion").await
    }
}
