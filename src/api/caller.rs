//! Who calls the API: a token's owner (narrowed to the token's scopes, rate limited) or, for
//! reads, a signed-in browser's session; or nobody.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, dev::Payload};

use crate::domain::{CurrentUser, Viewer};
use crate::services::accounts::tokens;

use super::ApiError;

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
            let app = crate::state::AppState::of(&req).map_err(ApiError::Internal)?;
            let Some((token_id, user)) = tokens::authenticate(&app.db, secret).await? else {
                return Err(ApiError::Unauthorized(
                    Some("invalid_token"),
                    "This token is unknown, expired or revoked, or its account is inactive.".into(),
                ));
            };
            app.throttle
                .api_call(token_id, app.api_limits.per_minute)
                .await
                .map_err(ApiError::RateLimited)?;
            Ok(Caller {
                user: Some(user),
                token: Some(token_id),
            })
        })
    }
}
