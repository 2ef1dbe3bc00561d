//! Movies through the API: the faceted list, one movie, and managing movies with their
//! ordered directors (`manage_movies`); people.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::{MpaRating, Permission};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links, tagged};
use crate::domain::{Directors, FieldErrors, ServiceError, Synopsis, Title, Year, parse_mpa};
use crate::request::client_ip;
use crate::services::movies::{self, MovieCard, MovieFilter, MovieSort};
use crate::services::precondition::{Lock, unless_changed};
use crate::state::App;

/// A person as a movie credits them.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: i32,
    pub name: String,
}

/// A movie with its rating aggregates and directors in credited order.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Movie {
    pub id: i32,
    pub title: String,
    pub year: i32,
    /// `G`, `PG`, `PG-13`, `R`, `NC-17`, or `null` when unrated.
    pub mpa: Option<String>,
    /// Showing in theatres now.
    pub theatre: bool,
    pub synopsis: String,
    /// The average rating (1 to 10), `null` without reviews.
    pub average_rating: Option<f64>,
    pub review_count: i32,
    pub directors: Vec<PersonRef>,
    /// The poster in its sizes, `null` without one.
    pub poster: Option<crate::api::pictures::Picture>,
}

impl From<MovieCard> for Movie {
    fn from(card: MovieCard) -> Self {
        Movie {
            id: card.row.id,
            title: card.row.title,
            year: card.row.year,
            mpa: card.row.mpa.map(|r| r.as_str().to_owned()),
            theatre: card.row.theatre,
            synopsis: card.row.synopsis,
            average_rating: card.row.avg_rating,
            review_count: card.row.review_count,
            directors: card
                .directors
                .into_iter()
                .map(|(id, name)| PersonRef { id, name })
                .collect(),
            poster: card
                .row
                .poster
                .as_deref()
                .map(crate::api::pictures::Picture::of),
        }
    }
}

/// How many movies one value of a facet would give, with every other filter applied.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RatingCount {
    /// `null` for unrated movies.
    pub mpa: Option<String>,
    pub count: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DecadeCount {
    /// The decade's first year (1990 for the nineties).
    pub decade: i32,
    pub count: u64,
}

/// The counts beside the list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MovieFacets {
    pub mpa: Vec<RatingCount>,
    pub decades: Vec<DecadeCount>,
    pub in_theatres: u64,
    pub not_in_theatres: u64,
}

/// A page of the catalogue with the total and the facet counts.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MovieList {
    pub items: Vec<Movie>,
    pub total: u64,
    pub facets: MovieFacets,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Which movies to list, and in what order (24 a page).
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MovieListQuery {
    /// Text in the title.
    pub q: Option<String>,
    /// Released in or after this year.
    pub year_from: Option<i32>,
    /// Released in or before this year.
    pub year_to: Option<i32>,
    /// Ratings, comma-separated (`PG,PG-13`; `unrated` for none).
    pub mpa: Option<String>,
    /// In theatres (`true`) or not (`false`).
    pub theatre: Option<bool>,
    /// A director's name.
    pub director: Option<String>,
    /// `title` (the default), `year` or `rating`.
    pub sort: Option<String>,
    /// `asc` or `desc` (by default: titles ascending, years and ratings descending).
    pub dir: Option<String>,
    /// A `next` or `prev` cursor from an earlier page.
    pub cursor: Option<String>,
}

