//! The movie catalogue: the faceted list, movie and person pages, reviews, and managing movies
//! (`manage_movies`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::{MpaRating, Permission};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::Deserialize;

use super::{Site, form_pairs, render_status, see_other};
use crate::auth::{CurrentUser, RequireUser};
use crate::errors::AppError;
use crate::flash::{self, Level};
use crate::services::Page;
use crate::services::movies::{self, MovieFilter, MovieInput, MovieSort, ReviewError};
use crate::views::{
    FieldErrors, MovieDeletePage, MovieForm, MovieFormPage, MovieListPage, MoviePage, MovieQuery,
    PageContext, Pager, PersonPage, ReviewFormPage,
};

/// Reads the list's query string; values that make no sense are dropped with a notice.
fn parse_query(raw: &str) -> (MovieQuery, MovieFilter, Vec<String>) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    let mut query = MovieQuery::default();
    for (key, value) in pairs {
        let value = value.trim().to_owned();
        match key.as_str() {
            "q" => query.q = value,
            "year_from" => query.year_from = value,
            "year_to" => query.year_to = value,
            "mpa" if !value.is_empty() && !query.mpa.contains(&value) => query.mpa.push(value),
            "theatre" => query.theatre = value,
            "director" => query.director = value,
            "sort" => query.sort = value,
            "dir" => query.dir = value,
            "page" => query.page = value.parse().ok(),
            _ => {}
        }
    }
    let mut notices = Vec::new();
    let mut year = |raw: &mut String, label: &str| -> Option<i32> {
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i32>() {
            Ok(y) if (movies::FIRST_YEAR..=movies::last_year()).contains(&y) => Some(y),
            _ => {
                notices.push(format!(
                    "“{raw}” is not a year between {} and {}; the {label} filter was ignored.",
                    movies::FIRST_YEAR,
                    movies::last_year()
                ));
                raw.clear();
                None
            }
        }
    };
    let year_from = year(&mut query.year_from, "“from” year");
    let year_to = year(&mut query.year_to, "“to” year");
    let mut mpa = Vec::new();
    query.mpa.retain(|value| {
        if value == "unrated" {
            mpa.push(None);
            true
        } else if let Some(r) = MpaRating::parse(value) {
            mpa.push(Some(r));
            true
        } else {
            notices.push(format!("“{value}” is not an MPA rating; it was ignored."));
            false
        }
    });
    let theatre = match query.theatre.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            query.theatre.clear();
            None
        }
    };
    let filter = MovieFilter {
        q: Some(query.q.clone()).filter(|q| !q.is_empty()),
        year_from,
        year_to,
        mpa,
        theatre,
        director: Some(query.director.clone()).filter(|d| !d.is_empty()),
    };
    (query, filter, notices)
}

#[tracing::instrument(name = "movies", skip_all)]
pub async fn list(site: Site, ctx: PageContext) -> Result<HttpResponse, AppError> {
    let (query, filter, notices) = parse_query(site.req.query_string());
    let sort = MovieSort::parse(&query.sort);
    let descending = match query.dir.as_str() {
        "desc" => true,
        "asc" => false,
        // Ratings and years read best highest first.
        _ => sort != MovieSort::Title,
    };
    let number = Page::<()>::index(query.page);
    let db = site.db();
    let version = site.version().await;
    let key = format!("movies:{filter:?}:{sort:?}:{descending}:{number}");
    let loaded = site
        .cache
        .get_or_load(version, &key, async || -> Result<_, AppError> {
            // Two statements and the directors: facets with the total, then the page.
            let facets = movies::facets(db, &filter).await?;
            let page =
                movies::list_movies(db, &filter, sort, descending, number, facets.total).await?;
            Ok((facets, page))
        })
        .await?;
    let (facets, page) = (*loaded).clone();
    let pager = Pager::new(&page, &query.pairs());
    render_status(
        StatusCode::OK,
        &MovieListPage {
            ctx,
            query,
            facets,
            page,
            pager,
            notices,
            sort: sort.as_str().to_owned(),
            descending,
        },
    )
}

fn can_manage(user: Option<&CurrentUser>) -> bool {
    user.is_some_and(|u| u.can(Permission::ManageMovies))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub rating: String,
    pub body: String,
}

fn parse_review(form: &ReviewForm) -> Result<(i32, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let rating = match form.rating.trim().parse::<i32>() {
        Ok(r) if (1..=10).contains(&r) => r,
        _ => {
            errors.add("rating", "Choose a rating from 1 to 10.");
            0
        }
    };
    let body = form.body.trim().to_owned();
    if body.is_empty() {
        errors.add("body", "Say a few words about the movie.");
    } else if body.chars().count() > 5_000 {
        errors.add("body", "Reviews are at most 5,000 characters long.");
    }
    if errors.is_empty() {
        Ok((rating, body))
    } else {
        Err(errors)
    }
}

