//! Members through the API: public profiles, `me` (your profile, permissions and groups, and
//! changing your profile), and groups (list, members, join, leave).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::blog::PageQuery;
use super::{ApiError, Caller, Json, Problem, json, page_cursor, page_links, tagged};
use crate::domain::{
    DisplayName, FieldErrors, ServiceError, optional_birth_date, optional_text, optional_website,
    parse_bio,
};
use crate::services::{accounts, groups};
use crate::state::App;

/// A group as a profile lists it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupRef {
    pub id: i32,
    pub name: String,
}

/// A member's public profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct UserProfile {
    pub username: String,
    pub display_name: Option<String>,
    pub bio: String,
    pub job: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub country: Option<String>,
    pub role: Option<String>,
    pub is_active: bool,
    pub joined_at: DateTime<Utc>,
    pub groups: Vec<GroupRef>,
}

async fn profile_of(db: &DatabaseConnection, username: &str) -> Result<UserProfile, ApiError> {
    let view = accounts::profile_view(db, username)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let profile = view.profile;
    Ok(UserProfile {
        username: view.user.username,
        display_name: profile
            .as_ref()
            .map(|p| p.display_name.clone())
            .filter(|n| !n.is_empty()),
        bio: profile.as_ref().map(|p| p.bio.clone()).unwrap_or_default(),
        job: profile.as_ref().and_then(|p| p.job.clone()),
        location: profile.as_ref().and_then(|p| p.location.clone()),
        website: profile.as_ref().and_then(|p| p.website.clone()),
        country: view.country.map(|c| c.name),
        role: view.role.map(|r| r.name),
        is_active: view.user.is_active,
        joined_at: view.user.created_at,
        groups: view
            .groups
            .into_iter()
            .map(|g| GroupRef {
                id: g.link_id,
                name: g.text,
            })
            .collect(),
    })
}

/// Reads a member's public profile.
#[utoipa::path(
    get,
    path = "/api/v1/users/{username}",
    tag = "members",
    params(("username" = String, Path, description = "The member's username")),
    responses(
        (status = 200, description = "The profile", body = UserProfile),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn get_user(
    req: HttpRequest,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let profile = profile_of(&app.db, &path.into_inner()).await?;
    Ok(tagged(&req, StatusCode::OK, &profile))
}

/// You: your account, what you (and this token) may do, and your profile.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub id: i32,
    pub username: String,
    pub role: String,
    /// What this request may do: the role's permissions, narrowed to a token's scopes.
    pub permissions: Vec<String>,
    pub birth_date: Option<NaiveDate>,
    pub country_id: Option<i32>,
    pub profile: UserProfile,
}

async fn me_of(db: &DatabaseConnection, caller: &Caller) -> Result<Me, ApiError> {
    let user = caller.someone()?;
    let (account, profile) = accounts::account(db, user.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(Me {
        id: user.id,
        username: user.username.clone(),
        role: user.role_name.clone(),
        permissions: user
            .permissions
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        birth_date: profile.and_then(|p| p.birth_date),
        country_id: account.country_id,
        profile: profile_of(db, &user.username).await?,
    })
}

/// Reads your own account and profile (a token, or a signed-in browser).
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "members",
    responses(
        (status = 200, description = "You", body = Me),
    ),
    security(("bearer" = []))
)]
pub async fn get_me(req: HttpRequest, caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    let me = me_of(&app.db, &caller).await?;
    Ok(tagged(&req, StatusCode::OK, &me))
}

/// Your profile's new state. Missing properties count as empty.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProfileWrite {
    pub display_name: String,
    pub bio: String,
    /// `YYYY-MM-DD`, or empty.
    pub birth_date: String,
    pub job: String,
    pub location: String,
    /// An `http(s)` address, or empty.
    pub website: String,
    pub country_id: Option<i32>,
}

