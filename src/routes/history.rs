//! History pages: `GET /posts/{slug}/history` and `GET /movies/{id}/history` (every audited
//! change, with what it changed and a text diff for long text), and their reverts, `POST
//! …/history/{entry}/revert`. An account's history is in the admin area; a role's too.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::RequireUser;
use crate::flash::Level;
use crate::routes::error::AppError;
use crate::routes::{client_ip, done, problems, render_status};
use crate::services::history;
use crate::state::App;
use crate::views::{MovieHistoryPage, PageContext, PostHistoryPage};

pub async fn post_page(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (post, versions) = history::post_history(&app.db, &user.0, &path.into_inner()).await?;
    render_status(
        StatusCode::OK,
        &PostHistoryPage {
            ctx,
            revert_base: Some(format!("/posts/{}/history", post.slug)),
            post,
            versions,
        },
    )
}

pub async fn post_revert(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (slug, entry) = path.into_inner();
    match history::revert_post(&app.db, &user.0, client_ip(&req), &slug, entry).await {
        Ok(post) => Ok(done(
            &session,
            Level::Success,
            "Post reverted to the earlier version.",
            &format!("/posts/{}", post.slug),
        )),
        Err(error) => {
            let (_, errors) = problems(error)?;
            let back = format!("/posts/{slug}/history");
            Ok(done(&session, Level::Error, errors.to_string(), &back))
        }
    }
}

pub async fn movie_page(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (movie, versions) = history::movie_history(&app.db, &user.0, path.into_inner()).await?;
    render_status(
        StatusCode::OK,
        &MovieHistoryPage {
            ctx,
            revert_base: Some(format!("/movies/{}/history", movie.id)),
            movie,
            versions,
        },
    )
}

pub async fn movie_revert(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (id, entry) = path.into_inner();
    match history::revert_movie(&app.db, &user.0, client_ip(&req), id, entry).await {
        Ok(movie) => Ok(done(
            &session,
            Level::Success,
            format!("“{}” reverted to the earlier version.", movie.title),
            &format!("/movies/{id}"),
        )),
        Err(error) => {
            let (_, errors) = problems(error)?;
            let back = format!("/movies/{id}/history");
            Ok(done(&session, Level::Error, errors.to_string(), &back))
        }
    }
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/posts/{slug}/history", web::get().to(post_page))
        .route(
            "/posts/{slug}/history/{entry}/revert",
            web::post().to(post_revert),
        )
        .route("/movies/{id}/history", web::get().to(movie_page))
        .route(
            "/movies/{id}/history/{entry}/revert",
            web::post().to(movie_revert),
        );
}
