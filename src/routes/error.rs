//! The pages' face of an error: [`AppError`] (a service's [`ServiceError`] or one of the web's
//! own: a bad request, a login needed, a CSRF token refused, too many attempts), the HTTP status
//! of each ([`service_status`], which the API uses too), and the error handler that turns every
//! error response (a handler's, a 404 for an unknown path, a 405, a 413 …) into the site's
//! templated page, or into problem details (`api::problem`) when the client asks for JSON.
//! Internal details are logged, never shown.

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use sea_orm::DbErr;

use crate::domain::{SERVER_FAULT, ServiceError};
use crate::views::ErrorPage;

const TEXT: &str = "text/plain; charset=utf-8";

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
    /// A body over its limit, refused without reading the rest (413).
    #[error("{0}")]
    TooLarge(String),
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
pub const RETRY_AFTER_SECS: u32 = 2;

impl AppError {
    /// What the visitor may read: internal errors get a generic sentence.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Service(ServiceError::Db(_)) | AppError::Internal(_) => SERVER_FAULT.into(),
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
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        if let AppError::LoginRequired(next) = self {
            let location = format!("/login?next={}", super::respond::urlencode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        if let AppError::Service(ServiceError::Unavailable) = self {
            return HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()))
                .content_type(TEXT)
                .body(self.public_message());
        }
        if let AppError::TooManyAttempts(seconds) = self {
            return HttpResponse::TooManyRequests()
                .insert_header((header::RETRY_AFTER, seconds.to_string()))
                .content_type(TEXT)
                .body(self.public_message());
        }
        if self.status_code().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        // A plain fallback; `render_error_page` replaces it with the real page.
        HttpResponse::build(self.status_code())
            .content_type(TEXT)
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
            None if status.is_server_error() => SERVER_FAULT.into(),
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
    if res.request().path().starts_with("/api/") {
        return Ok(api_problem(res, has_body));
    }
    let (title, message) = describe(status, res.response().error());
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (req, _) = res.into_parts();
    let response = if wants_json(&req) {
        // The API's one error shape, for any client that asks for JSON.
        crate::api::Problem::new(status, message).response()
    } else {
        let page = ErrorPage::new(status.as_u16(), title, message.clone());
        match page.render() {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                HttpResponse::build(status).content_type(TEXT).body(message)
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

/// Under `/api/`: the API's own problems pass through; any other error response (an unknown
/// method, a query string that does not parse, a body too large) becomes a problem too.
fn api_problem<B: MessageBody>(res: ServiceResponse<B>, has_body: bool) -> ErrorHandlerResponse<B> {
    let own = res
        .response()
        .error()
        .is_some_and(|e| e.as_error::<crate::api::ApiError>().is_some());
    let plain = res.response().error().is_none();
    if has_body && (own || plain) {
        return ErrorHandlerResponse::Response(res.map_into_left_body());
    }
    let status = res.status();
    let detail = match res.response().error() {
        Some(e) if !status.is_server_error() => e.to_string(),
        _ => crate::api::problem::kind_of(status).1.to_owned(),
    };
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let mut response = crate::api::Problem::new(status, detail).response();
    for (name, value) in [(header::RETRY_AFTER, retry_after), (header::ALLOW, allow)] {
        if let Some(value) = value {
            response.headers_mut().insert(name, value);
        }
    }
    ErrorHandlerResponse::Response(ServiceResponse::new(req, response).map_into_right_body())
}
