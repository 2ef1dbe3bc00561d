//! JSON request bodies, refused with a problem when they are not JSON or hold control
//! characters.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use super::ApiError;

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
