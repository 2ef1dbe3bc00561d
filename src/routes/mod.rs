//! Page handlers, one module per area, each with its routes beside its handlers (`routes()`);
//! [`pages`] only calls them. The plumbing they share has files of its own: the extractors
//! ([`extract`]) and what handlers answer with ([`respond`]).

pub mod account;
pub mod admin;
pub mod api_docs;
pub mod auth;
pub mod blog;
pub mod categories;
pub mod error_page;
pub mod extract;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod home;
pub mod moderation;
pub mod movies;
pub mod respond;
pub mod tokens;
pub mod users;

use actix_web::web;

pub use crate::request::{TrustedProxies, client_addr, client_ip, user_agent};
pub use extract::{HtmlForm, Site};
pub use respond::{done, not_found, problems, render_status, see_other, submit};

/// Pages that use the session (signed-in user, CSRF, flash messages): every area's routes.
pub fn pages(cfg: &mut web::ServiceConfig) {
    home::routes(cfg);
    feeds::routes(cfg);
    auth::routes(cfg);
    account::routes(cfg);
    users::routes(cfg);
    blog::routes(cfg);
    categories::routes(cfg);
    movies::routes(cfg);
    moderation::routes(cfg);
    tokens::routes(cfg);
    api_docs::routes(cfg);
    groups::routes(cfg);
    admin::routes(cfg);
}