async fn movie_page(
    ctx: PageContext,
    db: &DatabaseConnection,
    id: i32,
    page: u64,
    form: ReviewForm,
    errors: FieldErrors,
) -> Result<MoviePage, AppError> {
    let card = movies::movie(db, id).await?.ok_or(AppError::NotFound)?;
    let reviews = movies::reviews(db, id, page).await?;
    let my_review = match &ctx.user {
        Some(user) => movies::review_of(db, id, user.id).await?,
        None => None,
    };
    let pager = Pager::new(&reviews, &[]);
    Ok(MoviePage {
        can_review: ctx
            .user
            .as_ref()
            .is_some_and(|u| u.can(Permission::ReviewMovies)),
        can_manage: can_manage(ctx.user.as_ref()),
        ctx,
        card,
        reviews,
        pager,
        my_review,
        form_rating: form.rating,
        form_body: form.body,
        errors,
    })
}

pub async fn show(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = movie_page(
        ctx,
        db.get_ref(),
        path.into_inner(),
        Page::<()>::index(query.page),
        ReviewForm::default(),
        FieldErrors::default(),
    )
    .await?;
    render_status(StatusCode::OK, &page)
}

pub async fn review(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ReviewMovies)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let outcome = match parse_review(&form) {
        Ok((rating, body)) => {
            match movies::add_review(db.get_ref(), id, user.0.id, rating, body).await {
                Ok(_) => None,
                Err(ReviewError::AlreadyReviewed) => {
                    let mut errors = FieldErrors::default();
                    errors.add("body", ReviewError::AlreadyReviewed.to_string());
                    Some((StatusCode::CONFLICT, errors))
                }
                Err(ReviewError::Db(e)) => {
                    // A review of a movie deleted meanwhile: the movie page says it is gone.
                    if movies::movie(db.get_ref(), id).await?.is_none() {
                        return Err(AppError::NotFound);
                    }
                    return Err(e.into());
                }
            }
        }
        Err(errors) => Some((StatusCode::UNPROCESSABLE_ENTITY, errors)),
    };
    match outcome {
        None => {
            flash::push(
                &session,
                Level::Success,
                "Thank you: your review is posted.",
            );
            Ok(see_other(&format!("/movies/{id}#reviews")))
        }
        Some((status, errors)) => {
            let page = movie_page(ctx, db.get_ref(), id, 1, form, errors).await?;
            render_status(status, &page)
        }
    }
}

/// The review, if it belongs to `user`.
async fn own_review(
    db: &DatabaseConnection,
    movie_id: i32,
    review_id: i32,
    user: &CurrentUser,
) -> Result<entity::review::Model, AppError> {
    let review = entity::review::Entity::find_by_id(review_id)
        .one(db)
        .await?
        .filter(|r| r.movie_id == movie_id)
        .ok_or(AppError::NotFound)?;
    if review.user_id == user.id {
        Ok(review)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn review_edit_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (movie_id, review_id) = path.into_inner();
    let review = own_review(db.get_ref(), movie_id, review_id, &user.0).await?;
    let card = movies::movie(db.get_ref(), movie_id)
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(
        StatusCode::OK,
        &ReviewFormPage {
            ctx,
            card,
            review_id,
            rating: review.rating.to_string(),
            body: review.body,
            errors: FieldErrors::default(),
        },
    )
}

pub async fn review_update(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<(i32, i32)>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    let (movie_id, review_id) = path.into_inner();
    let review = own_review(db.get_ref(), movie_id, review_id, &user.0).await?;
    let form = form.into_inner();
    match parse_review(&form) {
        Ok((rating, body)) => {
            movies::update_review(db.get_ref(), review, rating, body).await?;
            flash::push(&session, Level::Success, "Your review is updated.");
            Ok(see_other(&format!("/movies/{movie_id}#reviews")))
        }
        Err(errors) => {
            let card = movies::movie(db.get_ref(), movie_id)
                .await?
                .ok_or(AppError::NotFound)?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ReviewFormPage {
                    ctx,
                    card,
                    review_id,
                    rating: form.rating,
                    body: form.body,
                    errors,
                },
            )
        }
    }
}

pub async fn review_delete(
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (movie_id, review_id) = path.into_inner();
    let review = own_review(db.get_ref(), movie_id, review_id, &user.0).await?;
    movies::delete_review(db.get_ref(), &review).await?;
    flash::push(&session, Level::Info, "Your review is deleted.");
    Ok(see_other(&format!("/movies/{movie_id}#reviews")))
}

