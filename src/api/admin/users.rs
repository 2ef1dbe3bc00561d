//! Accounts' roles and active flags (`manage_users`), their grants and denials
//! (`manage_roles`), and the audit log (`view_audit_log`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::enums::Permission;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ChangePreview, PlanQuery, applied};
use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links};
use crate::domain::ServiceError;
use crate::request::client_ip;
use crate::services::admin::{self, UserFilter, UserSort};
use crate::services::audit::{self, AuditFilter};
use crate::state::App;

use super::manager;

const USERS_PER_PAGE: u64 = 25;
const AUDIT_PER_PAGE: u64 = 50;

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
    params(("id" = i32, Path, description = "The account's id"), PlanQuery),
    request_body = AccountWrite,
    responses(
        (status = 200, description = "The account as saved; with `preview=true`, what saving would do, nothing saved", content((Account = "application/json"), (ChangePreview = "application/vnd.marquee.preview+json"))),
        (status = 403, description = "Without manage_users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard rail refused the change (a role or account beyond the caller's permissions, your own account, the last role manager), or `confirm` named a preview that is no longer true", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn update_user(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    query: web::Query<PlanQuery>,
    body: Json<AccountWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ManageUsers)?;
    // Both values arrive typed; whether the role exists is the service's to say.
    let changes = admin::UserChanges {
        role_id: body.0.role_id,
        is_active: body.0.is_active,
        opened_at: None,
    };
    let id = path.into_inner();
    let outcome =
        admin::update_user(&app.db, user, client_ip(&req), id, changes, &query.plan()).await?;
    if let Err(preview) = applied(outcome) {
        return Ok(*preview);
    }
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
    admin::send_reset_link(&app.db, user, client_ip(&req), path.into_inner()).await?;
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

/// One grant or denial of one permission to one account.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Override {
    pub permission: String,
    /// `grant` or `deny`.
    pub effect: String,
    pub reason: String,
    /// Who made it (none when that account is gone).
    pub granted_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Until when it counts; none: until removed.
    pub expires_at: Option<DateTime<Utc>>,
    /// False once it has expired: it counts for nothing, and stays on record.
    pub in_force: bool,
}

/// Why an account holds a permission: its role (with the chain of included roles it comes
/// through, its own role first), or its own grant.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HeldPermission {
    pub permission: String,
    /// Each chain of roles that gives it: `["editor", "author"]` is "role editor, which
    /// includes author, which is given it".
    pub through_roles: Vec<Vec<String>>,
    /// Its own grant, if one gives it.
    pub granted: Option<Override>,
}

/// What an account holds and why, and its grants and denials.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountPermissions {
    /// Until the address is confirmed, the account holds nothing.
    pub email_verified: bool,
    pub permissions: Vec<HeldPermission>,
    pub overrides: Vec<Override>,
}

fn override_view(
    o: &entity::permission_override::Model,
    grantors: &std::collections::BTreeMap<i32, String>,
) -> Override {
    Override {
        permission: o.permission.as_str().to_owned(),
        effect: o.effect.as_str().to_owned(),
        reason: o.reason.clone(),
        granted_by: o.granted_by_id.and_then(|id| grantors.get(&id).cloned()),
        created_at: o.created_at,
        expires_at: o.expires_at,
        in_force: o.in_force(Utc::now()),
    }
}

