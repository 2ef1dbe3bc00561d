//! The directories through the API, as the pages show them: everyone credited on a movie
//! (`/api/v1/people`) and the active members (`/api/v1/members`), by name, searchable, a page
//! at a time (the tags are `/api/v1/tags`), and one member's reviews.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pictures::Picture;
use super::{ApiError, json, page_cursor, page_links};
use crate::services::{accounts, movies};
use crate::state::App;

/// Which names to list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// Text in the name, case-insensitively.
    pub q: Option<String>,
    /// A `next` or `prev` cursor from an earlier page.
    pub cursor: Option<String>,
}

/// Someone credited on movies.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonEntry {
    pub id: i32,
    pub name: String,
    /// How many movies they directed.
    pub movies: i64,
    pub portrait: Option<Picture>,
}

/// A page of people, by name (50 a page).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonEntry>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A member, as their profile shows them.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberEntry {
    pub username: String,
    pub joined: DateTime<Utc>,
    pub avatar: Option<Picture>,
}

/// A page of active members, by name (50 a page).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberEntry>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Lists everyone credited on a movie, by name, with their number of movies.
#[utoipa::path(
    get,
    path = "/api/v1/people",
    tag = "movies",
    params(DirectoryQuery),
    responses(
        (status = 200, description = "A page of people", body = PersonList),
        (status = 400, description = "A cursor the API did not give out", body = super::Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_people(
    app: App,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let page = movies::people(&app.db, query.q.as_deref().unwrap_or_default(), number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|p| PersonEntry {
            portrait: p.portrait.as_deref().map(Picture::of),
            id: p.id,
            name: p.name,
            movies: p.movies,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &PersonList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

/// Lists the active members, by name.
#[utoipa::path(
    get,
    path = "/api/v1/members",
    tag = "members",
    params(DirectoryQuery),
    responses(
        (status = 200, description = "A page of members", body = MemberList),
        (status = 400, description = "A cursor the API did not give out", body = super::Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_members(
    app: App,
    query: web::Query<DirectoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let page = accounts::members(&app.db, query.q.as_deref().unwrap_or_default(), number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|m| MemberEntry {
            avatar: m.avatar.as_deref().map(Picture::of),
            username: m.username,
            joined: m.created_at,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &MemberList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

/// A member's review, with the movie it is of.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberReview {
    pub id: i32,
    pub movie_id: i32,
    pub movie_title: String,
    pub movie_year: i32,
    /// 1 to 10.
    pub rating: i32,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A page of a member's reviews, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberReviewList {
    pub items: Vec<MemberReview>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Lists the reviews a member wrote, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/users/{username}/reviews",
    tag = "members",
    params(("username" = String, Path, description = "The member's username"), super::blog::PageQuery),
    responses(
        (status = 200, description = "A page of their reviews", body = MemberReviewList),
        (status = 400, description = "A cursor the API did not give out", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = super::Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_member_reviews(
    app: App,
    path: web::Path<String>,
    query: web::Query<super::blog::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let member = accounts::user_by_username(&app.db, &path.into_inner()).await?;
    let page = movies::reviews_by(&app.db, member.id, number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .filter_map(|(review, movie)| {
            let movie = movie?;
            Some(MemberReview {
                id: review.id,
                movie_id: movie.id,
                movie_title: movie.title,
                movie_year: movie.year,
                rating: review.rating,
                body: review.body,
                created_at: review.created_at,
            })
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &MemberReviewList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

/// These endpoints' routes ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::at("/people").route(web::get().to(list_people)))
        .service(crate::api::at("/members").route(web::get().to(list_members)))
        .service(
            crate::api::at("/users/{username}/reviews").route(web::get().to(list_member_reviews)),
        );
}
