//! Roles with their permissions and inclusions (`manage_roles`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ChangePreview, PlanQuery, applied};
use crate::api::{ApiError, Caller, Json, Problem, json, tagged};
use crate::domain::{Description, FieldErrors, RoleName, ServiceError, parse_permissions};
use crate::request::client_ip;
use crate::services::admin::{self, RoleRow};
use crate::services::precondition::{Lock, unless_changed};
use crate::state::App;

use super::manager;

/// A role with its permissions and how many accounts hold it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Role {
    pub id: i32,
    pub name: String,
    pub description: String,
    /// New accounts get the default role.
    pub is_default: bool,
    /// Its own permissions.
    pub permissions: Vec<String>,
    /// The ids of the roles it includes: it holds their permissions too.
    pub includes: Vec<i32>,
    /// Every permission it holds, through its inclusions too.
    pub effective_permissions: Vec<String>,
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
            includes: row.includes,
            effective_permissions: row
                .effective
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
    /// The ids of the roles it includes (no cycles; none holding what the caller lacks).
    pub includes: Vec<i32>,
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
                includes: self.includes.iter().copied().collect(),
                // The API checks what the client read with If-Match instead.
                opened_at: None,
            })
        })
    }
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

pub(super) async fn role_view(db: &impl ConnectionTrait, id: i32) -> Result<Role, ServiceError> {
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
    params(PlanQuery),
    responses(
        (status = 200, description = "With `preview=true`: what creating it would do; nothing is saved", content((ChangePreview = "application/vnd.marquee.preview+json"))),
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
    query: web::Query<PlanQuery>,
    body: Json<RoleWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let input = body.0.parse()?;
    let outcome = admin::create_role(&app.db, user, client_ip(&req), input, &query.plan()).await?;
    let created = match applied(outcome) {
        Ok(created) => created,
        Err(preview) => return Ok(*preview),
    };
    let role = role_view(&app.db, created.id).await?;
    Ok(crate::api::created(
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
        PlanQuery,
    ),
    responses(
        (status = 200, description = "The role as saved; with `preview=true`, what saving would do, nothing saved", content((Role = "application/json"), (ChangePreview = "application/vnd.marquee.preview+json")), headers(("ETag" = String, description = "The role's new entity tag"))),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard rail refused the change, or `confirm` named a preview that is no longer true (with `preview`: what it would do now)", body = Problem, content_type = "application/problem+json"),
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
    query: web::Query<PlanQuery>,
    body: Json<RoleWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let input = body.0.parse()?;
    let address = client_ip(&req);
    let plan = query.plan();
    let outcome = unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Table("role"),
        async |txn: &DatabaseTransaction| role_view(txn, id).await,
        async |txn: &DatabaseTransaction| {
            admin::update_role(txn, user, address, id, input, &plan).await
        },
    )
    .await?;
    if let Err(preview) = applied(outcome) {
        return Ok(*preview);
    }
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
        PlanQuery,
    ),
    responses(
        (status = 200, description = "With `preview=true`: what deleting it would do; nothing is deleted", content((ChangePreview = "application/vnd.marquee.preview+json"))),
        (status = 204, description = "Deleted"),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard rail refused the deletion, or `confirm` named a preview that is no longer true", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The role changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn delete_role(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let address = client_ip(&req);
    let plan = query.plan();
    let outcome = unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Table("role"),
        async |txn: &DatabaseTransaction| role_view(txn, id).await,
        async |txn: &DatabaseTransaction| admin::delete_role(txn, user, address, id, &plan).await,
    )
    .await?;
    Ok(applied(outcome).map_or_else(|preview| *preview, |_| HttpResponse::NoContent().finish()))
}
