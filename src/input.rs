//! The input guard: middleware that refuses, with a 400 page, any request whose path, query
//! string or form body is not valid UTF-8 once percent-decoded, or carries a control character.
//!
//! PostgreSQL rejects a NUL byte in any text value, and no Marquee field has a use for control
//! characters, so they are refused here, once, before any handler or database sees them. Form
//! bodies may keep tab, line feed and carriage return (text areas); paths and query strings may
//! not. A query string is at most [`MAX_QUERY`] bytes: every search term arrives in one, and
//! SQLite refuses a `LIKE` pattern over 50,000 bytes with an error (a search of 50,000 letters
//! was a 500). The domain parsers still check their own values: this is the floor, not the only
//! check.

use std::borrow::Cow;

use actix_web::HttpMessage;
use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};

use crate::routes::error::AppError;

/// Longest query string accepted, in bytes as sent (percent-encoded): room for any filter the
/// pages offer, and far below SQLite's 50,000-byte limit on a `LIKE` pattern, which a search
/// term becomes (escaped, at most twice as long).
pub const MAX_QUERY: usize = 8 * 1024;

const TOO_LONG: &str = "The address is too long: its query (after the ?) may be at most 8 KiB.";

/// Largest form body read (forms are limited to less than this anyway).
pub const MAX_FORM: usize = 1024 * 1024;

const REFUSED: &str = "The request contained characters that cannot be accepted (control characters or text that is not valid UTF-8).";

/// A refusal is answered here, as a response that carries its error, so the error handler
/// renders it like any other (the error page, or a problem under `/api`).
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // `ServiceRequest::into_response` would drop the error from the response. A body left
    // unread ends the connection, so that no client sends its next request down it.
    let refuse = |req: ServiceRequest, error: actix_web::Error| {
        let unread = req.headers().contains_key(header::CONTENT_LENGTH)
            || req.headers().contains_key(header::TRANSFER_ENCODING);
        let (request, _) = req.into_parts();
        let mut response = HttpResponse::from_error(error);
        if unread {
            response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
        }
        Ok(ServiceResponse::new(request, response).map_into_right_body())
    };
    if req.query_string().len() > MAX_QUERY {
        return refuse(req, AppError::BadRequest(TOO_LONG.into()).into());
    }
    let path_ok = decoded_ok(req.path().as_bytes(), false);
    let query_ok = decoded_ok(req.query_string().as_bytes(), false);
    if !path_ok || !query_ok {
        return refuse(req, AppError::BadRequest(REFUSED.into()).into());
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && is_form(&req) {
        let body = match read_body(&mut req).await {
            Ok(body) => body,
            Err(error) => return refuse(req, error),
        };
        if !decoded_ok(&body, true) {
            return refuse(req, AppError::BadRequest(REFUSED.into()).into());
        }
        req.set_payload(Payload::from(body));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn is_form(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// Largest upload body read (a picture of at most `pictures::MAX_UPLOAD` bytes with the
/// multipart framing and the other fields around it).
pub const MAX_UPLOAD_BODY: usize = crate::services::pictures::MAX_UPLOAD + 64 * 1024;

/// Whether the body is `multipart/form-data` (a form with a file).
pub fn is_multipart(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads a whole upload body, refusing with a 413 one larger than [`MAX_UPLOAD_BODY`]: at once
/// when its `Content-Length` says so, else as soon as it grows past the limit, never reading
/// the rest.
pub async fn read_upload(req: &mut ServiceRequest) -> Result<Bytes, actix_web::Error> {
    use futures_util::StreamExt;
    let too_large = || {
        AppError::TooLarge(format!(
            "The upload is too large: pictures may be at most {} MiB.",
            crate::services::pictures::MAX_UPLOAD / 1024 / 1024
        ))
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_UPLOAD_BODY as u64) {
        return Err(too_large().into());
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len().saturating_add(chunk.len()) > MAX_UPLOAD_BODY {
            return Err(too_large().into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Reads the whole body, refusing one larger than [`MAX_FORM`] with a 400.
pub async fn read_body(req: &mut ServiceRequest) -> Result<Bytes, actix_web::Error> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk?;
        if body.len().saturating_add(chunk.len()) > MAX_FORM {
            return Err(AppError::BadRequest("The form is too large.".into()).into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// True when `raw`, percent-decoded, is UTF-8 without forbidden control characters. (A `+`
/// in a form or query decodes to a space, which is allowed either way, so it needs no handling.)
pub fn decoded_ok(raw: &[u8], allow_line_breaks: bool) -> bool {
    let decoded: Cow<'_, [u8]> = percent_encoding::percent_decode(raw).into();
    match std::str::from_utf8(&decoded) {
        Ok(text) => text.chars().all(|c| allowed(c, allow_line_breaks)),
        Err(_) => false,
    }
}

/// Whether `c` may appear in a value: no C0 or C1 control character and no DEL, except tab,
/// line feed and carriage return where line breaks are allowed.
fn allowed(c: char, allow_line_breaks: bool) -> bool {
    if allow_line_breaks && matches!(c, '\t' | '\n' | '\r') {
        return true;
    }
    !c.is_control()
}

#[cfg(test)]
mod tests {
    use super::decoded_ok;

    #[test]
    fn ordinary_text_passes() {
        assert!(decoded_ok(b"q=caf%C3%A9+100%25&page=2", false));
        assert!(decoded_ok("/users/zoë".as_bytes(), false));
        assert!(decoded_ok(b"body=line+one%0D%0Aline+two%09tab", true));
        assert!(
            decoded_ok(b"a=100%", false),
            "a lone % is just a percent sign"
        );
    }

    #[test]
    fn nul_and_other_control_characters_are_refused() {
        assert!(!decoded_ok(b"q=a%00b", false));
        assert!(!decoded_ok(b"/tags/x%00", false));
        assert!(!decoded_ok(b"q=%1B%5B31m", false));
        assert!(!decoded_ok(b"q=%C2%85", false), "C1 control (NEL)");
        assert!(!decoded_ok(b"q=%7F", false));
        assert!(
            !decoded_ok(b"q=line%0Abreak", false),
            "no line breaks in a query"
        );
        assert!(
            !decoded_ok(b"body=a%00", true),
            "NUL never, even in a text area"
        );
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(!decoded_ok(b"q=%FF%FE", false));
        assert!(!decoded_ok(b"q=%C3", false));
        assert!(!decoded_ok(b"/posts/%ED%A0%80", false), "a lone surrogate");
    }
}
