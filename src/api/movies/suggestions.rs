//! Suggestions through the API: films like one film, and films for the calling member, each
//! with its reason.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Problem, json};
use crate::services::movies::{self, Suggestion};
use crate::state::App;

/// A film suggested, and why.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SuggestedMovie {
    pub movie_id: i32,
    pub title: String,
    pub year: i32,
    /// `same_director`, `liked_together`, `same_decade`, `director_of_yours` or
    /// `because_you_rated`.
    pub reason: String,
    /// The reason as a sentence ("Because you rated Parasite 9").
    pub because: String,
}

/// Suggested films, best first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SuggestionList {
    pub items: Vec<SuggestedMovie>,
}

fn list(suggestions: Vec<Suggestion>) -> SuggestionList {
    SuggestionList {
        items: suggestions
            .into_iter()
            .map(|s| SuggestedMovie {
                movie_id: s.movie.id,
                title: s.movie.title,
                year: s.movie.year,
                reason: s.reason.kind().to_owned(),
                because: s.reason.text(),
            })
            .collect(),
    }
}

/// Films like this one: by its directors, liked by the members who liked it, of its decade
/// and rating (never one the caller reviewed or saw).
#[utoipa::path(
    get,
    path = "/api/v1/movies/{id}/similar",
    tag = "movies",
    params(("id" = i32, Path, description = "The movie's id")),
    responses(
        (status = 200, description = "Films like it, best first", body = SuggestionList),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn similar(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let movie = movies::find(&app.db, path.into_inner()).await?;
    let found =
        movies::more_like_this(&app.db, caller.viewer(), movie.id, movie.year, movie.mpa).await?;
    Ok(json(StatusCode::OK, &list(found)))
}

/// Films for you, from the films you rated highly (never one you reviewed or saw).
#[utoipa::path(
    get,
    path = "/api/v1/me/suggestions",
    tag = "movies",
    responses(
        (status = 200, description = "Films for you, best first", body = SuggestionList),
    ),
    security(("bearer" = []))
)]
pub async fn for_me(caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let found = movies::for_you(&app.db, Some(user)).await?;
    Ok(json(StatusCode::OK, &list(found)))
}
