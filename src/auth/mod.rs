//! Authentication and authorisation: passwords, sessions, CSRF, login throttling, the signed-in
//! user and permission guards.

pub mod csrf;
pub mod password;
pub mod session;
pub mod store;
pub mod throttle;

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use entity::enums::Permission;
use sea_orm::DatabaseConnection;

use crate::errors::AppError;
use crate::services::accounts;
use session::UserSession;

/// The signed-in user, with the permissions of their role.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i32,
    pub username: String,
    pub role_id: i32,
    pub role_name: String,
    pub permissions: Vec<Permission>,
}

impl CurrentUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Any permission that opens the admin area.
    pub fn is_staff(&self) -> bool {
        [
            Permission::ManageUsers,
            Permission::ManageRoles,
            Permission::ManageGroups,
            Permission::ViewAuditLog,
        ]
        .iter()
        .any(|p| self.can(*p))
    }

    /// `Ok` when the user holds `permission`, else a 403.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Cached per request so several extractors load the user once.
#[derive(Clone)]
struct Resolved(Option<CurrentUser>);

/// Loads the user of this request's session, if any: the account must exist, be active, and
/// the session's version must match the account's (a bump ends older sessions).
pub async fn resolve(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    if let Some(resolved) = req.extensions().get::<Resolved>() {
        return Ok(resolved.0.clone());
    }
    let session = UserSession::from_request_sync(req);
    let user = match session.user() {
        None => None,
        Some((id, version)) => {
            let db = req
                .app_data::<web::Data<DatabaseConnection>>()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no database in app data")))?;
            match accounts::current_user(db.get_ref(), id, version).await? {
                Some(user) => Some(user),
                None => {
                    // Stale or revoked: forget it so the visitor is simply signed out.
                    session.log_out();
                    None
                }
            }
        }
    };
    req.extensions_mut().insert(Resolved(user.clone()));
    Ok(user)
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
