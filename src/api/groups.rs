//! Groups through the API, as an administrator changes them on the pages (`manage_groups`):
//! create, rename, delete, and remove a member. Reading and joining are in `people`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Json, Problem, json};
use crate::domain::{Description, FieldErrors, Name};
use crate::request::client_ip;
use crate::services::groups::{self, GroupInput};
use crate::state::App;

/// A group as saved.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupSaved {
    pub id: i32,
    pub name: String,
    pub description: String,
}

impl GroupSaved {
    fn of(group: entity::group::Model) -> GroupSaved {
        GroupSaved {
            id: group.id,
            name: group.name,
            description: group.description,
        }
    }
}

/// A group's name and description.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct GroupWrite {
    /// 1 to 64 characters, unique.
    pub name: String,
    /// At most 255 characters.
    pub description: String,
}

impl GroupWrite {
    /// The service's input, by the rules the group form follows.
    fn input(self) -> Result<GroupInput, ApiError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&self.name, "group"));
        let description = errors.check("description", Description::parse(&self.description));
        Ok(errors.or_valid(|| {
            Some(GroupInput {
                name: name?,
                description: description?,
            })
        })?)
    }
}

/// Creates a group (`manage_groups`; audited).
#[utoipa::path(
    post,
    path = "/api/v1/groups",
    tag = "members",
    request_body = GroupWrite,
    responses(
        (status = 201, description = "The new group", body = GroupSaved),
        (status = 403, description = "The token lacks manage_groups", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_groups"]))
)]
pub async fn create_group(
    req: HttpRequest,
    caller: Caller,
    app: App,
    body: Json<GroupWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let input = body.0.input()?;
    let created = groups::create(&app.db, user, client_ip(&req), input).await?;
    Ok(json(StatusCode::CREATED, &GroupSaved::of(created)))
}

/// Renames a group and changes its description (`manage_groups`; audited).
#[utoipa::path(
    put,
    path = "/api/v1/groups/{id}",
    tag = "members",
    params(("id" = i32, Path, description = "The group's id")),
    request_body = GroupWrite,
    responses(
        (status = 200, description = "The group as saved", body = GroupSaved),
        (status = 403, description = "The token lacks manage_groups", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_groups"]))
)]
pub async fn update_group(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<GroupWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let input = body.0.input()?;
    let updated = groups::update(&app.db, user, client_ip(&req), path.into_inner(), input).await?;
    Ok(json(StatusCode::OK, &GroupSaved::of(updated)))
}

/// Deletes a group and its memberships (`manage_groups`; audited).
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}",
    tag = "members",
    params(("id" = i32, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The token lacks manage_groups", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_groups"]))
)]
pub async fn delete_group(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    groups::delete(&app.db, user, client_ip(&req), path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a member from a group (`manage_groups`; audited).
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/members/{user_id}",
    tag = "members",
    params(
        ("id" = i32, Path, description = "The group's id"),
        ("user_id" = i32, Path, description = "The member's account id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "The token lacks manage_groups", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group, or they are not in it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_groups"]))
)]
pub async fn remove_member(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let (group, member) = path.into_inner();
    groups::remove_member(&app.db, user, client_ip(&req), group, member).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// These endpoints' routes, with the group reads of `people` on the same paths.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::people::{get_group, list_groups};
    cfg.service(
        crate::api::at("/groups")
            .route(web::get().to(list_groups))
            .route(web::post().to(create_group)),
    )
    .service(
        crate::api::at("/groups/{id}")
            .route(web::get().to(get_group))
            .route(web::put().to(update_group))
            .route(web::delete().to(delete_group)),
    )
    .service(
        crate::api::at("/groups/{id}/members/{user_id}").route(web::delete().to(remove_member)),
    );
}
