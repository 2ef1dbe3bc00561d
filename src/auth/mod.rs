//! Authentication on the web: sessions, CSRF, login throttling and the extractors that resolve
//! the signed-in user ([`CurrentUser`], a domain type) of a request. What a user may do is the
//! services' business.

pub mod csrf;
pub mod session;
pub mod store;
pub mod throttle;

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::domain::CurrentUser;
use crate::routes::error::AppError;
use crate::services::accounts::{self};
use session::UserSession;

/// Shared by every extractor of one request, so the user is loaded once even when actix
/// extracts several handler arguments at the same time (the second waits for the first).
#[derive(Clone, Default)]
struct Resolved(std::rc::Rc<tokio::sync::OnceCell<Option<CurrentUser>>>);

/// True when this request was found to come from a signed-in user (after [`resolve`] ran).
pub fn was_signed_in(req: &HttpRequest) -> bool {
    req.extensions()
        .get::<Resolved>()
        .is_some_and(|r| r.0.get().is_some_and(Option::is_some))
}

/// Loads the user of this request's session, if any: the server-side session must be live, the
/// account must exist and be active, and the session's version must match the account's.
pub async fn resolve(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let resolved = {
        let mut extensions = req.extensions_mut();
        match extensions.get::<Resolved>() {
            Some(resolved) => resolved.clone(),
            None => {
                let resolved = Resolved::default();
                extensions.insert(resolved.clone());
                resolved
            }
        }
    };
    resolved.0.get_or_try_init(|| load_user(req)).await.cloned()
}

async fn load_user(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let session = UserSession::from_request_sync(req);
    let user = match session.user() {
        None => None,
        Some(signed_in) => {
            let app = crate::state::AppState::of(req)?;
            match accounts::current_user(&app.db, &signed_in, app.lifetimes).await? {
                Some(user) => Some(user),
                None => {
                    // Stale or revoked: forget it so the visitor is simply signed out.
                    session.log_out();
                    None
                }
            }
        }
    };
    Ok(user)
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "marquee_session";

/// Middleware: pages shown to a signed-in user carry `Cache-Control: no-store`, so no shared
/// cache or back button keeps a copy of them.
pub async fn no_store_when_signed_in(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if was_signed_in(res.request()) {
        res.headers_mut().insert(
            actix_web::http::header::CACHE_CONTROL,
            actix_web::http::header::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res)
}

/// The signed-in user or nobody.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(resolve(&req).await?)) })
    }
}

/// A signed-in user; anonymous visitors are sent to the login page and back.
pub struct RequireUser(pub CurrentUser);

impl FromRequest for RequireUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match resolve(&req).await? {
                Some(user) => Ok(RequireUser(user)),
                None => Err(AppError::LoginRequired(login_return_path(&req))),
            }
        })
    }
}

/// Where to come back to after logging in: this page for GETs, the referring page otherwise.
fn login_return_path(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        return req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| "/".into());
    }
    "/".into()
}
