//! Marquee's integration tests: one binary, the real application spawned on port 0.
//!
//! Every test in a `backend_tests!` block runs once per database back-end: SQLite always (a
//! temporary file), PostgreSQL and MySQL/MariaDB when `MARQUEE_TEST_POSTGRES_URL` /
//! `MARQUEE_TEST_MYSQL_URL` are set (a fresh database per test; `TestDb::spawn` copies a migrated
//! template into it rather than running every migration again). Without them those variants
//! are listed as ignored, with the reason. `TEST_LOG=1` shows the application's logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod helpers;

mod accounts;
mod admin;
mod api;
mod api_client;
mod blog;
mod browser;
mod deployment;
mod directories;
mod entities;
mod feeds;
mod fuzz;
mod history;
mod hostile;
mod key_pages;
mod messages;
mod migrate_verbs;
mod migrations;
mod movies;
mod notifications;
mod operator;
mod pages;
mod parity;
mod pictures;
mod privileges;
mod redis;
mod relations;
mod schema_drift;
mod search;
mod seeding;
mod volume;
