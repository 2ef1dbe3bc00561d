//! SeaORM 2 entities for Marquee, one module per table, relations declared on the `Model`.
//!
//! The schema itself is owned by the `migration` crate; these types describe it for queries,
//! down to defaults, unique keys and `ON DELETE`: `tests/app/schema_drift.rs` fails when a
//! migrated database and one built from these declarations differ.

pub mod enums;
pub mod prelude;

pub mod account_link;
pub mod api_token;
pub mod audit_log;
pub mod category;
pub mod comment;
pub mod conversation;
pub mod conversation_member;
pub mod country;
pub mod group;
pub mod mail_outbox;
pub mod message;
pub mod message_report;
pub mod movie;
pub mod movie_decade_facet;
pub mod movie_director;
pub mod movie_facet;
pub mod notification;
pub mod notification_digest;
pub mod notification_setting;
pub mod permission_override;
pub mod person;
pub mod picture;
pub mod picture_file;
pub mod post;
pub mod post_picture;
pub mod post_tag;
pub mod profile;
pub mod review;
pub mod role;
pub mod role_inclusion;
pub mod role_permission;
pub mod site_version;
pub mod tag;
pub mod user;
pub mod user_block;
pub mod user_group;
pub mod user_session;
pub mod watchlist_entry;
