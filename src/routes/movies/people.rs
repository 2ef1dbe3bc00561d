//! The people around the catalogue: everyone credited (`/people`, searchable), a person's
//! page with the movies they directed, and a member's reviews (`/users/{username}/reviews`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::auth::MaybeUser;
use crate::routes::error::AppError;
use crate::routes::{ListSearch, PageQuery, render_status};
use crate::services::{ServiceError, accounts, movies};
use crate::state::App;
use crate::views::{MemberReviewsPage, PageContext, Pager, PeoplePage, PersonPage};

/// `/people`: everyone credited, by name, searchable.
pub async fn people(
    ctx: PageContext,
    app: App,
    query: web::Query<ListSearch>,
) -> Result<HttpResponse, AppError> {
    let number = query.number();
    let page = movies::people(&app.db, &query.q, number).await?;
    let pager = Pager::new(&page, &query.kept());
    let q = query.into_inner().q;
    render_status(
        StatusCode::OK,
        &PeoplePage {
            ctx,
            q,
            page,
            pager,
        },
    )
}

pub async fn person(
    ctx: PageContext,
    viewer: MaybeUser,
    app: App,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let number = query.number();
    let (person, movies) = movies::person_with_movies(&app.db, path.into_inner(), number)
        .await?
        .ok_or(AppError::NotFound)?;
    let pager = Pager::new(&movies, &[]);
    render_status(
        StatusCode::OK,
        &PersonPage {
            ctx,
            person,
            movies,
            pager,
            can_manage: movies::can_manage(viewer.0.as_ref()),
        },
    )
}

/// `/users/{username}/reviews`: a member's reviews, newest first.
pub async fn member_reviews(
    ctx: PageContext,
    app: App,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let member = accounts::user_by_username(&app.db, &path.into_inner()).await?;
    let page = movies::reviews_by(&app.db, member.id, query.number())
        .await
        .map_err(ServiceError::from)?;
    let pager = Pager::new(&page, &[]);
    render_status(
        StatusCode::OK,
        &MemberReviewsPage {
            ctx,
            username: member.username,
            page,
            pager,
        },
    )
}

/// This part's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/people", web::get().to(people))
        .route("/people/{id}", web::get().to(person))
        .route("/users/{username}/reviews", web::get().to(member_reviews));
}
