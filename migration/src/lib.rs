//! Marquee's schema, as small ordered steps that run the same on SQLite, PostgreSQL and
//! MySQL/MariaDB. Each step has a working `down`.
//!
//! Every step runs in one transaction with its record in `seaql_migrations` ([`step`]), and
//! both command lines open their connection with [`connect`] and run a verb with [`run`].
//!
//! Run them with `sea-orm-cli migrate <verb>` (this crate's `main.rs`), `cargo run -p migration
//! -- <verb>`, or `marquee migrate <verb>`. A step never changes once it has landed: schema
//! changes come as new steps, like `m20261121_000005_add_movie_mpa`.

pub use sea_orm_migration::prelude::*;

pub mod cli;
mod common;
mod countries;
mod m20261121_000001_create_roles_and_users;
mod m20261121_000002_create_countries_profiles_groups;
mod m20261121_000003_create_blog;
mod m20261121_000004_create_movies;
mod m20261121_000005_add_movie_mpa;
mod m20261121_000006_create_reviews_and_audit_log;
mod m20261121_000007_add_user_session_version;
mod m20261121_000008_widen_post_body_on_mysql;
mod m20261121_000009_create_user_session;
mod m20261121_000010_store_rendered_posts_and_aggregates;
mod m20261121_000011_create_movie_facet;
mod m20261121_000012_add_post_search;
mod m20261121_000013_create_api_token;
mod m20261121_000014_add_mail;
mod m20261122_000015_add_post_counts;
mod m20261122_000016_create_movie_decade_facet;
mod m20261122_000017_add_category_trail;
mod m20261122_000018_store_post_list_fields;
mod m20261202_000019_cover_post_lists_on_sqlite;
mod m20261202_000020_store_movie_director_lists;
mod m20261202_000021_index_few_movies_on_sqlite;
mod m20261202_000022_cover_few_movies_on_sqlite;
mod m20261203_000023_cover_user_names_on_sqlite;
mod m20261206_000024_role_inclusions_and_overrides;
mod m20261206_000025_widen_audit_log_on_mysql;
mod m20261206_000026_create_pictures;
mod m20261206_000027_create_post_pictures;
mod m20261206_000028_add_ranked_search;
mod m20261206_000029_add_comment_edits_and_replies;
mod m20261206_000030_create_watchlist;
mod m20261206_000031_create_messages;
mod m20261206_000032_create_notifications;
mod operator;
mod step;

pub use countries::COUNTRIES;
pub use operator::{Verb, connect, describe, run, status, unknown_steps};
pub use sea_orm_migration::MigrationStatus;
pub use step::{Step, step};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            step(m20261121_000001_create_roles_and_users::Migration),
            step(m20261121_000002_create_countries_profiles_groups::Migration),
            step(m20261121_000003_create_blog::Migration),
            step(m20261121_000004_create_movies::Migration),
            step(m20261121_000005_add_movie_mpa::Migration),
            step(m20261121_000006_create_reviews_and_audit_log::Migration),
            step(m20261121_000007_add_user_session_version::Migration),
            step(m20261121_000008_widen_post_body_on_mysql::Migration),
            step(m20261121_000009_create_user_session::Migration),
            step(m20261121_000010_store_rendered_posts_and_aggregates::Migration),
            step(m20261121_000011_create_movie_facet::Migration),
            step(m20261121_000012_add_post_search::Migration),
            step(m20261121_000013_create_api_token::Migration),
            step(m20261121_000014_add_mail::Migration),
            step(m20261122_000015_add_post_counts::Migration),
            step(m20261122_000016_create_movie_decade_facet::Migration),
            step(m20261122_000017_add_category_trail::Migration),
            step(m20261122_000018_store_post_list_fields::Migration),
            step(m20261202_000019_cover_post_lists_on_sqlite::Migration),
            step(m20261202_000020_store_movie_director_lists::Migration),
            step(m20261202_000021_index_few_movies_on_sqlite::Migration),
            step(m20261202_000022_cover_few_movies_on_sqlite::Migration),
            step(m20261203_000023_cover_user_names_on_sqlite::Migration),
            step(m20261206_000024_role_inclusions_and_overrides::Migration),
            step(m20261206_000025_widen_audit_log_on_mysql::Migration),
            step(m20261206_000026_create_pictures::Migration),
            step(m20261206_000027_create_post_pictures::Migration),
            step(m20261206_000028_add_ranked_search::Migration),
            step(m20261206_000029_add_comment_edits_and_replies::Migration),
            step(m20261206_000030_create_watchlist::Migration),
            step(m20261206_000031_create_messages::Migration),
            step(m20261206_000032_create_notifications::Migration),
        ]
    }
}
