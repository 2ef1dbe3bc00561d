//! Errors of the JSON API as RFC 9457 problem details (`application/problem+json`): a service's
//! [`ServiceError`] keeps its status (and its field errors on a 422 or 409), and the API adds
//! its own: a body that is not JSON (400), no or a bad token (401, with `WWW-Authenticate`),
//! too many requests (429, with `Retry-After`).

use actix_web::body::BoxBody;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{SERVER_FAULT, ServiceError};
use crate::routes::error::{AppError, RETRY_AFTER_SECS, service_status};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail (RFC 9457). `type` names the kind of problem (documented on the API
/// reference page); `errors` lists the fields at fault on a 422, or the whole change (`form`)
/// on a 409.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "/docs/api#invalid")]
    pub kind: String,
    #[schema(example = "Invalid input")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field's problem: `field` is the property of the request body (or `form` for the whole
/// change).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The kind (a fragment of the reference page) and title of each status the API answers with.
pub fn kind_of(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST => ("bad-request", "Bad request"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "Authentication required"),
        StatusCode::FORBIDDEN => ("forbidden", "Forbidden"),
        StatusCode::NOT_FOUND => ("not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::CONFLICT => ("conflict", "Conflict"),
        StatusCode::PRECONDITION_FAILED => ("stale", "Precondition failed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("too-large", "Request body too large"),
        StatusCode::UNPROCESSABLE_ENTITY => ("invalid", "Invalid input"),
        StatusCode::TOO_MANY_REQUESTS => ("rate-limited", "Too many requests"),
        StatusCode::SERVICE_UNAVAILABLE => ("unavailable", "Service unavailable"),
        _ => ("server-error", "Internal server error"),
    }
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        let (kind, title) = kind_of(status);
        Problem {
            kind: format!("/docs/api#{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .content_type(PROBLEM_JSON)
            .json(self)
    }
}

/// What an API handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// The request itself is malformed: not JSON, a wrong type, an unknown cursor (400).
    #[error("{0}")]
    BadRequest(String),
    /// No usable credentials (401): the RFC 6750 error code (none when no credentials came at
    /// all) and what was wrong.
    #[error("{1}")]
    Unauthorized(Option<&'static str>, String),
    /// A body over its limit, refused without reading the rest (413).
    #[error("{0}")]
    TooLarge(String),
    /// The token's rate limit: wait this many seconds (429).
    #[error("This token has made too many requests; wait {0} second(s).")]
    RateLimited(u64),
    /// Another limit (comments per account): why, and the seconds to wait (429).
    #[error("{0}")]
    Wait(String, u64),
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        ApiError::Service(error.into())
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Service(e) => ApiError::Service(e),
            AppError::NotFound => ApiError::Service(ServiceError::NotFound),
            AppError::BadRequest(message) => ApiError::BadRequest(message),
            AppError::TooLarge(message) => ApiError::TooLarge(message),
            AppError::TooManyAttempts(seconds) => ApiError::RateLimited(seconds),
            other => ApiError::Internal(anyhow::anyhow!("{other}")),
        }
    }
}

impl ApiError {
    /// The 401 for a write without a token.
    pub fn token_required() -> ApiError {
        ApiError::Unauthorized(
            None,
            "This call needs a personal access token (Authorization: Bearer …); make one at /settings/tokens."
                .into(),
        )
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            ApiError::Service(ServiceError::Db(_)) | ApiError::Internal(_) => SERVER_FAULT.into(),
            ApiError::Service(ServiceError::Invalid(_)) => {
                "Some values are not acceptable; see errors.".into()
            }
            other => other.to_string(),
        };
        let mut problem = Problem::new(status, detail);
        if let ApiError::Service(ServiceError::Invalid(errors) | ServiceError::Conflict(errors)) =
            self
        {
            problem.errors = errors
                .entries()
                .map(|(field, message)| FieldProblem {
                    field: field.to_owned(),
                    message: message.to_owned(),
                })
                .collect();
        }
        problem
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Service(error) => service_status(error),
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            ApiError::RateLimited(_) | ApiError::Wait(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if self.status_code().is_server_error() {
            tracing::error!(error = %self, "API request failed");
        }
        let mut response = self.problem().response();
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized(code, _) => {
                let challenge = match code {
                    Some(code) => format!("Bearer realm=\"marquee\", error=\"{code}\""),
                    None => "Bearer realm=\"marquee\"".to_owned(),
                };
                if let Ok(value) = header::HeaderValue::from_str(&challenge) {
                    headers.insert(header::WWW_AUTHENTICATE, value);
                }
            }
            ApiError::RateLimited(seconds) | ApiError::Wait(_, seconds) => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from(*seconds));
            }
            ApiError::Service(ServiceError::Unavailable) => {
                headers.insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(RETRY_AFTER_SECS),
                );
            }
            _ => {}
        }
        response
    }
}
