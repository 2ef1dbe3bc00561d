//! Page handlers, one module per area, each with its routes beside its handlers (`routes()`);
//! [`pages`] only calls them. The plumbing they share has files of its own: the extractors
//! ([`extract`]) and what handlers answer with ([`respond`]).

pub mod accounts;
pub mod admin;
pub mod api_docs;
pub mod blog;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod history;
pub mod home;
pub mod messages;
pub mod movies;
pub mod notifications;
pub mod pictures;
pub mod respond;
pub mod search;

use actix_web::web;

pub use crate::request::{TrustedProxies, client_ip, client_ip_addr, user_agent};
pub use extract::{Cached, HtmlForm, ListSearch, PageQuery};
pub use respond::{done, not_found, problems, render_status, see_other, submit};

/// Pages that use the session (signed-in user, CSRF, flash messages): every area's routes.
pub fn pages(cfg: &mut web::ServiceConfig) {
    home::routes(cfg);
    feeds::routes(cfg);
    accounts::routes(cfg);
    blog::routes(cfg);
    movies::routes(cfg);
    messages::routes(cfg);
    notifications::routes(cfg);
    api_docs::routes(cfg);
    groups::routes(cfg);
    admin::routes(cfg);
    history::routes(cfg);
    pictures::routes(cfg);
    search::routes(cfg);
}
