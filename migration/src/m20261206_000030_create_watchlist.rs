//! A member's watchlist: `watchlist_entry` holds each film a member wants to see or has seen
//! (`seen_on`, the day they saw it; `NULL` while they only want to), one row a member and film;
//! entries go with their member or film. `profile.watchlist_public` says whether others may
//! see the list (private unless the member says otherwise).
//!
//! Entries are numbered in the order added: the list shows the latest first, and MySQL's
//! timestamps have whole seconds only, so two entries of one second would tie.
//!
//! Going down drops both, with the lists members made: the older release has nowhere to show
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
                .table("watchlist_entry")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(integer("movie_id"))
                .col(date_null("seen_on"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "watchlist_entry",
                    "user_id",
                    "user",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "watchlist_entry",
                    "movie_id",
                    "movie",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // A member's list, latest first, and whether a film is on it (one index serves both).
        create_index(
            manager,
            Index::create()
                .name("uq_watchlist_entry_user_id_movie_id")
                .table("watchlist_entry")
                .col("user_id")
                .col("movie_id")
                .unique()
                .to_owned(),
        )
        .await?;
        create_index(manager, index("watchlist_entry", &["user_id", "id"])).await?;
        // The film's side of its key: removing a film finds its entries without a pass.
        create_index(manager, index("watchlist_entry", &["movie_id"])).await?;
        add_column(
            manager,
            "profile",
            boolean("watchlist_public").default(false),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "profile", "watchlist_public").await?;
        drop_table(manager, "watchlist_entry").await
    }
}
