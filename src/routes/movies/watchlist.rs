//! Watchlists: the films a member wants to see or has seen, changed from a film's page and
//! shown at `/users/{username}/watchlist` (to anyone when the member made it public).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::{MaybeUser, RequireUser};
use crate::domain::{FieldErrors, WatchFilter};
use crate::flash::Level;
use crate::forms::WatchForm;
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, done, problems, render_status, submit};
use crate::services::movies;
use crate::state::App;
use crate::views::{PageContext, Pager, WatchlistPage};

/// Puts the film on the member's list, or changes where it stands; a day that cannot be
/// shows the film's page again with the message and the day as typed.
pub async fn watch(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<WatchForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let saved = submit(form.parse(), |watch| {
        movies::watch(&app.db, &user.0, id, watch)
    })
    .await;
    match saved {
        Ok(entry) => {
            let message = match entry.seen_on {
                Some(_) => "Marked as seen on your watchlist.",
                None => "Added to your watchlist.",
            };
            Ok(done(
                &session,
                Level::Success,
                message,
                &format!("/movies/{id}#watchlist"),
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let page = super::movie_page(
                ctx,
                &app.db,
                id,
                1,
                crate::forms::ReviewForm::default(),
                FieldErrors::default(),
                (form, errors),
            )
            .await?;
            render_status(status, &page)
        }
    }
}

/// Takes the film off the member's list.
pub async fn unwatch(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    movies::unwatch(&app.db, &user.0, id).await?;
    Ok(done(
        &session,
        Level::Success,
        "Taken off your watchlist.",
        &format!("/movies/{id}#watchlist"),
    ))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisibilityForm {
    pub public: String,
}

/// Makes the member's list public or private.
pub async fn visibility(
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<VisibilityForm>,
) -> Result<HttpResponse, AppError> {
    let public = form.into_inner().public == "true";
    movies::set_public(&app.db, &user.0, public).await?;
    let message = match public {
        true => "Your watchlist is public: anyone can see it.",
        false => "Your watchlist is private: only you can see it.",
    };
    Ok(done(
        &session,
        Level::Success,
        message,
        &format!("/users/{}/watchlist", user.0.username),
    ))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WatchlistQuery {
    pub status: String,
    pub page: Option<u64>,
}

/// `/users/{username}/watchlist`: latest first, all of it or the films wanted or seen.
pub async fn watchlist(
    ctx: PageContext,
    viewer: MaybeUser,
    app: App,
    path: web::Path<String>,
    query: web::Query<WatchlistQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = WatchFilter::parse(&query.status);
    let list = movies::watchlist(
        &app.db,
        viewer.0.as_ref(),
        &path.into_inner(),
        filter,
        crate::services::Page::<()>::index(query.page),
    )
    .await?;
    let pager = Pager::new(&list.entries, &[("status", filter.as_str().to_owned())]);
    render_status(StatusCode::OK, &WatchlistPage { ctx, list, pager })
}

/// This part's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/movies/{id}/watchlist", web::post().to(watch))
        .route("/movies/{id}/watchlist/remove", web::post().to(unwatch))
        .route("/watchlist/visibility", web::post().to(visibility))
        .route("/users/{username}/watchlist", web::get().to(watchlist));
}
