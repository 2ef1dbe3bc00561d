//! Countries (the ISO 3166-1 list as data), `user.country_id`, profiles, groups and membership.
//!
//! Adding a foreign-key column to an existing table is the one place the backends differ:
//! SQLite cannot `ALTER TABLE ... ADD CONSTRAINT`, but it accepts a column whose definition
//! carries its own `REFERENCES` clause, and (3.35+) drops such a column again.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::common::*;
use crate::countries::COUNTRIES;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("country")
                .col(pk_auto("id"))
                .col(char_len_uniq("code", 2))
                .col(string_len_uniq("name", 100))
                .to_owned(),
        )
        .await?;
        // One statement for every country: they are all there or none is.
        if is_empty(manager, "country").await? {
            let mut countries = Query::insert();
            countries.into_table("country").columns(["code", "name"]);
            for (code, name) in COUNTRIES {
                countries
                    .values([(*code).into(), (*name).into()])
                    .map_err(values_err)?;
            }
            manager.exec_stmt(countries).await?;
        }

        // The column comes with its key in one statement on every backend.
        let has_country = manager.has_column("user", "country_id").await?;
        match manager.get_database_backend() {
            _ if has_country => {}
            DbBackend::Sqlite => {
                manager
                    .get_connection()
                    .execute_unprepared(
                        r#"ALTER TABLE "user" ADD COLUMN "country_id" integer NULL REFERENCES "country" ("id") ON DELETE SET NULL ON UPDATE CASCADE"#,
                    )
                    .await?;
            }
            _ => {
                manager
                    .alter_table(
                        Table::alter()
                            .table("user")
                            .add_column(integer_null("country_id"))
                            .add_foreign_key(
                                TableForeignKey::new()
                                    .name("fk_user_country_id")
                                    .from_tbl("user")
                                    .from_col("country_id")
                                    .to_tbl("country")
                                    .to_col("id")
                                    .on_delete(ForeignKeyAction::SetNull)
                                    .on_update(ForeignKeyAction::Cascade),
                            )
                            .to_owned(),
                    )
                    .await?;
            }
        }
        create_index(manager, index("user", &["country_id"])).await?;

        create_table(
            manager,
            Table::create()
                .table("profile")
                .col(pk_auto("id"))
                .col(integer_uniq("user_id"))
                .col(string_len("display_name", 64))
                .col(text("bio"))
                .col(date_null("birth_date"))
                .col(string_len_null("job", 100))
                .col(string_len_null("location", 100))
                .col(string_len_null("website", 255))
                .foreign_key(&mut fk(
                    "profile",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("group")
                .col(pk_auto("id"))
                .col(string_len_uniq("name", 64))
                .col(string_len("description", 255).default(""))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("user_group")
                .col(integer("user_id"))
                .col(integer("group_id"))
                .col(timestamp_with_time_zone("joined_at").default(Expr::current_timestamp()))
                .primary_key(Index::create().col("user_id").col("group_id"))
                .foreign_key(&mut fk(
                    "user_group",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "user_group",
                    "group_id",
                    "group",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("user_group", &["group_id", "joined_at"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "user_group").await?;
        drop_table(manager, "group").await?;
        drop_table(manager, "profile").await?;
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                drop_index(manager, "user", "idx_user_country_id").await?;
                if manager.has_column("user", "country_id").await? {
                    manager
                        .get_connection()
                        .execute_unprepared(r#"ALTER TABLE "user" DROP COLUMN "country_id""#)
                        .await?;
                }
            }
            _ => {
                // MySQL keeps the index while the foreign key needs it: key first.
                if has_foreign_key(manager, "fk_user_country_id").await? {
                    manager
                        .drop_foreign_key(
                            ForeignKey::drop()
                                .name("fk_user_country_id")
                                .table("user")
                                .to_owned(),
                        )
                        .await?;
                }
                drop_index(manager, "user", "idx_user_country_id").await?;
                drop_column(manager, "user", "country_id").await?;
            }
        }
        drop_table(manager, "country").await
    }
}
