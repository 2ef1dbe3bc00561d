//! One error type for handlers. It knows its HTTP status; [`render_error_page`] turns any error
//! response into an HTML page rendered from `templates/errors/error.html`, or into JSON when
//! the client asks for JSON. Internal details are logged, never shown.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use sea_orm::DbErr;

use crate::views::ErrorPage;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("We could not find the page you asked for.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("The database is unavailable; please try again shortly.")]
    Unavailable,
    /// Not signed in: redirect to the login page, then back to this path.
    #[error("Please log in to continue.")]
    LoginRequired(String),
    #[error("Your form expired or came from another site. Go back, reload the page and try again.")]
    CsrfRejected,
    #[error("Too many failed login attempts. Try again in {} minute(s).", .0.div_ceil(60))]
    TooManyAttempts(u64),
    #[error("database error: {0}")]
    Db(DbErr),
    #[error("{0:#}")]
    Internal(#[from] anyhow::Error),
}

/// A busy database (no connection in time, a lock not had, a deadlock) is a 503 the client
/// may retry; a row gone while the request ran (deleted by someone else) is a 404; every other
/// database error is a 500.
impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        if matches!(error, DbErr::RecordNotFound(_)) {
            AppError::NotFound
        } else if crate::services::is_transient(&error) {
            tracing::warn!(%error, "database busy: answering 503");
            AppError::Unavailable
        } else {
            AppError::Db(error)
        }
    }
}

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECS: u32 = 2;

impl AppError {
    /// What the visitor may read: internal errors get a generic sentence.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Db(_) | AppError::Internal(_) => {
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
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::CsrfRejected => StatusCode::FORBIDDEN,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if let AppError::LoginRequired(next) = self {
            let location = format!("/login?next={}", urlencode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        if let AppError::Unavailable = self {
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

impl From<crate::services::admin::AdminError> for AppError {
    fn from(error: crate::services::admin::AdminError) -> Self {
        use crate::services::admin::AdminError;
        match error {
            AdminError::NotFound => AppError::NotFound,
            AdminError::Db(e) => e.into(),
            AdminError::Refused(message) => AppError::Conflict(message),
            AdminError::Field(_, message) => AppError::Unprocessable(message),
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|s| s.trim_start_matches("v=").to_owned())
        .unwrap_or_default()
}

fn mime_text() -> &'static str {
    "text/plain; charset=utf-8"
}

/// True when the client prefers JSON over HTML (an API client or `fetch`).
pub fn wants_json(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// Title and message for a status, using the error's own message where there is one.
fn describe(status: StatusCode, error: Option<&actix_web::Error>) -> (String, String) {
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found".to_owned(),
        StatusCode::FORBIDDEN => "Forbidden".to_owned(),
        StatusCode::METHOD_NOT_ALLOWED => "Method not allowed".to_owned(),
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts".to_owned(),
        StatusCode::CONFLICT => "That change was refused".to_owned(),
        s if s.is_server_error() => "Something went wrong".to_owned(),
        s => s.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let message = match error {
        Some(e) => match e.as_error::<AppError>() {
            Some(app) => app.public_message(),
            None if status.is_server_error() => {
                "Something went wrong on our side. It has been logged; please try again.".into()
            }
            None => e.to_string(),
        },
        None => match status {
            StatusCode::NOT_FOUND => AppError::NotFound.to_string(),
            StatusCode::METHOD_NOT_ALLOWED => "That address does not accept this method.".into(),
            _ => title.clone(),
        },
    };
    (title, message)
}

/// `ErrorHandlers` default handler: renders error responses as a templated page or JSON.
///
/// Responses a handler built on purpose (a form re-rendered with a 422, say) carry no error
/// and a body, and pass through unchanged.
pub fn render_error_page<B: MessageBody>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let status = res.status();
    let has_error = res.response().error().is_some();
    let has_body = match res.response().body().size() {
        BodySize::Sized(n) => n > 0,
        BodySize::Stream => true,
        BodySize::None => false,
    };
    if !has_error && has_body {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let (title, message) = describe(status, res.response().error());
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (req, _) = res.into_parts();
    let response = if wants_json(&req) {
        HttpResponse::build(status).json(serde_json::json!({
            "error": { "status": status.as_u16(), "title": title, "message": message }
        }))
    } else {
        let page = ErrorPage::new(status.as_u16(), title, message.clone());
        match page.render() {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                HttpResponse::build(status)
                    .content_type(mime_text())
                    .body(message)
            }
        }
    };
    let mut response = response;
    if let Some(value) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