async fn permissions_view(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<AccountPermissions, ApiError> {
    let (account, _) = crate::services::accounts::account(db, user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let access = admin::account_permissions(db, &account).await?;
    let name = |id: &i32| access.role_names.get(id).cloned().unwrap_or_default();
    let permissions = access
        .effective
        .held
        .iter()
        .map(|(permission, reasons)| {
            let mut held = HeldPermission {
                permission: permission.as_str().to_owned(),
                through_roles: Vec::new(),
                granted: None,
            };
            for reason in reasons {
                match reason {
                    crate::services::accounts::Reason::Role(path) => {
                        held.through_roles.push(path.iter().map(name).collect());
                    }
                    crate::services::accounts::Reason::Grant(grant) => {
                        held.granted = Some(override_view(grant, &access.grantors));
                    }
                }
            }
            held
        })
        .collect();
    Ok(AccountPermissions {
        email_verified: account.email_verified_at.is_some(),
        permissions,
        overrides: access
            .overrides
            .iter()
            .map(|o| override_view(o, &access.grantors))
            .collect(),
    })
}

/// What an account holds and why (`manage_users`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/{id}/permissions",
    tag = "administration",
    params(("id" = i32, Path, description = "The account's id")),
    responses(
        (status = 200, description = "Its permissions with their reasons, and its overrides", body = AccountPermissions),
        (status = 403, description = "Without manage_users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn account_permissions(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    manager(&caller, Permission::ManageUsers)?;
    let view = permissions_view(&app.db, path.into_inner()).await?;
    Ok(json(StatusCode::OK, &view))
}

/// A grant or denial to make.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct OverrideWrite {
    /// `grant` or `deny`.
    #[schema(pattern = "^(grant|deny)$")]
    pub effect: String,
    /// Why: 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
    /// Until when it counts (in the future); none: until removed.
    pub expires_at: Option<DateTime<Utc>>,
}

fn permission_in_path(name: &str) -> Result<Permission, ApiError> {
    Permission::parse(name).ok_or(ApiError::Service(ServiceError::NotFound))
}

/// Grants or denies one permission to an account, replacing its override of that permission
/// (`manage_roles`; only a permission the caller holds, to an account that holds nothing the
/// caller lacks, never the caller's own).
#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{id}/overrides/{permission}",
    tag = "administration",
    params(
        ("id" = i32, Path, description = "The account's id"),
        ("permission" = String, Path, description = "A permission name: `manage_movies`, …"),
        PlanQuery,
    ),
    request_body = OverrideWrite,
    responses(
        (status = 200, description = "The override in force; with `preview=true`, what saving it would do, nothing saved", content((Override = "application/json"), (ChangePreview = "application/vnd.marquee.preview+json"))),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account or permission", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the subset rule or a guard rail", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad effect, reason or expiry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn put_override(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<(i32, String)>,
    query: web::Query<PlanQuery>,
    body: Json<OverrideWrite>,
) -> Result<HttpResponse, ApiError> {
    let actor = manager(&caller, Permission::ManageRoles)?;
    let (user_id, permission) = path.into_inner();
    let permission = permission_in_path(&permission)?;
    let body = body.0;
    let effect = entity::enums::OverrideEffect::parse(body.effect.trim())
        .ok_or_else(|| ServiceError::invalid("effect", "Choose to grant or to deny."))?;
    let saved = admin::set_override(
        &app.db,
        actor,
        client_ip(&req),
        user_id,
        admin::OverrideInput {
            permission,
            effect,
            reason: body.reason,
            expires_at: body.expires_at,
        },
        &query.plan(),
    )
    .await?;
    let saved = match applied(saved) {
        Ok(saved) => saved,
        Err(preview) => return Ok(*preview),
    };
    let grantors = std::collections::BTreeMap::from([(actor.id, actor.username.clone())]);
    Ok(json(StatusCode::OK, &override_view(&saved, &grantors)))
}

/// Removes an account's override of one permission (`manage_roles`, under the same rules).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{id}/overrides/{permission}",
    tag = "administration",
    params(
        ("id" = i32, Path, description = "The account's id"),
        ("permission" = String, Path, description = "A permission name"),
        PlanQuery,
    ),
    responses(
        (status = 200, description = "With `preview=true`: what removing it would do; nothing is removed", content((ChangePreview = "application/vnd.marquee.preview+json"))),
        (status = 204, description = "Removed"),
        (status = 404, description = "No such account, permission or override", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the subset rule or a guard rail", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn delete_override(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<(i32, String)>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = manager(&caller, Permission::ManageRoles)?;
    let (user_id, permission) = path.into_inner();
    let permission = permission_in_path(&permission)?;
    let plan = query.plan();
    let outcome =
        admin::remove_override(&app.db, actor, client_ip(&req), user_id, permission, &plan).await?;
    Ok(applied(outcome).map_or_else(|preview| *preview, |()| HttpResponse::NoContent().finish()))
}
