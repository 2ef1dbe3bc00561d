//! Pictures stored in the database beside the rows they belong to, so every instance of a
//! scaled-out site sees the same ones with no shared disk, and a backup takes them along.
//!
//! - `picture`: one per picture, addressed by the SHA-256 of what Marquee encoded (the same
//!   picture is stored once, however often it is uploaded);
//! - `picture_file`: its sizes (`thumb`, `card`, `full`), each the encoded bytes with their
//!   type and dimensions, going with their picture;
//! - `movie.poster`, `person.portrait`, `user.avatar`: the hash of a movie's poster, a
//!   person's portrait, a member's avatar. Pictures nothing refers to are removed in the
//!   transaction that lets go of them.
//!
//! On MySQL/MariaDB the bytes are a `MEDIUMBLOB`: a `BLOB` holds only 64 KiB. On SQLite the
//! users' covering index of step 23 gains the avatar (names are shown with their avatars), so
//! a page's people are still read from it alone.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The users' covering indexes on SQLite: step 23's, and this step's with the avatar.
const USERS: &[&str] = &["id", "username"];
const USERS_WITH_AVATARS: &[&str] = &["id", "username", "avatar"];

/// Replaces the users' covering index `old` with `new` (on SQLite), analysed at once: without
/// statistics for it SQLite keeps to the table.
async fn cover_users(
    manager: &SchemaManager<'_>,
    new: &'static [&'static str],
    old: &'static [&'static str],
) -> Result<(), DbErr> {
    create_index(manager, index("user", new)).await?;
    drop_index(manager, "user", &format!("idx_user_{}", old.join("_"))).await?;
    manager
        .get_connection()
        .execute_unprepared(r#"ANALYZE "user""#)
        .await
        .map(|_| ())
}

/// The columns that hold a picture's hash.
const HOLDERS: [(&str, &str); 3] = [
    ("movie", "poster"),
    ("person", "portrait"),
    ("user", "avatar"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("picture")
                .col(string_len("hash", 64).primary_key())
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("picture_file")
                .col(string_len("hash", 64))
                .col(string_len("size", 8))
                .col(string_len("content_type", 32))
                .col(integer("width"))
                .col(integer("height"))
                .col(blob("bytes"))
                .primary_key(Index::create().col("hash").col("size"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_picture_file_hash")
                        .from("picture_file", "hash")
                        .to("picture", "hash")
                        .on_delete(ForeignKeyAction::Cascade)
                        .on_update(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        if manager.get_database_backend() == DatabaseBackend::MySql {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE `picture_file` MODIFY `bytes` MEDIUMBLOB NOT NULL")
                .await?;
        }
        for (table, column) in HOLDERS {
            add_column(manager, table, &mut string_len_null(column, 64)).await?;
            create_index(manager, index(table, &[column])).await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            cover_users(manager, USERS_WITH_AVATARS, USERS).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            cover_users(manager, USERS, USERS_WITH_AVATARS).await?;
        }
        for (table, column) in HOLDERS {
            drop_index(manager, table, &format!("idx_{table}_{column}")).await?;
            drop_column(manager, table, column).await?;
        }
        drop_table(manager, "picture_file").await?;
        drop_table(manager, "picture").await
    }
}