pub async fn person(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (person, movies) = movies::person_with_movies(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(
        StatusCode::OK,
        &PersonPage {
            ctx,
            person,
            movies,
        },
    )
}

fn movie_form(pairs: Vec<(String, String)>) -> MovieForm {
    let mut form = MovieForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "title" => form.title = value,
            "year" => form.year = value,
            "mpa" => form.mpa = value,
            "theatre" => form.theatre = !value.is_empty(),
            "synopsis" => form.synopsis = value,
            "directors" => form.directors = value,
            _ => {}
        }
    }
    form
}

fn parse_movie(form: &MovieForm) -> Result<MovieInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = form.title.trim().to_owned();
    if title.is_empty() {
        errors.add("title", "Give the movie a title.");
    } else if title.chars().count() > 200 {
        errors.add("title", "Titles are at most 200 characters long.");
    }
    let last = movies::last_year();
    let year = match form.year.trim().parse::<i32>() {
        Ok(y) if (movies::FIRST_YEAR..=last).contains(&y) => y,
        _ => {
            errors.add(
                "year",
                format!("Enter a year from {} to {last}.", movies::FIRST_YEAR),
            );
            0
        }
    };
    let mpa = match form.mpa.trim() {
        "" => None,
        raw => match MpaRating::parse(raw) {
            Some(r) => Some(r),
            None => {
                errors.add("mpa", "Choose a rating from the list, or none.");
                None
            }
        },
    };
    let synopsis = form.synopsis.trim().to_owned();
    if synopsis.chars().count() > 5_000 {
        errors.add("synopsis", "Keep the synopsis under 5,000 characters.");
    }
    let directors = movies::parse_directors(&form.directors)
        .map_err(|e| errors.add("directors", e))
        .unwrap_or_default();
    if errors.is_empty() {
        Ok(MovieInput {
            title,
            year,
            mpa,
            theatre: form.theatre,
            synopsis,
            directors,
        })
    } else {
        Err(errors)
    }
}

fn form_page(
    ctx: PageContext,
    movie_id: Option<i32>,
    form: MovieForm,
    errors: FieldErrors,
) -> MovieFormPage {
    MovieFormPage {
        ctx,
        movie_id,
        form,
        errors,
        ratings: MpaRating::all(),
    }
}

pub async fn new_form(ctx: PageContext, user: RequireUser) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let form = MovieForm {
        theatre: true,
        ..Default::default()
    };
    render_status(
        StatusCode::OK,
        &form_page(ctx, None, form, FieldErrors::default()),
    )
}

pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let form = movie_form(form_pairs(&body)?);
    match parse_movie(&form) {
        Ok(input) => {
            let created =
                movies::create_movie(db.get_ref(), input, &super::actor(&req, &user.0)).await?;
            flash::push(
                &session,
                Level::Success,
                format!("“{}” is in the catalogue.", created.title),
            );
            Ok(see_other(&format!("/movies/{}", created.id)))
        }
        Err(errors) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(ctx, None, form, errors),
        ),
    }
}

async fn existing(db: &DatabaseConnection, id: i32) -> Result<entity::movie::Model, AppError> {
    entity::movie::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let id = path.into_inner();
    let movie = existing(db.get_ref(), id).await?;
    let directors = movies::directors_of(db.get_ref(), vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let form = MovieForm {
        title: movie.title,
        year: movie.year.to_string(),
        mpa: movie.mpa.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        theatre: movie.theatre,
        synopsis: movie.synopsis,
        directors: directors
            .into_iter()
            .map(|(_, name)| name)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    render_status(
        StatusCode::OK,
        &form_page(ctx, Some(id), form, FieldErrors::default()),
    )
}

pub async fn update(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let id = path.into_inner();
    let movie = existing(db.get_ref(), id).await?;
    let form = movie_form(form_pairs(&body)?);
    match parse_movie(&form) {
        Ok(input) => {
            let updated =
                movies::update_movie(db.get_ref(), movie, input, &super::actor(&req, &user.0))
                    .await?;
            flash::push(
                &session,
                Level::Success,
                format!("“{}” is saved.", updated.title),
            );
            Ok(see_other(&format!("/movies/{id}")))
        }
        Err(errors) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(ctx, Some(id), form, errors),
        ),
    }
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let card = movies::movie(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(StatusCode::OK, &MovieDeletePage { ctx, card })
}

pub async fn delete(
    req: HttpRequest,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let movie = existing(db.get_ref(), path.into_inner()).await?;
    movies::delete_movie(db.get_ref(), &movie, &super::actor(&req, &user.0)).await?;
    flash::push(
        &session,
        Level::Success,
        format!("“{}” is removed from the catalogue.", movie.title),
    );
    Ok(see_other("/movies"))
}
