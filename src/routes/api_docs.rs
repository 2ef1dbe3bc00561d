//! `/docs/api`: the API reference, rendered from the served OpenAPI document.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::render_status;
use crate::errors::AppError;
use crate::views::{ApiReferencePage, PageContext};

pub async fn reference(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::OK, &ApiReferencePage::new(ctx))
}
