//! Administration through the API: roles with their permissions (`manage_roles`), accounts'
//! roles and active flags (`manage_users`) and the audit log (`view_audit_log`). The same
//! service functions as the admin pages, so the same guard rails: nobody grants, assigns or
//! changes what is beyond their own permissions (a token's scopes included), the last role
//! manager stays, there is one default role.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::enums::Permission;
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Caller, Json, Problem, ip, json, page_cursor, page_links, tagged};
use crate::domain::{Description, FieldErrors, RoleName, ServiceError, parse_permissions};
use crate::services::admin::{self, RoleRow, UserFilter, UserSort};
use crate::services::audit::{self, AuditFilter};
use crate::services::precondition::{Lock, unless_changed};
use crate::state::App;

const USERS_PER_PAGE: u64 = 25;
const AUDIT_PER_PAGE: u64 = 50;

/// A role with its permissions and how many accounts hold it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Role {
    pub id: i32,
    pub name: String,
    pub description: String,
    /// New accounts get the default role.
    pub is_default: bool,
    pub permissions: Vec<String>,
    pub users: u64,
}

impl From<RoleRow> for Role {
    fn from(row: RoleRow) -> Self {
        Role {
            id: row.role.id,
            name: row.role.name,
            description: row.role.description,
            is_default: row.role.is_default,
            permissions: row
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            users: row.users,
        }
    }
}

/// Every role.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<Role>,
}

/// A role to make, or the new state of one.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RoleWrite {
    /// Lowercase letters, digits, spaces, `_` and `-`.
    #[schema(min_length = 1, max_length = 64, pattern = r"\S")]
    pub name: String,
    pub description: String,
    pub is_default: bool,
    /// Permission names (`write_posts`, `manage_roles`, …), all held by the caller.
    pub permissions: Vec<String>,
}

impl RoleWrite {
    /// The service's input, by the domain parsers and field names the role form uses.
    fn parse(self) -> Result<admin::RoleInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", RoleName::parse(&self.name));
        let description = errors.check("description", Description::parse(&self.description));
        let permissions = errors.check("permissions", parse_permissions(&self.permissions));
        errors.or_valid(|| {
            Some(admin::RoleInput {
                name: name?,
                description: description?,
                is_default: self.is_default,
                permissions: permissions?,
            })
        })
    }
}

fn manager(
    caller: &Caller,
    permission: Permission,
) -> Result<&crate::domain::CurrentUser, ApiError> {
    let user = caller.someone()?;
    user.require(permission)?;
    Ok(user)
}

