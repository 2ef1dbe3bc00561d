//! `/docs/api`: the API reference, rendered from the served OpenAPI document.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;

use super::render_status;
use crate::routes::error::AppError;
use crate::views::{ApiReferencePage, PageContext};

pub async fn reference(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::OK, &ApiReferencePage::new(ctx))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/docs/api", web::get().to(reference));
}
