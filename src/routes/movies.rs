//! The movie catalogue: the faceted list, movie pages, reviews, and managing movies
//! (`manage_movies`); the people around it in [`people`].

pub mod people;
pub mod watchlist;

use std::sync::Arc;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::{MpaRating, Permission};
use sea_orm::DatabaseConnection;

use super::{Cached, HtmlForm, client_ip, done, problems, render_status, submit};
use crate::auth::RequireUser;
use crate::cache::DataKey;
use crate::cache::shared_with_visitors;
use crate::domain::{FieldErrors, ServiceError};
use crate::flash::Level;
use crate::forms::{MovieForm, ReviewForm, WatchForm};
use crate::routes::PageQuery;
use crate::routes::error::AppError;
use crate::services::movies::{self, MovieFilter, MovieSort};
use crate::state::App;
use crate::views::{
    MovieDeletePage, MovieFormPage, MovieListPage, MoviePage, MovieQuery, PageContext, Pager,
    ReviewFormPage,
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
pub async fn list(cached: Cached, ctx: PageContext) -> Result<HttpResponse, AppError> {
    let (query, filter, notices) = parse_query(cached.req.query_string());
    let sort = MovieSort::parse(&query.sort);
    // An unknown direction is ignored, like an unknown sort: the sort's own direction.
    let descending = sort.descending(match query.dir.as_str() {
        "desc" => Some(true),
        "asc" => Some(false),
        _ => None,
    });
    let number = crate::services::Page::<()>::index(query.page);
    let db = cached.db();
    let version = cached.version().await;
    let loaded = cached
        .app
        .cache
        .get_or_load(
            version,
            DataKey::Movies {
                filter: filter.clone(),
                sort,
                descending,
                page: number,
            },
            async || -> Result<_, AppError> {
                // Two statements and the directors: facets with the total, then the page.
                let facets = movies::facets(db, &filter).await?;
                let page = movies::list_movies(db, &filter, sort, descending, number, facets.total)
                    .await?;
                Ok((Arc::new(facets), Arc::new(page)))
            },
        )
        .await?;
    let (facets, page) = (*loaded).clone();
    let pager = Pager::new(&page, &query.pairs());
    let list = MovieListPage {
        ctx,
        query,
        facets,
        page,
        pager,
        notices,
        sort: sort.as_str().to_owned(),
        descending,
    };
    Ok(shared_with_visitors(
        render_status(StatusCode::OK, &list)?,
        &list.ctx,
        version,
    ))
}

async fn movie_page(
    ctx: PageContext,
    db: &DatabaseConnection,
    id: i32,
    page: u64,
    form: ReviewForm,
    errors: FieldErrors,
    (watch_form, watch_errors): (WatchForm, FieldErrors),
) -> Result<MoviePage, AppError> {
    let card = movies::movie(db, id).await?.ok_or(AppError::NotFound)?;
    let reviews = movies::reviews(db, id, page).await?;
    let (my_review, watch) = match &ctx.user {
        Some(user) => (
            movies::review_of(db, id, user.id).await?,
            movies::watch_entry(db, user.id, id).await?,
        ),
        None => (None, None),
    };
    // The day as typed when the form comes back with a message; else the day saved.
    let watch_seen_on = match watch_errors.is_empty() {
        true => watch
            .as_ref()
            .and_then(|e| e.seen_on)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        false => watch_form.seen_on,
    };
    let similar = movies::more_like_this(
        db,
        ctx.user.as_ref(),
        card.row.id,
        card.row.year,
        card.row.mpa,
    )
    .await?;
    let pager = Pager::new(&reviews, &[]);
    Ok(MoviePage {
        can_review: movies::can_review(ctx.user.as_ref()),
        can_manage: movies::can_manage(ctx.user.as_ref()),
        ctx,
        card,
        reviews,
        pager,
        my_review,
        form_rating: form.rating,
        form_body: form.body,
        errors,
        watch,
        watch_seen_on,
        watch_errors,
        similar,
    })
}

pub async fn show(
    ctx: PageContext,
    app: App,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = movie_page(
        ctx,
        &app.db,
        path.into_inner(),
        query.number(),
        ReviewForm::default(),
        FieldErrors::default(),
        Default::default(),
    )
    .await?;
    render_status(StatusCode::OK, &page)
}

pub async fn review(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ReviewMovies)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let added = submit(form.parse(), |input| {
        movies::add_review(&app.db, &user.0, id, input)
    })
    .await;
    match added {
        Ok(_) => Ok({
            // A notification mailed at once may be waiting.
            app.delivery.wake_if_due(&app.db).await;
            done(
                &session,
                Level::Success,
                "Thank you: your review is posted.",
                &format!("/movies/{id}#reviews"),
            )
        }),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let page = movie_page(ctx, &app.db, id, 1, form, errors, Default::default()).await?;
            render_status(status, &page)
        }
    }
}

pub async fn review_edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (movie_id, review_id) = path.into_inner();
    let review = movies::own_review(&app.db, &user.0, movie_id, review_id).await?;
    let card = movies::movie(&app.db, movie_id)
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(
        StatusCode::OK,
        &ReviewFormPage {
            ctx,
            card,
            review_id,
            rating: review.rating.to_string(),
            version: movies::review_version(&review),
            body: review.body,
            errors: FieldErrors::default(),
            theirs: None,
        },
    )
}

