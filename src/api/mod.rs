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

pub mod admin;
pub mod blog;
pub mod doc;
pub mod movies;
pub mod people;
pub mod problem;

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use problem::{ApiError, Problem};

use crate::domain::{CurrentUser, Viewer};
use crate::services::precondition::etag_of;
use crate::services::tokens;

/// The API's routes: one resource per path, answering `405` with `Allow` for other methods.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{delete, get, post, put};
    cfg.service(at("/openapi.json").route(get().to(doc::openapi_json)))
        .service(
            web::scope("/v1")
                .service(
                    at("/posts")
                        .route(get().to(blog::list_posts))
                        .route(post().to(blog::create_post)),
                )
                .service(
                    at("/posts/{slug}")
                        .route(get().to(blog::get_post))
                        .route(put().to(blog::update_post))
                        .route(delete().to(blog::delete_post)),
                )
                .service(at("/posts/{slug}/publish").route(post().to(blog::publish_post)))
                .service(
                    at("/posts/{slug}/comments")
                        .route(get().to(blog::list_comments))
                        .route(post().to(blog::create_comment)),
                )
                .service(at("/comments/{id}/hide").route(post().to(blog::hide_comment)))
                .service(at("/comments/{id}/unhide").route(post().to(blog::unhide_comment)))
                .service(at("/categories").route(get().to(blog::list_categories)))
                .service(at("/tags").route(get().to(blog::list_tags)))
                .service(
                    at("/movies")
                        .route(get().to(movies::list_movies))
                        .route(post().to(movies::create_movie)),
                )
                .service(
                    at("/movies/{id}")
                        .route(get().to(movies::get_movie))
                        .route(put().to(movies::update_movie))
                        .route(delete().to(movies::delete_movie)),
                )
                .service(
                    at("/movies/{id}/reviews")
                        .route(get().to(movies::list_reviews))
                        .route(post().to(movies::create_review)),
                )
                .service(
                    at("/movies/{id}/reviews/{review}")
                        .route(put().to(movies::update_review))
                        .route(delete().to(movies::delete_review)),
                )
                .service(at("/people/{id}").route(get().to(movies::get_person)))
                .service(at("/users/{username}").route(get().to(people::get_user)))
                .service(
                    at("/me")
                        .route(get().to(people::get_me))
                        .route(put().to(people::update_me)),
                )
                .service(at("/groups").route(get().to(people::list_groups)))
                .service(at("/groups/{id}").route(get().to(people::get_group)))
                .service(at("/groups/{id}/join").route(post().to(people::join_group)))
                .service(at("/groups/{id}/leave").route(post().to(people::leave_group)))
                .service(
                    at("/admin/roles")
                        .route(get().to(admin::list_roles))
                        .route(post().to(admin::create_role)),
                )
                .service(
                    at("/admin/roles/{id}")
                        .route(get().to(admin::get_role))
                        .route(put().to(admin::update_role))
                        .route(delete().to(admin::delete_role)),
                )
                .service(at("/admin/users").route(get().to(admin::list_users)))
                .service(at("/admin/users/{id}").route(put().to(admin::update_user)))
                .service(
                    at("/admin/users/{id}/reset-link").route(post().to(admin::send_reset_link)),
                )
                .service(at("/admin/audit").route(get().to(admin::audit_log))),
        );
}

/// A path's resource: other methods get actix's `405` with `Allow`, which the error handler
/// turns into a problem (`routes::error_page`).
fn at(path: &str) -> actix_web::Resource {
    web::resource(path)
}

/// Unknown paths under `/api`: a problem, not a page.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::Service(crate::domain::ServiceError::NotFound))
}

/// Largest page of any list.
pub const MAX_LIMIT: u64 = 100;

/// The caller of an API request: somebody (by token or, for reads, by session cookie) or
/// nobody.
pub struct Caller {
    pub user: Option<CurrentUser>,
    /// The token's id when the caller came with a token.
    pub token: Option<i32>,
}

