//! CSRF protection for every state-changing request. Middleware on the session scope: a POST
//! (or any non-safe method) must carry the session's token, as the `csrf_token` form field or
//! the `X-CSRF-Token` header; otherwise it gets a 403 page and the handler never runs.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

use super::session::UserSession;
use crate::routes::error::AppError;

/// Form field that carries the token.
pub const FIELD: &str = "csrf_token";

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.call(req).await;
    }
    let expected = UserSession::from_request_sync(req.request()).stored_csrf_token();
    let header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let provided = match header {
        Some(token) => Some(token),
        None if crate::input::is_multipart(&req) => {
            let body = crate::input::read_upload(&mut req).await?;
            let token = multipart_field(req.headers(), body.clone(), FIELD).await;
            req.set_payload(Payload::from(body));
            token
        }
        None => {
            let body = crate::input::read_body(&mut req).await?;
            let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .ok()
                .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v));
            req.set_payload(Payload::from(body));
            token
        }
    };
    match (expected, provided) {
        (Some(expected), Some(provided))
            if constant_time_eq(expected.as_bytes(), provided.as_bytes()) =>
        {
            next.call(req).await
        }
        _ => {
            tracing::warn!(
                path = %crate::request::loggable_target(req.path()),
                "CSRF token missing or wrong"
            );
            Err(AppError::CsrfRejected.into())
        }
    }
}

/// The text of field `name` in a `multipart/form-data` body (the form puts the token first),
/// by `actix-multipart`; `None` when there is none or the body is not well formed.
async fn multipart_field(
    headers: &actix_web::http::header::HeaderMap,
    body: actix_web::web::Bytes,
    name: &str,
) -> Option<String> {
    use futures_util::StreamExt;
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut multipart = actix_multipart::Multipart::new(headers, stream);
    while let Some(Ok(mut field)) = multipart.next().await {
        if field.name() != Some(name) {
            continue;
        }
        let mut value = Vec::new();
        while let Some(Ok(chunk)) = field.next().await {
            // A token is 43 characters: anything much longer is not one.
            if value.len().saturating_add(chunk.len()) > 256 {
                return None;
            }
            value.extend_from_slice(&chunk);
        }
        return String::from_utf8(value).ok();
    }
    None
}

/// Compares in constant time (`subtle`), so the time taken says nothing of how much matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn tokens_compare_equal_only_when_identical() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