impl MovieListQuery {
    pub(super) fn filter(&self) -> Result<(MovieFilter, MovieSort, bool), ApiError> {
        let years = movies::FIRST_YEAR..=movies::last_year();
        for year in [self.year_from, self.year_to].into_iter().flatten() {
            if !years.contains(&year) {
                return Err(ApiError::BadRequest(format!(
                    "Years are between {} and {}.",
                    movies::FIRST_YEAR,
                    movies::last_year()
                )));
            }
        }
        let mut mpa = Vec::new();
        for value in self
            .mpa
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            let rating = match value {
                "unrated" => None,
                other => Some(MpaRating::parse(other).ok_or_else(|| {
                    ApiError::BadRequest(format!("“{other}” is not an MPA rating."))
                })?),
            };
            if !mpa.contains(&rating) {
                mpa.push(rating);
            }
        }
        let sort = match self.sort.as_deref() {
            None => MovieSort::default(),
            Some(name) => MovieSort::named(name)
                .ok_or_else(|| ApiError::BadRequest("sort is title, year or rating.".into()))?,
        };
        let descending = sort.descending(match self.dir.as_deref() {
            None => None,
            Some("asc") => Some(false),
            Some("desc") => Some(true),
            Some(_) => return Err(ApiError::BadRequest("dir is asc or desc.".into())),
        });
        let text = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        Ok((
            MovieFilter {
                q: text(&self.q),
                year_from: self.year_from,
                year_to: self.year_to,
                mpa,
                theatre: self.theatre,
                director: text(&self.director),
            },
            sort,
            descending,
        ))
    }
}

/// Lists movies with every filter and sort of the catalogue page, and the facet counts.
#[utoipa::path(
    get,
    path = "/api/v1/movies",
    tag = "movies",
    params(MovieListQuery),
    responses(
        (status = 200, description = "A page of movies", body = MovieList),
        (status = 400, description = "A bad filter, sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_movies(
    app: App,
    query: web::Query<MovieListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, sort, descending) = query.filter()?;
    let number = page_cursor(query.cursor.as_deref())?;
    let db = &app.db;
    let facets = movies::facets(db, &filter).await?;
    let page = movies::list_movies(db, &filter, sort, descending, number, facets.total).await?;
    let (next, prev) = page_links(page.number, page.pages);
    Ok(json(
        StatusCode::OK,
        &MovieList {
            items: page.items.into_iter().map(Movie::from).collect(),
            total: facets.total,
            facets: MovieFacets {
                mpa: facets
                    .mpa
                    .iter()
                    .map(|(rating, count)| RatingCount {
                        mpa: rating.map(|r| r.as_str().to_owned()),
                        count: *count,
                    })
                    .collect(),
                decades: facets
                    .decades
                    .iter()
                    .map(|(decade, count)| DecadeCount {
                        decade: *decade,
                        count: *count,
                    })
                    .collect(),
                in_theatres: facets.theatre.0,
                not_in_theatres: facets.theatre.1,
            },
            next,
            prev,
        },
    ))
}

pub(crate) async fn movie_view(db: &impl ConnectionTrait, id: i32) -> Result<Movie, ServiceError> {
    movies::movie(db, id)
        .await?
        .map(Movie::from)
        .ok_or(ServiceError::NotFound)
}

