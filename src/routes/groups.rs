//! Groups: list and member pages for everyone; join and leave for signed-in users; create,
//! rename and delete for `manage_groups`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;

use super::{HtmlForm, client_ip, done, problems, render_status, submit};
use crate::auth::RequireUser;
use crate::domain::FieldErrors;
use crate::flash::Level;
use crate::forms::GroupForm;
use crate::routes::PageQuery;
use crate::routes::error::AppError;
use crate::services::groups;
use crate::state::App;
use crate::views::{GroupDeletePage, GroupEditPage, GroupPage, GroupsPage, PageContext, Pager};

const MEMBERS_PER_PAGE: u64 = 20;

pub async fn list(
    ctx: PageContext,
    app: App,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let groups = groups::list(&app.db, query.number()).await?;
    let pager = Pager::new(&groups, &[]);
    render_status(
        StatusCode::OK,
        &GroupsPage {
            ctx,
            groups,
            pager,
            name: String::new(),
            description: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

/// Creates a group from the form on the list page, or shows that page again with its problems.
pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<GroupForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let form = form.into_inner();
    let saved = submit(form.parse(), |input| {
        groups::create(&app.db, &user.0, client_ip(&req), input)
    })
    .await;
    match saved {
        Ok(group) => Ok(done(
            &session,
            Level::Success,
            format!("Group “{}” created.", group.name),
            &format!("/groups/{}", group.id),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let groups = groups::list(&app.db, 1).await?;
            let pager = Pager::new(&groups, &[]);
            render_status(
                status,
                &GroupsPage {
                    ctx,
                    groups,
                    pager,
                    name: form.name,
                    description: form.description,
                    errors,
                },
            )
        }
    }
}

pub async fn show(
    ctx: PageContext,
    app: App,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let group = groups::find(&app.db, path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let members = groups::members(&app.db, group.id, query.number(), MEMBERS_PER_PAGE).await?;
    let is_member = match &ctx.user {
        Some(user) => groups::is_member(&app.db, group.id, user.id).await?,
        None => false,
    };
    let pager = Pager::new(&members, &[]);
    render_status(
        StatusCode::OK,
        &GroupPage {
            ctx,
            group,
            members,
            pager,
            is_member,
        },
    )
}

pub async fn remove_member(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, AppError> {
    let (group_id, member_id) = path.into_inner();
    let group =
        groups::remove_member(&app.db, &user.0, client_ip(&req), group_id, member_id).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("Removed from “{}”.", group.name),
        &format!("/groups/{}", group.id),
    ))
}

pub async fn join(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let group = groups::join(&app.db, &user.0, path.into_inner()).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("You joined “{}”.", group.name),
        &format!("/groups/{}", group.id),
    ))
}

pub async fn leave(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let group = groups::leave(&app.db, &user.0, path.into_inner()).await?;
    Ok(done(
        &session,
        Level::Info,
        format!("You left “{}”.", group.name),
        &format!("/groups/{}", group.id),
    ))
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let group = groups::find(&app.db, path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(
        StatusCode::OK,
        &GroupEditPage {
            ctx,
            name: group.name.clone(),
            description: group.description.clone(),
            group,
            errors: FieldErrors::default(),
        },
    )
}

pub async fn edit(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<GroupForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let saved = submit(form.parse(), |input| {
        groups::update(&app.db, &user.0, client_ip(&req), id, input)
    })
    .await;
    match saved {
        Ok(updated) => Ok(done(
            &session,
            Level::Success,
            format!("Group “{}” saved.", updated.name),
            &format!("/groups/{}", updated.id),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let group = groups::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
            render_status(
                status,
                &GroupEditPage {
                    ctx,
                    group,
                    name: form.name,
                    description: form.description,
                    errors,
                },
            )
        }
    }
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let group = groups::find(&app.db, path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let members = groups::members(&app.db, group.id, 1, 1).await?.total;
    render_status(
        StatusCode::OK,
        &GroupDeletePage {
            ctx,
            group,
            members,
        },
    )
}

pub async fn delete(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let id = path.into_inner();
    let group = groups::find(&app.db, id).await?.ok_or(AppError::NotFound)?;
    groups::delete(&app.db, &user.0, client_ip(&req), id).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("Group “{}” deleted.", group.name),
        "/groups",
    ))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/groups", web::get().to(list))
        .route("/groups", web::post().to(create))
        .route("/groups/{id}", web::get().to(show))
        .route("/groups/{id}/join", web::post().to(join))
        .route("/groups/{id}/leave", web::post().to(leave))
        .route("/groups/{id}/edit", web::get().to(edit_form))
        .route("/groups/{id}/edit", web::post().to(edit))
        .route("/groups/{id}/delete", web::get().to(delete_form))
        .route("/groups/{id}/delete", web::post().to(delete))
        .route(
            "/groups/{id}/members/{user_id}/remove",
            web::post().to(remove_member),
        );
}
