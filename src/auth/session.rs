//! Typed access to the session: who is signed in (user id, session version and the token of the
//! server-side session row) and the CSRF token. The session id is renewed at login, and the
//! whole session purged at logout.

use actix_session::{Session, SessionExt};
use actix_web::HttpRequest;
use base64::Engine;
use rand::RngCore;

use crate::services::accounts::sessions::SignedIn;

const USER_ID: &str = "uid";
const VERSION: &str = "uver";
const CSRF: &str = "csrf";
const TOKEN: &str = "stok";

pub struct UserSession(Session);

impl UserSession {
    pub fn from_request_sync(req: &HttpRequest) -> UserSession {
        UserSession(req.get_session())
    }

    pub fn new(session: Session) -> UserSession {
        UserSession(session)
    }

    /// Who is signed in, if anyone.
    pub fn user(&self) -> Option<SignedIn> {
        Some(SignedIn {
            user_id: self.0.get::<i32>(USER_ID).ok().flatten()?,
            version: self.0.get::<i32>(VERSION).ok().flatten()?,
            token: self.0.get::<String>(TOKEN).ok().flatten()?,
        })
    }

    /// Signs `user_id` in with a fresh session id, the token of its server-side session row,
    /// and a fresh CSRF token.
    pub fn log_in(
        &self,
        user_id: i32,
        version: i32,
        token: &str,
    ) -> Result<(), actix_session::SessionInsertError> {
        self.0.renew();
        self.0.remove(CSRF);
        self.0.insert(USER_ID, user_id)?;
        self.0.insert(VERSION, version)?;
        self.0.insert(TOKEN, token)
    }

    /// Keeps this session valid after the account's version was bumped on purpose (the user
    /// changed their own password: other sessions end, this one stays).
    pub fn set_version(&self, version: i32) -> Result<(), actix_session::SessionInsertError> {
        self.0.renew();
        self.0.insert(VERSION, version)
    }

    /// Forgets everything in the session and gives it a new id (flash messages still work).
    pub fn log_out(&self) {
        self.0.clear();
        self.0.renew();
    }

    /// The CSRF token of this session, created on first use.
    pub fn csrf_token(&self) -> String {
        if let Ok(Some(token)) = self.0.get::<String>(CSRF) {
            return token;
        }
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        if let Err(error) = self.0.insert(CSRF, &token) {
            tracing::warn!(%error, "could not store the CSRF token");
        }
        token
    }

    /// The stored token, without creating one.
    pub fn stored_csrf_token(&self) -> Option<String> {
        self.0.get::<String>(CSRF).ok().flatten()
    }

    pub fn inner(&self) -> &Session {
        &self.0
    }
}
