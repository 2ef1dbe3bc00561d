//! CSRF protection for every state-changing request. Middleware on the session scope: a POST
//! (or any non-safe method) must carry the session's token, as the `csrf_token` form field or
//! the `X-CSRF-Token` header; otherwise it gets a 403 page and the handler never runs.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use super::session::UserSession;
use crate::errors::AppError;

/// Form field that carries the token.
pub const FIELD: &str = "csrf_token";
/// Largest form body the check will read (the same limit forms have anyway).
const MAX_FORM: usize = 1024 * 1024;

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
        None => {
            let body = read_body(&mut req).await?;
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
            tracing::warn!(path = %req.path(), "CSRF token missing or wrong");
            Err(AppError::CsrfRejected.into())
        }
    }
}

async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, actix_web::Error> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len() + chunk.len() > MAX_FORM {
            return Err(AppError::BadRequest("The form is too large.".into()).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Compares without stopping at the first difference.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