/// Reads one movie.
#[utoipa::path(
    get,
    path = "/api/v1/movies/{id}",
    tag = "movies",
    params(
        ("id" = i32, Path, description = "The movie's id"),
        ("If-None-Match" = Option<String>, Header, description = "An entity tag read earlier: 304 when it is still current"),
    ),
    responses(
        (status = 200, description = "The movie", body = Movie, headers(("ETag" = String, description = "The movie's entity tag"))),
        (status = 304, description = "Not modified since the tag in If-None-Match"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn get_movie(
    req: HttpRequest,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let movie = movie_view(&app.db, path.into_inner()).await?;
    Ok(tagged(&req, StatusCode::OK, &movie))
}

/// A movie to add, or the new state of one.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MovieWrite {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// From 1888 to next year.
    #[schema(minimum = 1888)]
    pub year: Option<i32>,
    /// `G`, `PG`, `PG-13`, `R`, `NC-17`, or empty/`null` for none.
    pub mpa: Option<String>,
    pub theatre: bool,
    pub synopsis: String,
    /// Names in credited order (people are found or created by name).
    pub directors: Vec<String>,
}

impl MovieWrite {
    /// The service's input, by the domain parsers and field names the movie form uses.
    pub(super) fn parse(&self) -> Result<movies::MovieInput, ServiceError> {
        let names = crate::api::list_entries(&self.directors, "directors", &[',', '\n'])?;
        let mut errors = FieldErrors::default();
        let title = errors.check("title", Title::parse(&self.title, "movie"));
        let year = errors.check("year", Year::from_number(self.year));
        let mpa = errors.check("mpa", parse_mpa(self.mpa.as_deref().unwrap_or_default()));
        let synopsis = errors.check("synopsis", Synopsis::parse(&self.synopsis));
        let directors = errors.check("directors", Directors::from_list(names));
        errors.or_valid(|| {
            Some(movies::MovieInput {
                title: title?,
                year: year?,
                mpa: mpa?,
                theatre: self.theatre,
                synopsis: synopsis?,
                directors: directors?,
            })
        })
    }
}

/// Adds a movie (`manage_movies`; audited).
#[utoipa::path(
    post,
    path = "/api/v1/movies",
    tag = "movies",
    request_body = MovieWrite,
    responses(
        (status = 201, description = "The new movie", body = Movie, headers(("Location" = String, description = "The movie's address in the API"), ("ETag" = String, description = "The movie's entity tag"))),
        (status = 403, description = "The token lacks manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn create_movie(
    req: HttpRequest,
    caller: Caller,
    app: App,
    body: Json<MovieWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(Permission::ManageMovies)?;
    let input = body.0.parse()?;
    let created = movies::create_movie(&app.db, user, client_ip(&req), input).await?;
    let movie = movie_view(&app.db, created.id).await?;
    Ok(crate::api::created(
        &format!("/api/v1/movies/{}", movie.id),
        &movie,
    ))
}

/// Saves a new state of a movie (`manage_movies`; audited). With `If-Match`, only while the
/// movie is as the client read it.
#[utoipa::path(
    put,
    path = "/api/v1/movies/{id}",
    tag = "movies",
    request_body = MovieWrite,
    params(
        ("id" = i32, Path, description = "The movie's id"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the change is based on"),
    ),
    responses(
        (status = 200, description = "The movie as saved", body = Movie, headers(("ETag" = String, description = "The movie's new entity tag"))),
        (status = 403, description = "The token lacks manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The movie changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn update_movie(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<MovieWrite>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = caller.writer()?;
    user.require(Permission::ManageMovies)?;
    let input = body.0.parse()?;
    movies::find(&app.db, id).await?;
    let address = client_ip(&req);
    unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Row("movie", id),
        async |txn: &DatabaseTransaction| movie_view(txn, id).await,
        async |txn: &DatabaseTransaction| {
            movies::update_movie(txn, user, address, id, input, None).await
        },
    )
    .await?;
    let movie = movie_view(&app.db, id).await?;
    Ok(tagged(&req, StatusCode::OK, &movie))
}

/// Deletes a movie with its reviews (`manage_movies`; audited).
#[utoipa::path(
    delete,
    path = "/api/v1/movies/{id}",
    tag = "movies",
    params(
        ("id" = i32, Path, description = "The movie's id"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The token lacks manage_movies", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such movie", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The movie changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_movies"]))
)]
pub async fn delete_movie(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let user = caller.writer()?;
    user.require(Permission::ManageMovies)?;
    movies::find(&app.db, id).await?;
    let address = client_ip(&req);
    unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Row("movie", id),
        async |txn: &DatabaseTransaction| movie_view(txn, id).await,
        async |txn: &DatabaseTransaction| movies::delete_movie(txn, user, address, id).await,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A person with a page of the movies they directed, newest first (50 a page).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: i32,
    pub name: String,
    pub directed: Vec<Movie>,
    /// How many movies they directed.
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Reads a person.
#[utoipa::path(
    get,
    path = "/api/v1/people/{id}",
    tag = "movies",
    params(("id" = i32, Path, description = "The person's id"), crate::api::blog::PageQuery),
    responses(
        (status = 200, description = "The person", body = Person),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn get_person(
    req: HttpRequest,
    app: App,
    path: web::Path<i32>,
    query: web::Query<crate::api::blog::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let number = crate::api::page_cursor(query.cursor.as_deref())?;
    let (person, directed) = movies::person_with_movies(&app.db, path.into_inner(), number)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let (next, prev) = crate::api::page_links(directed.number, directed.pages);
    let person = Person {
        id: person.id,
        name: person.name,
        total: directed.total,
        directed: directed.items.into_iter().map(Movie::from).collect(),
        next,
        prev,
    };
    Ok(tagged(&req, StatusCode::OK, &person))
}