impl Caller {
    pub fn viewer(&self) -> Viewer<'_> {
        self.user.as_ref()
    }

    /// The caller, who must be somebody (401 otherwise).
    pub fn someone(&self) -> Result<&CurrentUser, ApiError> {
        self.user.as_ref().ok_or_else(ApiError::token_required)
    }

    /// The caller of a write: somebody who came with a token (401 otherwise, also for a
    /// session cookie).
    pub fn writer(&self) -> Result<&CurrentUser, ApiError> {
        match (&self.user, self.token) {
            (Some(user), Some(_)) => Ok(user),
            _ => Err(ApiError::token_required()),
        }
    }
}

/// The API's settings: requests a token may make per minute.
#[derive(Clone, Copy, Debug)]
pub struct ApiLimits {
    pub per_minute: u32,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let authorization = req
                .headers()
                .get(header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap_or("").to_owned());
            let Some(authorization) = authorization else {
                // A session authenticates reads only; a write without a token is nobody's.
                if matches!(*req.method(), Method::GET | Method::HEAD) {
                    let user = crate::auth::resolve(&req).await.map_err(ApiError::from)?;
                    return Ok(Caller { user, token: None });
                }
                return Ok(Caller {
                    user: None,
                    token: None,
                });
            };
            let secret = authorization
                .strip_prefix("Bearer ")
                .or_else(|| authorization.strip_prefix("bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        Some("invalid_request"),
                        "Send the token as Authorization: Bearer <token>.".into(),
                    )
                })?;
            let db = data::<DatabaseConnection>(&req)?;
            let Some((token_id, user)) = tokens::authenticate(db.get_ref(), secret).await? else {
                return Err(ApiError::Unauthorized(
                    Some("invalid_token"),
                    "This token is unknown, expired or revoked, or its account is inactive.".into(),
                ));
            };
            let limits = req
                .app_data::<web::Data<ApiLimits>>()
                .map_or(600, |l| l.per_minute);
            let throttle = data::<crate::auth::throttle::LoginThrottle>(&req)?;
            throttle
                .api_call(token_id, limits)
                .await
                .map_err(ApiError::RateLimited)?;
            Ok(Caller {
                user: Some(user),
                token: Some(token_id),
            })
        })
    }
}

fn data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, ApiError> {
    req.app_data::<web::Data<T>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("app data missing")))
}

/// A JSON request body. Everything the input guard refuses in forms is refused here too: a
/// string holding a control character other than tab and line breaks is a 400, before any
/// service sees it. A body that is not JSON, or has a value of the wrong type, is a 400;
/// missing fields are read as empty, so the service reports them as field problems (422).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|_| {
                ApiError::BadRequest("The request body could not be read (at most 1 MiB).".into())
            })?;
            let value: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| ApiError::BadRequest(format!("The body is not JSON: {e}.")))?;
            if !clean(&value) {
                return Err(ApiError::BadRequest(
                    "The body contains control characters that cannot be accepted.".into(),
                ));
            }
            serde_json::from_value(value).map(Json).map_err(|e| {
                ApiError::BadRequest(format!("The body does not fit this operation: {e}."))
            })
        })
    }
}

/// True when no string (or key) in `value` holds a forbidden control character.
fn clean(value: &serde_json::Value) -> bool {
    let ok = |s: &str| {
        s.chars()
            .all(|c| matches!(c, '\t' | '\n' | '\r') || !c.is_control())
    };
    match value {
        serde_json::Value::String(s) => ok(s),
        serde_json::Value::Array(items) => items.iter().all(clean),
        serde_json::Value::Object(map) => map.iter().all(|(k, v)| ok(k) && clean(v)),
        _ => true,
    }
}

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

/// The client's address, for the audit log.
pub fn ip(req: &HttpRequest) -> Option<String> {
    crate::request::client_ip(req)
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

/// A list sent as JSON, as the one text field its form has: items joined by commas. An item
/// holding a separator would become two, and a blank one would vanish, so both are refused
/// as a problem with `field`.
pub fn joined(
    items: &[String],
    field: &'static str,
    separators: &[char],
) -> Result<String, crate::domain::ServiceError> {
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
    Ok(items.join(", "))
}
