//! The JSON API under `/api/v1`: a second face of the same services the pages call, so every
//! rule (who may see, change or grant what) holds in both. Handlers read the caller and the
//! request, call one service, and answer with JSON, problem details ([`problem`]) and entity
//! tags. The OpenAPI document ([`doc`]) is generated from the handlers' own annotations and
//! types, and served at `/api/openapi.json`.
//!
//! Who may call: anyone reads public data; a session cookie authenticates reads from the
//! browser; every write needs a personal access token (`Authorization: Bearer mqt_…`), so the
//! API needs no CSRF token. A token acts with its owner's permissions as they are now, narrowed
//! to its scopes, and is rate limited.

pub mod accounts;
pub mod admin;
pub mod blog;
pub mod caller;
pub mod directory;
pub mod doc;
pub mod groups;
pub mod history;
pub mod json;
pub mod messages;
pub mod movies;
pub mod notifications;
pub mod people;
pub mod pictures;
pub mod problem;
pub mod respond;
pub mod search;

use actix_web::web;

pub use caller::{ApiLimits, Caller};
pub use json::Json;
pub use problem::{ApiError, Problem};
pub use respond::{
    MAX_LIMIT, at, created, if_match, json, limit, list_entries, not_found, page_cursor,
    page_links, tagged,
};

/// The API's routes, each area's beside its handlers: one resource per path, answering `405`
/// with `Allow` for other methods.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(at("/openapi.json").route(web::get().to(doc::openapi_json)))
        .service(
            web::scope("/v1")
                .configure(blog::routes)
                .configure(movies::routes)
                .configure(messages::routes)
                .configure(notifications::routes)
                .configure(people::routes)
                .configure(groups::routes)
                .configure(accounts::routes)
                .configure(admin::routes)
                .configure(history::routes)
                .configure(pictures::routes)
                .configure(directory::routes)
                .configure(search::routes),
        );
}
