//! Queries and mutations, and every rule of the site: who may see and change what, what values
//! are accepted, what guard rails hold. Functions take `&impl ConnectionTrait` (and the acting
//! [`CurrentUser`](crate::domain::CurrentUser) where a rule depends on who asks), return
//! [`ServiceError`] and know nothing of actix or HTML, so both faces of the site (the pages and
//! the JSON API in `api`) call the same rules.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod blog;
pub mod error;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod history;
pub mod home;
pub mod messages;
pub mod movies;
pub mod notifications;
pub mod outbox;
pub mod pictures;
pub mod precondition;
mod queries;
pub mod search;
pub mod sitemap;
mod transactions;

pub use crate::domain::{FieldErrors, ServiceError};
pub use queries::{
    MAX_PAGE, Page, UserRef, contains_text, fetch_page, from_json_rows, json_flag, json_rows,
    offset, pair_page, partial_pair, partial_pair_select, placeholders,
};
pub use transactions::{
    begin_content_change, begin_write, content_changed, content_version, is_transient,
};
