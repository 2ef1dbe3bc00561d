//! The error page: every error response (a handler's [`AppError`], a 404 for an unknown path, a
//! 405, a 413 …) becomes the site's templated page, or JSON when the client asks for JSON.

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::errors::{AppError, mime_text};
use crate::views::ErrorPage;

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
    if res.request().path().starts_with("/api/") {
        return Ok(api_problem(res, has_body));
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
