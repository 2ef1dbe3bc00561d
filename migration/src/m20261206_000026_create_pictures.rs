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
//! On MySQL/MariaDB the bytes are a `MEDIUMBLOB`: a `BLOB` holds only 64 KiB.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in HOLDERS {
            drop_index(manager, table, &format!("idx_{table}_{column}")).await?;
            drop_column(manager, table, column).await?;
        }
        drop_table(manager, "picture_file").await?;
        drop_table(manager, "picture").await
    }
}
