//! The admin area: its pages ([`pages`]: dashboard, roles, audit log; [`users`]: accounts), a role's
//! history and reverts ([`history`]) and an account's grants and denials ([`overrides`]).

pub mod bulk;
pub mod history;
pub mod overrides;
pub mod pages;
mod preview;
pub mod users;

use actix_web::web;

/// The area's routes, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use pages::*;
    use users::*;
    cfg.service(
        web::scope("/admin")
            .route("", web::get().to(dashboard))
            .route("/roles", web::get().to(roles))
            .route("/roles/new", web::get().to(role_new_form))
            .route("/roles/new", web::post().to(role_create))
            .route("/roles/{id}/edit", web::get().to(role_edit_form))
            .route("/roles/{id}/edit", web::post().to(role_update))
            .route("/roles/{id}/delete", web::get().to(role_delete_form))
            .route("/roles/{id}/delete", web::post().to(role_delete))
            .route("/roles/{id}/history", web::get().to(history::page))
            .route(
                "/roles/{id}/history/{entry}/revert",
                web::post().to(history::revert),
            )
            .route("/users", web::get().to(users))
            .route("/users/bulk", web::post().to(bulk::bulk))
            .route("/users/{id}", web::get().to(user_edit_form))
            .route("/users/{id}", web::post().to(user_update))
            .route("/users/{id}/history", web::get().to(history::account_page))
            .route("/users/{id}/reset-link", web::post().to(user_reset_link))
            .route("/users/{id}/overrides", web::post().to(overrides::save))
            .route(
                "/users/{id}/overrides/{permission}/remove",
                web::post().to(overrides::remove),
            )
            .route("/audit", web::get().to(audit)),
    );
}
