//! `GET /api/v1/search`: the search page's results as JSON, by the same service function.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pictures::Picture;
use super::{ApiError, Caller, json, page_cursor, page_links};
use crate::domain::{SearchQuery, ServiceError};
use crate::routes::Cached;
use crate::services::search::{self, About, Group, Hit, Kind};

/// What to search for.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words (every one must be found), `"a phrase"` and `prefix*`; at most 200 characters
    /// and 8 terms.
    pub q: Option<String>,
    /// `posts`, `movies`, `people` or `members`: a page of that kind (20). Without it, the
    /// first five of every kind.
    pub kind: Option<String>,
    /// A `next` or `prev` cursor from an earlier page of one kind.
    pub cursor: Option<String>,
}

/// A piece of a title or snippet; `marked` when it is a word the search found.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

/// One result. `url` is its page on the site; the other fields are its kind's.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchHit {
    pub url: String,
    /// The title (a post's or movie's) or name (a person's or member's), in segments.
    pub title: Vec<Segment>,
    /// Text around the first word found (posts and movies), in segments.
    pub snippet: Vec<Segment>,
    /// Posts: the slug; movies and people: the id; members: the username.
    pub key: String,
    pub author: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// A post that is still a draft (only its author and moderators find those).
    pub draft: Option<bool>,
    pub year: Option<i32>,
    pub directors: Option<Vec<Segment>>,
    /// How many movies a person directed.
    pub movies: Option<i64>,
    pub joined: Option<DateTime<Utc>>,
    /// A movie's poster, a person's portrait, a member's avatar.
    pub picture: Option<Picture>,
}

/// The results of one kind.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchGroup {
    /// `posts`, `movies`, `people` or `members`.
    pub kind: String,
    /// How many were found of this kind (with `capped`, among the newest 1,000 matches).
    pub total: u64,
    /// More matched than are ranked: the best of the newest 1,000 matches are given.
    pub capped: bool,
    pub items: Vec<SearchHit>,
}

/// A search's results, most relevant first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SearchResults {
    /// The search as it was understood.
    pub q: String,
    pub groups: Vec<SearchGroup>,
    /// A search with misspellings corrected, when nothing was found.
    pub suggestion: Option<String>,
    /// Cursors of a page of one kind.
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Searches posts, movies, people and members at once, or one kind a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "The results, most relevant first", body = SearchResults),
        (status = 400, description = "A cursor the API did not give out", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No words to search for, too long a search, or an unknown kind", body = super::Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn search(
    cached: Cached,
    caller: Caller,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let number = page_cursor(params.cursor.as_deref())?;
    let kind = Kind::parse(params.kind.as_deref().unwrap_or_default())
        .map_err(|message| ServiceError::invalid("kind", message))?;
    let query = SearchQuery::parse(params.q.as_deref().unwrap_or_default())
        .map_err(|message| ServiceError::invalid("q", message))?
        .ok_or_else(|| ServiceError::invalid("q", "Give some words to search for."))?;
    let results = search::search(cached.db(), caller.viewer(), &query, kind, number).await?;
    let suggestion = match results.total() {
        0 if number == 1 => search::suggest(&*cached.search_words().await?, &query),
        _ => None,
    };
    let (next, prev) = match kind {
        Some(_) => page_links(results.number, results.pages),
        None => (None, None),
    };
    Ok(json(
        StatusCode::OK,
        &SearchResults {
            q: query.to_string(),
            groups: results.groups.into_iter().map(group).collect(),
            suggestion: suggestion.map(|s| s.to_string()),
            next,
            prev,
        },
    ))
}

fn segments(segments: Vec<search::Segment>) -> Vec<Segment> {
    segments
        .into_iter()
        .map(|s| Segment {
            text: s.text,
            marked: s.marked,
        })
        .collect()
}

fn group(group: Group) -> SearchGroup {
    let kind = group.kind;
    SearchGroup {
        kind: kind.as_str().to_owned(),
        total: group.total,
        capped: group.capped,
        items: group.hits.into_iter().map(|h| hit(kind, h)).collect(),
    }
}

fn hit(kind: Kind, hit: Hit) -> SearchHit {
    let mut out = SearchHit {
        url: crate::views::result_path(kind, &hit.key),
        title: segments(hit.title),
        snippet: segments(hit.snippet),
        key: hit.key,
        author: None,
        published_at: None,
        draft: None,
        year: None,
        directors: None,
        movies: None,
        joined: None,
        picture: None,
    };
    match hit.about {
        About::Post {
            author,
            published_at,
            draft,
        } => {
            out.author = Some(author);
            out.published_at = published_at;
            out.draft = Some(draft);
        }
        About::Movie {
            year,
            directors,
            poster,
        } => {
            out.year = Some(year);
            out.directors = directors.map(segments);
            out.picture = poster.as_deref().map(Picture::of);
        }
        About::Person { movies, portrait } => {
            out.movies = Some(movies);
            out.picture = portrait.as_deref().map(Picture::of);
        }
        About::Member { joined, avatar } => {
            out.joined = Some(joined);
            out.picture = avatar.as_deref().map(Picture::of);
        }
    }
    out
}

/// This endpoint's route ([`crate::api::routes`] mounts it).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::at("/search").route(web::get().to(search)));
}
