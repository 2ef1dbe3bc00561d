//! A role's history through the API: its audited changes with what each changed, and reverting
//! it to the state one of them left it in (the same service functions as the pages).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;

use super::roles::{Role, role_view};
use super::{ChangePreview, PlanQuery, applied, manager};
use crate::api::history::Change;
use crate::api::{ApiError, Caller, Problem, json, tagged};
use crate::request::client_ip;
use crate::services::admin;
use crate::state::App;

/// A role's audited changes, newest first (`manage_roles`).
#[utoipa::path(
    get,
    path = "/api/v1/admin/roles/{id}/history",
    tag = "administration",
    params(("id" = i32, Path, description = "The role's id")),
    responses(
        (status = 200, description = "Its changes, newest first", body = Vec<crate::api::history::Change>),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn role_history(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    manager(&caller, Permission::ManageRoles)?;
    let id = path.into_inner();
    role_view(&app.db, id).await?;
    let changes: Vec<Change> = admin::role_history(&app.db, id)
        .await?
        .into_iter()
        .map(Change::from)
        .collect();
    Ok(json(StatusCode::OK, &changes))
}

/// Reverts a role to the state one of its changes left it in: a role change like an edit,
/// under the same rules, audited as `role.revert` (`manage_roles`).
#[utoipa::path(
    post,
    path = "/api/v1/admin/roles/{id}/history/{entry}/revert",
    tag = "administration",
    params(
        ("id" = i32, Path, description = "The role's id"),
        ("entry" = i32, Path, description = "The change (`entry` in the history) whose state to restore"),
        PlanQuery,
    ),
    responses(
        (status = 200, description = "The role as restored; with `preview=true`, what reverting would do, nothing saved", content((Role = "application/json"), (ChangePreview = "application/vnd.marquee.preview+json"))),
        (status = 403, description = "Without manage_roles", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role, or no such change of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the subset rule or a guard rail, or `confirm` named a preview that is no longer true", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The version cannot be restored as it was (a role it included was deleted since)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_roles"]))
)]
pub async fn revert_role(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<(i32, i32)>,
    query: web::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ManageRoles)?;
    let (id, entry) = path.into_inner();
    let outcome =
        admin::revert_role(&app.db, user, client_ip(&req), id, entry, &query.plan()).await?;
    if let Err(preview) = applied(outcome) {
        return Ok(*preview);
    }
    let role: Role = role_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &role))
}
