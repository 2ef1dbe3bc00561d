//! Your own sessions and tokens through the API, as `/settings/sessions` and
//! `/settings/tokens` show them: list them, end a session, revoke a token (both audited).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Problem, json};
use crate::request::client_ip;
use crate::services::accounts::sessions::{self, Revoke};
use crate::services::accounts::tokens;
use crate::services::audit::Actor;
use crate::state::App;

/// A signed-in browser of yours.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionEntry {
    /// What ends it: `DELETE /api/v1/me/sessions/{id}`.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: String,
}

/// Your live sessions, most recently used first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionEntry>,
}

/// A personal access token of yours (never its secret).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenEntry {
    pub id: i32,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Neither revoked nor expired.
    pub live: bool,
}

/// Your tokens, newest first, live or not.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenEntry>,
}

/// Lists your live sessions (the browsers signed in as you).
#[utoipa::path(
    get,
    path = "/api/v1/me/sessions",
    tag = "members",
    responses(
        (status = 200, description = "Your sessions", body = SessionList),
        (status = 401, description = "Nobody is signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_sessions(caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let items = sessions::list(&app.db, user.id, app.lifetimes)
        .await?
        .into_iter()
        .map(|s| SessionEntry {
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect();
    Ok(json(StatusCode::OK, &SessionList { items }))
}

/// Ends one of your sessions: that browser is signed out at its next request (audited).
#[utoipa::path(
    delete,
    path = "/api/v1/me/sessions/{id}",
    tag = "members",
    params(("id" = String, Path, description = "The session's id, as listed")),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such session of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn end_session(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let id = path.into_inner();
    let actor = Actor::of(user, client_ip(&req));
    let ended = sessions::revoke(&app.db, &actor, user.id, Revoke::One(&id)).await?;
    if ended == 0 {
        return Err(crate::domain::ServiceError::NotFound.into());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Lists your personal access tokens, newest first (never their secrets).
#[utoipa::path(
    get,
    path = "/api/v1/me/tokens",
    tag = "members",
    responses(
        (status = 200, description = "Your tokens", body = TokenList),
        (status = 401, description = "Nobody is signed in", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_tokens(caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let now = Utc::now();
    let items = tokens::list(&app.db, user)
        .await?
        .into_iter()
        .map(|row| TokenEntry {
            live: row.is_live(&now),
            scopes: row.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            id: row.token.id,
            name: row.token.name,
            created_at: row.token.created_at,
            expires_at: row.token.expires_at,
            revoked_at: row.token.revoked_at,
        })
        .collect();
    Ok(json(StatusCode::OK, &TokenList { items }))
}

/// Revokes one of your tokens (audited; revoking one twice is harmless). A token may revoke
/// itself.
#[utoipa::path(
    delete,
    path = "/api/v1/me/tokens/{id}",
    tag = "members",
    params(("id" = i32, Path, description = "The token's id, as listed")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn revoke_token(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    tokens::revoke(&app.db, user, client_ip(&req), path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// These endpoints' routes ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::at("/me/sessions").route(web::get().to(list_sessions)))
        .service(crate::api::at("/me/sessions/{id}").route(web::delete().to(end_session)))
        .service(crate::api::at("/me/tokens").route(web::get().to(list_tokens)))
        .service(crate::api::at("/me/tokens/{id}").route(web::delete().to(revoke_token)));
}