impl ProfileWrite {
    /// The service's input, by the domain parsers and field names the profile form uses.
    fn parse(&self) -> Result<accounts::ProfileChanges, ServiceError> {
        let mut errors = FieldErrors::default();
        let display_name = errors.check("display_name", DisplayName::parse(&self.display_name));
        let bio = errors.check("bio", parse_bio(&self.bio));
        let birth_date = errors.check("birth_date", optional_birth_date(&self.birth_date));
        let job = errors.check("job", optional_text(&self.job, 100));
        let location = errors.check("location", optional_text(&self.location, 100));
        let website = errors.check("website", optional_website(&self.website));
        errors.or_valid(|| {
            Some(accounts::ProfileChanges {
                display_name: display_name?,
                bio: bio?,
                birth_date: birth_date?,
                job: job?,
                location: location?,
                website: website?,
                // A JSON number is already an id; whether it names a country is the
                // service's to say.
                country_id: self.country_id,
                opened_at: None,
            })
        })
    }
}

/// Saves your profile.
#[utoipa::path(
    put,
    path = "/api/v1/me",
    tag = "members",
    request_body = ProfileWrite,
    responses(
        (status = 200, description = "You, with the profile as saved", body = Me),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_me(
    req: HttpRequest,
    caller: Caller,
    app: App,
    body: Json<ProfileWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let changes = body.0.parse()?;
    accounts::update_profile(&app.db, user, changes).await?;
    let me = me_of(&app.db, &caller).await?;
    Ok(tagged(&req, StatusCode::OK, &me))
}

/// A group with its number of members.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Group {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub members: u64,
    pub created_at: DateTime<Utc>,
}

/// A page of groups, by name (50 a page).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<Group>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Lists the groups by name.
#[utoipa::path(
    get,
    path = "/api/v1/groups",
    tag = "members",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of groups", body = GroupList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_groups(app: App, query: web::Query<PageQuery>) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let page = groups::list(&app.db, number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|row| Group {
            id: row.group.id,
            name: row.group.name,
            description: row.group.description,
            members: row.members,
            created_at: row.group.created_at,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &GroupList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

/// A member of a group.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub username: Option<String>,
    pub joined_at: DateTime<Utc>,
}

/// A group with a page of its members, longest-standing first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupDetail {
    pub id: i32,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub members: Vec<Member>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Reads a group with a page of its members.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}",
    tag = "members",
    params(("id" = i32, Path, description = "The group's id"), PageQuery),
    responses(
        (status = 200, description = "The group and a page of members", body = GroupDetail),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn get_group(
    app: App,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let group = groups::find(&app.db, path.into_inner())
        .await?
        .ok_or(ServiceError::NotFound)?;
    let page = groups::members(&app.db, group.id, number, super::MAX_LIMIT).await?;
    let (next, prev) = page_links(page.number, page.pages);
    Ok(json(
        StatusCode::OK,
        &GroupDetail {
            id: group.id,
            name: group.name,
            description: group.description,
            created_at: group.created_at,
            members: page
                .items
                .into_iter()
                .map(|(link, user)| Member {
                    username: user.map(|u| u.username),
                    joined_at: link.joined_at,
                })
                .collect(),
            total: page.total,
            next,
            prev,
        },
    ))
}

/// Joins a group (joining twice is harmless).
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/join",
    tag = "members",
    params(("id" = i32, Path, description = "The group's id")),
    responses(
        (status = 204, description = "You are a member"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn join_group(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    groups::join(&app.db, user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Leaves a group (leaving a group you are not in is harmless).
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/leave",
    tag = "members",
    params(("id" = i32, Path, description = "The group's id")),
    responses(
        (status = 204, description = "You are not a member"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn leave_group(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    groups::leave(&app.db, user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.service(crate::api::at("/users/{username}").route(web::get().to(get_user)))
        .service(
            crate::api::at("/me")
                .route(web::get().to(get_me))
                .route(web::put().to(update_me)),
        )
        .service(crate::api::at("/groups/{id}/join").route(web::post().to(join_group)))
        .service(crate::api::at("/groups/{id}/leave").route(web::post().to(leave_group)));
}
