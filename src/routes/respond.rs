//! What page handlers answer with: a rendered page, a redirect with a flash message, a form
//! shown again with its problems.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

use super::error::AppError;
use crate::domain::{FieldErrors, ServiceError};

/// Fallback for unknown paths: the templated 404 page (or JSON 404).
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// 303 See Other to `location` (after every successful POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Renders a page with a status other than 200 (a form with errors is a 422).
pub fn render_status(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// The one way a form page shows its problems again: a service's `Invalid` (422) or
/// `Conflict` (409) gives the status and the field errors to render the page with; any other
/// error is the handler's error.
pub fn problems(error: ServiceError) -> Result<(StatusCode, FieldErrors), AppError> {
    match error {
        ServiceError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        ServiceError::Conflict(errors) => Ok((StatusCode::CONFLICT, errors)),
        other => Err(other.into()),
    }
}

/// A form's parse, then the service call with its input: one `Result` for both, so a handler
/// answers once (`submit(form.parse(), |input| service(db, &user, input)).await`).
pub async fn submit<I, T, F>(
    parsed: Result<I, ServiceError>,
    call: impl FnOnce(I) -> F,
) -> Result<T, ServiceError>
where
    F: std::future::Future<Output = Result<T, ServiceError>>,
{
    call(parsed?).await
}

/// After a successful POST: a flash message for the next page, and a 303 to `location`.
pub fn done(
    session: &actix_session::Session,
    level: crate::flash::Level,
    message: impl Into<String>,
    location: &str,
) -> HttpResponse {
    crate::flash::push(session, level, message);
    see_other(location)
}

/// Percent-encodes a value for a path segment or a query string: everything but RFC 3986's
/// unreserved characters (letters, digits, `-`, `.`, `_`, `~`), so `/`, `?`, `&` and spaces too.
pub fn urlencode(value: &str) -> String {
    const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, COMPONENT).to_string()
}

pub fn mime_text() -> &'static str {
    "text/plain; charset=utf-8"
}
