//! One error type for handlers: a service's [`ServiceError`] or one of the web's own (a bad
//! request, a login needed, a CSRF token refused, too many attempts). It knows its HTTP status;
//! `routes::error_page` turns any error response into the site's error page (or JSON). Internal
//! details are logged, never shown.

use actix_web::body::BoxBody;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::DbErr;

use crate::domain::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("We could not find the page you asked for.")]
    NotFound,
    /// What a service said: refused (403), invalid (422), conflict (409), busy (503) or a
    /// database failure (500).
    #[error(transparent)]
    Service(ServiceError),
    /// Not signed in: redirect to the login page, then back to this path.
    #[error("Please log in to continue.")]
    LoginRequired(String),
    #[error("Your form expired or came from another site. Go back, reload the page and try again.")]
    CsrfRejected,
    #[error("Too many failed login attempts. Try again in {} minute(s).", .0.div_ceil(60))]
    TooManyAttempts(u64),
    #[error("{0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => AppError::NotFound,
            other => AppError::Service(other),
        }
    }
}

/// Through [`ServiceError`]'s mapping: busy is a 503, a row gone is a 404, a violated unique
/// key a 409, anything else a 500.
impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        ServiceError::from(error).into()
    }
}

impl AppError {
    /// A 403 with the standard sentence.
    pub fn forbidden() -> AppError {
        AppError::Service(ServiceError::forbidden())
    }
}

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECS: u32 = 2;

impl AppError {
    /// What the visitor may read: internal errors get a generic sentence.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Service(ServiceError::Db(_)) | AppError::Internal(_) => {
                "Something went wrong on our side. It has been logged; please try again.".into()
            }
            other => other.to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Service(error) => service_status(error),
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if let AppError::LoginRequired(next) = self {
            let location = format!("/login?next={}", urlencode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        if let AppError::Service(ServiceError::Unavailable) = self {
            return HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()))
                .content_type(mime_text())
                .body(self.public_message());
        }
        if let AppError::TooManyAttempts(seconds) = self {
            return HttpResponse::TooManyRequests()
                .insert_header((header::RETRY_AFTER, seconds.to_string()))
                .content_type(mime_text())
                .body(self.public_message());
        }
        if self.status_code().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        // A plain fallback; `render_error_page` replaces it with the real page.
        HttpResponse::build(self.status_code())
            .content_type(mime_text())
            .body(self.public_message())
    }
}

/// The HTTP status of a service's answer; both faces of the site use it.
pub fn service_status(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Refused(_) => StatusCode::FORBIDDEN,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Stale => StatusCode::PRECONDITION_FAILED,
        ServiceError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ServiceError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
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
