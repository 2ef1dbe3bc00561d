//! Watchlists through the API: a member's list (the owner's, or anyone's public one), and the
//! owner's changes to it (`review_movies`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links};
use crate::domain::{ServiceError, Watch, WatchFilter};
use crate::services::movies::{self, WatchlistRow};
use crate::state::App;

/// A film on a watchlist.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WatchlistEntry {
    pub movie_id: i32,
    pub title: String,
    pub year: i32,
    /// `want` or `seen`.
    pub status: String,
    /// The day it was seen (`seen` only).
    pub seen_on: Option<NaiveDate>,
    pub added_at: DateTime<Utc>,
}

/// A page of a member's watchlist, latest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WatchlistPage {
    pub username: String,
    /// Whether anyone may see the list (otherwise only its owner).
    pub public: bool,
    /// Films wanted, and films seen, on the whole list.
    pub want: u64,
    pub seen: u64,
    pub items: Vec<WatchlistEntry>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Which part of the list, and which page.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WatchlistQuery {
    /// `want` or `seen`; anything else is the whole list.
    pub status: Option<String>,
    /// A cursor from `next` or `prev`.
    pub cursor: Option<String>,
}

/// Where a film stands on your list.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct WatchWrite {
    /// `want` or `seen`.
    pub status: String,
    /// For `seen`: the day, `YYYY-MM-DD` (today when left out).
    pub seen_on: Option<String>,
}

/// Whether others may see your list.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct WatchlistVisibility {
    pub public: bool,
}

fn entry_of((entry, movie): WatchlistRow) -> Option<WatchlistEntry> {
    let movie = movie?;
    Some(WatchlistEntry {
        movie_id: movie.id,
        title: movie.title,
        year: movie.year,
        status: match entry.seen_on {
            Some(_) => "seen".into(),
            None => "want".into(),
        },
        seen_on: entry.seen_on,
        added_at: entry.created_at,
    })
}

/// A member's watchlist: their own, or anyone's that is public.
#[utoipa::path(
    get,
    path = "/api/v1/users/{username}/watchlist",
    tag = "movies",
    params(("username" = String, Path, description = "The member"), WatchlistQuery),
    responses(
        (status = 200, description = "A page of the list", body = WatchlistPage),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or their list is private", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn get_watchlist(
    caller: Caller,
    app: App,
    path: web::Path<String>,
    query: web::Query<WatchlistQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let filter = WatchFilter::parse(query.status.as_deref().unwrap_or_default());
    let list = movies::watchlist(&app.db, caller.viewer(), &path, filter, number).await?;
    let (next, prev) = page_links(list.entries.number, list.entries.pages);
    Ok(json(
        StatusCode::OK,
        &WatchlistPage {
            username: list.owner.username,
            public: list.public,
            want: list.want,
            seen: list.seen,
            total: list.entries.total,
            items: list
                .entries
                .items
                .into_iter()
                .filter_map(entry_of)
                .collect(),
            next,
            prev,
        },
    ))
}

/// Puts a film on your watchlist, or changes where it stands.
#[utoipa::path(
    put,
    path = "/api/v1/me/watchlist/{movie_id}",
    tag = "movies",
    params(("movie_id" = i32, Path, description = "The film's id")),
    request_body = WatchWrite,
    responses(
        (status = 200, description = "The entry as saved", body = WatchlistEntry),
        (status = 403, description = "The token lacks review_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such film", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["review_movies"]))
)]
pub async fn put_watch(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<WatchWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let watch = Watch::parse(
        &body.0.status,
        body.0.seen_on.as_deref().unwrap_or_default(),
    )
    .map_err(|(field, message)| ServiceError::invalid(field, message))?;
    let movie = movies::find(&app.db, path.into_inner()).await?;
    let saved = movies::watch(&app.db, user, movie.id, watch).await?;
    let entry = entry_of((
        saved,
        Some(movies::MovieRef {
            id: movie.id,
            title: movie.title,
            year: movie.year,
            poster: movie.poster,
        }),
    ));
    Ok(json(StatusCode::OK, &entry))
}

/// Takes a film off your watchlist.
#[utoipa::path(
    delete,
    path = "/api/v1/me/watchlist/{movie_id}",
    tag = "movies",
    params(("movie_id" = i32, Path, description = "The film's id")),
    responses(
        (status = 204, description = "Taken off"),
        (status = 403, description = "The token lacks review_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The film is not on your list", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["review_movies"]))
)]
pub async fn delete_watch(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    movies::unwatch(&app.db, user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Makes your watchlist public or private.
#[utoipa::path(
    put,
    path = "/api/v1/me/watchlist",
    tag = "movies",
    request_body = WatchlistVisibility,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, description = "The token lacks review_movies", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["review_movies"]))
)]
pub async fn put_visibility(
    caller: Caller,
    app: App,
    body: Json<WatchlistVisibility>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    movies::set_public(&app.db, user, body.0.public).await?;
    Ok(HttpResponse::NoContent().finish())
}
