//! What API handlers answer with, and the small readers of their parameters: entity tags,
//! `201 Created`, list limits and cursors.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use crate::services::precondition::etag_of;

use super::ApiError;

/// A path's resource: other methods get actix's `405` with `Allow`, which the error handler
/// turns into a problem (`routes::error`).
pub fn at(path: &str) -> actix_web::Resource {
    web::resource(path)
}

/// Unknown paths under `/api`: a problem, not a page.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::Service(crate::domain::ServiceError::NotFound))
}

/// Largest page of any list.
pub const MAX_LIMIT: u64 = 100;

/// A single resource with its entity tag; `304 Not Modified` when the client's
/// `If-None-Match` already names it.
pub fn tagged<T: Serialize>(req: &HttpRequest, status: StatusCode, value: &T) -> HttpResponse {
    let tag = etag_of(value);
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| crate::services::precondition::none_match(v, &tag));
    if cached && status == StatusCode::OK {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .finish();
    }
    HttpResponse::build(status)
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(value)
}

/// `201 Created` with the new resource, its entity tag and its `Location` (a path of ours,
/// percent-encoded, so always a valid header value).
pub fn created<T: Serialize>(location: &str, value: &T) -> HttpResponse {
    let mut response = HttpResponse::Created();
    if let Ok(location) = header::HeaderValue::from_str(location) {
        response.insert_header((header::LOCATION, location));
    }
    response
        .insert_header((header::ETAG, etag_of(value)))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .json(value)
}

/// The request's `If-Match`, if any.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or("\"\"").to_owned())
}

/// A list page or a created resource: plain JSON.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> HttpResponse {
    HttpResponse::build(status).json(value)
}

/// Checks a `limit` parameter: 1 to [`MAX_LIMIT`], `default` when absent.
pub fn limit(requested: Option<u64>, default: u64) -> Result<u64, ApiError> {
    match requested {
        None => Ok(default),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}."
        ))),
    }
}

/// A page-number cursor as lists give them out (`"2"`): the page, or a 400.
pub fn page_cursor(cursor: Option<&str>) -> Result<u64, ApiError> {
    match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(1),
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=crate::services::MAX_PAGE).contains(n))
            .ok_or_else(|| ApiError::BadRequest("This cursor is not one the API gave out.".into())),
    }
}

/// The `next` and `prev` cursors of page `number` of `pages`.
pub fn page_links(number: u64, pages: u64) -> (Option<String>, Option<String>) {
    let next = (number < pages).then(|| (number + 1).to_string());
    let prev = (number > 1).then(|| (number - 1).min(pages.max(1)).to_string());
    (next, prev)
}

/// Checks a list sent as JSON whose page form is one text field split at `separators`: there
/// an entry holding a separator would be two and a blank one none, so the API refuses both
/// (as a problem with `field`) rather than read the list differently from the page.
pub fn list_entries<'a>(
    items: &'a [String],
    field: &'static str,
    separators: &[char],
) -> Result<impl Iterator<Item = &'a str> + use<'a>, crate::domain::ServiceError> {
    if items.iter().any(|item| item.trim().is_empty()) {
        return Err(crate::domain::ServiceError::invalid(
            field,
            "The list has an empty entry.",
        ));
    }
    if let Some(bad) = items.iter().find(|item| item.contains(separators)) {
        return Err(crate::domain::ServiceError::invalid(
            field,
            format!("“{bad}” may not contain a comma or a line break."),
        ));
    }
    Ok(items.iter().map(String::as_str))
}
