//! Reviews through the API: one per member and movie.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::enums::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::blog::PageQuery;
use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links};
use crate::domain::{CommentBody, FieldErrors, Rating, ServiceError};
use crate::services::movies::{self};
use crate::state::App;

/// A member's review of a movie.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Review {
    pub id: i32,
    pub movie_id: i32,
    /// `null` when the account is gone.
    pub author: Option<String>,
    /// 1 to 10.
    pub rating: i32,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A page of a movie's reviews, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<Review>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A review to write, or the new state of one.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReviewWrite {
    /// 1 to 10.
    #[schema(minimum = 1, maximum = 10)]
    pub rating: Option<i32>,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub body: String,
}

impl ReviewWrite {
    /// The service's input, by the domain parsers and field names the review form uses.
    pub(super) fn parse(&self) -> Result<movies::ReviewInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let rating = errors.check("rating", Rating::from_number(self.rating));
        let body = errors.check("body", CommentBody::parse_review(&self.body));
        errors.or_valid(|| {
            Some(movies::ReviewInput {
                rating: rating?,
                body: body?,
            })
        })
    }
}

/// Lists a movie's reviews.
#[utoipa::path(
    get,
    path = "/api/v1/movies/{id}/reviews",
    tag = "movies",
    params(("id" = i32, Path, description = "The movie's id"), PageQuery),
    responses(
        (status = 200, description = "A page of reviews", body = ReviewList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_reviews(
    app: App,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = page_cursor(query.cursor.as_deref())?;
    let movie = movies::find(&app.db, path.into_inner()).await?;
    let page = movies::reviews(&app.db, movie.id, number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|(review, author)| Review {
            id: review.id,
            movie_id: review.movie_id,
            author: author.map(|a| a.username),
            rating: review.rating,
            body: review.body,
            created_at: review.created_at,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ReviewList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

pub(super) fn review_of(model: entity::review::Model, author: &str) -> Review {
    Review {
        id: model.id,
        movie_id: model.movie_id,
        author: Some(author.to_owned()),
        rating: model.rating,
        body: model.body,
        created_at: model.created_at,
    }
}

/// Reviews a movie (`review_movies`; one review per member and movie).
#[utoipa::path(
    post,
    path = "/api/v1/movies/{id}/reviews",
    tag = "movies",
    params(("id" = i32, Path, description = "The movie's id")),
    request_body = ReviewWrite,
    responses(
        (status = 201, description = "The new review", body = Review),
        (status = 403, description = "The token lacks review_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This member already reviewed the movie", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["review_movies"]))
)]
pub async fn create_review(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<ReviewWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ReviewMovies)?;
    let input = body.0.parse()?;
    let movie = movies::find(&app.db, path.into_inner()).await?;
    let created = movies::add_review(&app.db, user, movie.id, input).await?;
    app.delivery.wake_if_due(&app.db).await;
    Ok(json(
        StatusCode::CREATED,
        &review_of(created, &user.username),
    ))
}

/// Saves a new state of your own review.
#[utoipa::path(
    put,
    path = "/api/v1/movies/{id}/reviews/{review}",
    tag = "movies",
    params(
        ("id" = i32, Path, description = "The movie's id"),
        ("review" = i32, Path, description = "The review's id"),
    ),
    request_body = ReviewWrite,
    responses(
        (status = 200, description = "The review as saved", body = Review),
        (status = 403, description = "Someone else's review", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such review of this movie", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["review_movies"]))
)]
pub async fn update_review(
    caller: Caller,
    app: App,
    path: web::Path<(i32, i32)>,
    body: Json<ReviewWrite>,
) -> Result<HttpResponse, ApiError> {
    let (movie_id, review_id) = path.into_inner();
    let user = caller.writer()?;
    let input = body.0.parse()?;
    let updated = movies::update_review(&app.db, user, movie_id, review_id, input, None).await?;
    Ok(json(StatusCode::OK, &review_of(updated, &user.username)))
}

/// Deletes your own review.
#[utoipa::path(
    delete,
    path = "/api/v1/movies/{id}/reviews/{review}",
    tag = "movies",
    params(
        ("id" = i32, Path, description = "The movie's id"),
        ("review" = i32, Path, description = "The review's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Someone else's review", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such review of this movie", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["review_movies"]))
)]
pub async fn delete_review(
    caller: Caller,
    app: App,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (movie_id, review_id) = path.into_inner();
    let user = caller.writer()?;
    movies::delete_review(&app.db, user, movie_id, review_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
