//! Thin handlers: parse, call one service, render a page or redirect.

pub mod health;
pub mod home;

use actix_web::web;

use crate::errors::AppError;

/// Pages that use the session (flash messages, later the signed-in user).
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::index));
}

/// Fallback for unknown paths: the templated 404 page (or JSON 404).
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