/// Lists every role (`manage_roles`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/roles",
    tag = "administration",
    responses(
        (status = 200, description = "Every role", body = RoleList),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn list_roles(caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    manager(&caller, Permission::ManageRoles)?;
    let items = admin::list_roles(&app.db)
        .await?
        .into_iter()
        .map(Role::from)
        .collect();
    Ok(json(StatusCode::OK, &RoleList { items }))
}

async fn role_view(db: &impl ConnectionTrait, id: i32) -> Result<Role, ServiceError> {
    admin::role_row(db, id)
        .await?
        .map(Role::from)
        .ok_or(ServiceError::NotFound)
}

/// Reads a role (`manage_roles`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/roles/{id}",
    tag = "administration",
    params(
        ("id" = i32, Path, description = "The role's id"),
        ("If-None-Match" = Option<String>, Header, description = "An entity tag read earlier: 304 when it is still current"),
    ),
    responses(
        (status = 200, description = "The role", body = Role, headers(("ETag" = String, description = "The role's entity tag"))),
        (status = 304, description = "Not modified since the tag in If-None-Match"),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn get_role(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    manager(&caller, Permission::ManageRoles)?;
    let role = role_view(&app.db, path.into_inner()).await?;
    Ok(tagged(&req, StatusCode::OK, &role))
}

/// Makes a role (`manage_roles`, and every permission it grants; audited).
#[utoipa::path(
    post,
    path = "/api/v1/admin/roles",
    tag = "administration",
    request_body = RoleWrite,
    responses(
        (status = 201, description = "The new role", body = Role, headers(("Location" = String, description = "The role's address in the API"), ("ETag" = String, description = "The role's entity tag"))),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A taken name, or a permission beyond the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn create_role(
    req: HttpRequest,
    caller: Caller,
    app: App,
    body: Json<RoleWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let input = body.0.parse()?;
    let created = admin::create_role(&app.db, user, ip(&req), input).await?;
    let role = role_view(&app.db, created.id).await?;
    Ok(super::created(
        &format!("/api/v1/admin/roles/{}", role.id),
        &role,
    ))
}

/// Saves a new state of a role (`manage_roles`; audited). With `If-Match`, only while the role
/// is as the client read it.
#[utoipa::path(
    put,
    path = "/api/v1/admin/roles/{id}",
    tag = "administration",
    request_body = RoleWrite,
    params(
        ("id" = i32, Path, description = "The role's id"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the change is based on"),
    ),
    responses(
        (status = 200, description = "The role as saved", body = Role, headers(("ETag" = String, description = "The role's new entity tag"))),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard rail refused the change", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The role changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn update_role(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<RoleWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let input = body.0.parse()?;
    let address = ip(&req);
    unless_changed(
        &app.db,
        super::if_match(&req).as_deref(),
        Lock::Table("role"),
        async |txn: &DatabaseTransaction| role_view(txn, id).await,
        async |txn: &DatabaseTransaction| admin::update_role(txn, user, address, id, input).await,
    )
    .await?;
    let role = role_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &role))
}

/// Deletes a role; its accounts move to the default role (`manage_roles`; audited).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/roles/{id}",
    tag = "administration",
    params(
        ("id" = i32, Path, description = "The role's id"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard rail refused the deletion", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The role changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn delete_role(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let address = ip(&req);
    unless_changed(
        &app.db,
        super::if_match(&req).as_deref(),
        Lock::Table("role"),
        async |txn: &DatabaseTransaction| role_view(txn, id).await,
        async |txn: &DatabaseTransaction| admin::delete_role(txn, user, address, id).await,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An account as administrators see it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: i32,
    pub username: String,
    pub email: String,
    pub role_id: i32,
    pub role: Option<String>,
    pub is_active: bool,
    /// Whether the address is confirmed (until then the account holds no permissions).
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// A page of accounts.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountList {
    pub items: Vec<Account>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Which accounts to list (25 a page).
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Text in the username or email address.
    pub q: Option<String>,
    pub role_id: Option<i32>,
    pub active: Option<bool>,
    /// Whether the address is confirmed.
    pub verified: Option<bool>,
    /// `username` (the default), `email`, `joined` or `last_seen`.
    pub sort: Option<String>,
    /// Descending order.
    pub desc: Option<bool>,
    /// A `next` or `prev` cursor from an earlier page.
    pub cursor: Option<String>,
}

/// Lists accounts (`manage_users`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "administration",
    params(AccountQuery),
    responses(
        (status = 200, description = "A page of accounts", body = AccountList),
        (status = 400, description = "A bad sort or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Without manage_users", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn list_users(
    caller: Caller,
    app: App,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    manager(&caller, Permission::ManageUsers)?;
    let query = query.into_inner();
    let number = page_cursor(query.cursor.as_deref())?;
    let sort = match query.sort.as_deref() {
        None | Some("username" | "email" | "joined" | "last_seen") => {
            UserSort::parse(query.sort.as_deref())
        }
        Some(_) => {
            return Err(ApiError::BadRequest(
                "sort is username, email, joined or last_seen.".into(),
            ));
        }
    };
    let filter = UserFilter {
        q: query.q.filter(|q| !q.trim().is_empty()),
        role_id: query.role_id,
        active: query.active,
        verified: query.verified,
        sort,
        desc: query.desc.unwrap_or(false),
    };
    let page = admin::list_users(&app.db, &filter, number, USERS_PER_PAGE).await?;
    let (next, prev) = page_links(page.number, page.pages);
    Ok(json(
        StatusCode::OK,
        &AccountList {
            items: page
                .items
                .into_iter()
                .map(|(user, role)| account_of(user, role))
                .collect(),
            total: page.total,
            next,
            prev,
        },
    ))
}

fn account_of(user: entity::user::Model, role: Option<entity::role::Model>) -> Account {
    Account {
        id: user.id,
        username: user.username,
        email: user.email,
        role_id: user.role_id,
        role: role.map(|r| r.name),
        is_active: user.is_active,
        email_verified: user.email_verified_at.is_some(),
        created_at: user.created_at,
        last_seen_at: user.last_seen_at,
    }
}

/// An account's new role and active flag.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct AccountWrite {
    pub role_id: i32,
    pub is_active: bool,
}

/// Sets an account's role and active flag (`manage_users`; audited). The account's sessions
/// end; its tokens follow its role, and stop while it is inactive.
#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{id}",
    tag = "administration",
    params(("id" = i32, Path, description = "The account's id")),
    request_body = AccountWrite,
    responses(
        (status = 200, description = "The account as saved", body = Account),
        (status = 403, description = "Without manage_users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard rail refused the change (a role or account beyond the caller's permissions, your own account, the last role manager)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn update_user(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<AccountWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ManageUsers)?;
    // Both values arrive typed; whether the role exists is the service's to say.
    let changes = admin::UserChanges {
        role_id: body.0.role_id,
        is_active: body.0.is_active,
    };
    let id = path.into_inner();
    admin::update_user(&app.db, user, ip(&req), id, changes).await?;
    let (account, role) = admin::account_with_role(&app.db, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(json(StatusCode::OK, &account_of(account, role)))
}

/// Mails the account a link to choose a new password (`manage_users`; audited). Nobody sees
/// nor sets the password.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/{id}/reset-link",
    tag = "administration",
    params(("id" = i32, Path, description = "The account's id")),
    responses(
        (status = 202, description = "The mail is queued"),
        (status = 403, description = "Without manage_users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account is deactivated", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn send_reset_link(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    admin::send_reset_link(&app.db, user, ip(&req), path.into_inner()).await?;
    app.delivery.wake();
    Ok(HttpResponse::Accepted().finish())
}

/// One entry of the audit log.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: i32,
    /// `null` for the command line and start-up tasks.
    pub actor: Option<String>,
    /// `role.update`, `user.update`, `token.create`, …
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Which entries to list (50 a page).
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub subject_type: Option<String>,
    /// The actor's username.
    pub actor: Option<String>,
    /// A `next` or `prev` cursor from an earlier page.
    pub cursor: Option<String>,
}

/// Reads the audit log (`view_audit_log`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "administration",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Without view_audit_log", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["view_audit_log"]))
)]
pub async fn audit_log(
    caller: Caller,
    app: App,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    manager(&caller, Permission::ViewAuditLog)?;
    let query = query.into_inner();
    let number = page_cursor(query.cursor.as_deref())?;
    let text = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let filter = AuditFilter {
        action: text(query.action),
        subject_type: text(query.subject_type),
        actor: text(query.actor),
    };
    let page = audit::list(&app.db, &filter, number, AUDIT_PER_PAGE).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let parse = |v: Option<String>| v.and_then(|v| serde_json::from_str(&v).ok());
    Ok(json(
        StatusCode::OK,
        &AuditList {
            items: page
                .items
                .into_iter()
                .map(|(entry, actor)| AuditEntry {
                    id: entry.id,
                    actor: actor.map(|a| a.username),
                    action: entry.action,
                    subject_type: entry.subject_type,
                    subject_id: entry.subject_id,
                    before: parse(entry.before),
                    after: parse(entry.after),
                    ip: entry.ip,
                    created_at: entry.created_at,
                })
                .collect(),
            total: page.total,
            next,
            prev,
        },
    ))
}

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.service(
        crate::api::at("/admin/roles")
            .route(web::get().to(list_roles))
            .route(web::post().to(create_role)),
    )
    .service(
        crate::api::at("/admin/roles/{id}")
            .route(web::get().to(get_role))
            .route(web::put().to(update_role))
            .route(web::delete().to(delete_role)),
    )
    .service(crate::api::at("/admin/users").route(web::get().to(list_users)))
    .service(crate::api::at("/admin/users/{id}").route(web::put().to(update_user)))
    .service(crate::api::at("/admin/users/{id}/reset-link").route(web::post().to(send_reset_link)))
    .service(crate::api::at("/admin/audit").route(web::get().to(audit_log)));
}