pub async fn review_update(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, i32)>,
    form: HtmlForm<ReviewForm>,
) -> Result<HttpResponse, AppError> {
    let (movie_id, review_id) = path.into_inner();
    let form = form.into_inner();
    let expected = Some(form.version.trim()).filter(|v| !v.is_empty());
    let saved = submit(form.parse(), |input| {
        movies::update_review(&app.db, &user.0, movie_id, review_id, input, expected)
    })
    .await;
    match saved {
        Ok(_) => Ok(done(
            &session,
            Level::Success,
            "Your review is updated.",
            &format!("/movies/{movie_id}#reviews"),
        )),
        Err(error) => {
            // Saved elsewhere meanwhile: nothing is saved; that version is shown beside the
            // kept input, which now carries it as its base.
            let (status, errors, theirs) = match error {
                ServiceError::Stale => {
                    let theirs = movies::own_review(&app.db, &user.0, movie_id, review_id).await?;
                    (StatusCode::CONFLICT, FieldErrors::default(), Some(theirs))
                }
                other => {
                    let (status, errors) = problems(other)?;
                    (status, errors, None)
                }
            };
            let card = movies::movie(&app.db, movie_id)
                .await?
                .ok_or(AppError::NotFound)?;
            render_status(
                status,
                &ReviewFormPage {
                    ctx,
                    card,
                    review_id,
                    rating: form.rating,
                    body: form.body,
                    version: theirs
                        .as_ref()
                        .map(movies::review_version)
                        .unwrap_or(form.version),
                    errors,
                    theirs,
                },
            )
        }
    }
}

pub async fn review_delete(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (movie_id, review_id) = path.into_inner();
    movies::delete_review(&app.db, &user.0, movie_id, review_id).await?;
    Ok(done(
        &session,
        Level::Info,
        "Your review is deleted.",
        &format!("/movies/{movie_id}#reviews"),
    ))
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
        theirs: None,
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
    app: App,
    session: Session,
    form: HtmlForm<MovieForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let form = form.into_inner();
    let created = submit(form.parse(), |input| {
        movies::create_movie(&app.db, &user.0, client_ip(&req), input)
    })
    .await;
    match created {
        Ok(created) => Ok(done(
            &session,
            Level::Success,
            format!("“{}” is in the catalogue.", created.title),
            &format!("/movies/{}", created.id),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(status, &form_page(ctx, None, form, errors))
        }
    }
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let id = path.into_inner();
    let movie = movies::find(&app.db, id).await?;
    let directors = movies::directors_of(&app.db, vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let version = movies::movie_version(&movie);
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
        version,
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
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<MovieForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let id = path.into_inner();
    let mut form = form.into_inner();
    let expected = Some(form.version.trim()).filter(|v| !v.is_empty());
    let updated = submit(form.parse(), |input| {
        movies::update_movie(&app.db, &user.0, client_ip(&req), id, input, expected)
    })
    .await;
    match updated {
        Ok(updated) => Ok(done(
            &session,
            Level::Success,
            format!("“{}” is saved.", updated.title),
            &format!("/movies/{id}"),
        )),
        // Someone saved the movie since this form was opened: nothing is saved; theirs is
        // shown beside the kept input, which now carries their version as its base.
        Err(ServiceError::Stale) => {
            let theirs = movies::find(&app.db, id).await?;
            let directors = movies::directors_of(&app.db, vec![id])
                .await?
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| name)
                .collect::<Vec<_>>()
                .join(", ");
            form.version = movies::movie_version(&theirs);
            let mut page = form_page(ctx, Some(id), form, FieldErrors::default());
            page.theirs = Some((theirs, directors));
            render_status(StatusCode::CONFLICT, &page)
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(status, &form_page(ctx, Some(id), form, errors))
        }
    }
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let card = movies::movie(&app.db, path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(StatusCode::OK, &MovieDeletePage { ctx, card })
}

pub async fn delete(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageMovies)?;
    let movie = movies::delete_movie(&app.db, &user.0, client_ip(&req), path.into_inner()).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("“{}” is removed from the catalogue.", movie.title),
        "/movies",
    ))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/movies", web::get().to(list))
        .route("/movies/new", web::get().to(new_form))
        .route("/movies/new", web::post().to(create))
        .route("/movies/{id}", web::get().to(show))
        .route("/movies/{id}/edit", web::get().to(edit_form))
        .route("/movies/{id}/edit", web::post().to(update))
        .route("/movies/{id}/delete", web::get().to(delete_form))
        .route("/movies/{id}/delete", web::post().to(delete))
        .route("/movies/{id}/reviews", web::post().to(review))
        .route(
            "/movies/{id}/reviews/{review}/edit",
            web::get().to(review_edit_form),
        )
        .route(
            "/movies/{id}/reviews/{review}/edit",
            web::post().to(review_update),
        )
        .route(
            "/movies/{id}/reviews/{review}/delete",
            web::post().to(review_delete),
        )
        .configure(people::routes)
        .configure(watchlist::routes);
}
