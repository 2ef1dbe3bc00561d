//! Marquee's schema, as small ordered steps that run the same on SQLite, PostgreSQL and
//! MySQL/MariaDB. Each step has a working `down`.
//!
//! Run them with `sea-orm-cli migrate <verb>` (this crate's `main.rs`), `cargo run -p migration
//! -- <verb>`, or `marquee migrate <verb>`. A step never changes once it has landed: schema
//! changes come as new steps, like `m20261121_000005_add_movie_mpa`.

pub use sea_orm_migration::prelude::*;

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

pub use countries::COUNTRIES;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_roles_and_users::Migration),
            Box::new(m20261121_000002_create_countries_profiles_groups::Migration),
            Box::new(m20261121_000003_create_blog::Migration),
            Box::new(m20261121_000004_create_movies::Migration),
            Box::new(m20261121_000005_add_movie_mpa::Migration),
            Box::new(m20261121_000006_create_reviews_and_audit_log::Migration),
            Box::new(m20261121_000007_add_user_session_version::Migration),
            Box::new(m20261121_000008_widen_post_body_on_mysql::Migration),
            Box::new(m20261121_000009_create_user_session::Migration),
            Box::new(m20261121_000010_store_rendered_posts_and_aggregates::Migration),
            Box::new(m20261121_000011_create_movie_facet::Migration),
            Box::new(m20261121_000012_add_post_search::Migration),
            Box::new(m20261121_000013_create_api_token::Migration),
            Box::new(m20261121_000014_add_mail::Migration),
            Box::new(m20261122_000015_add_post_counts::Migration),
            Box::new(m20261122_000016_create_movie_decade_facet::Migration),
            Box::new(m20261122_000017_add_category_trail::Migration),
            Box::new(m20261122_000018_store_post_list_fields::Migration),
            Box::new(m20261202_000019_cover_post_lists_on_sqlite::Migration),
            Box::new(m20261202_000020_store_movie_director_lists::Migration),
            Box::new(m20261202_000021_index_few_movies_on_sqlite::Migration),
            Box::new(m20261202_000022_cover_few_movies_on_sqlite::Migration),
            Box::new(m20261203_000023_cover_user_names_on_sqlite::Migration),
        ]
    }
}
