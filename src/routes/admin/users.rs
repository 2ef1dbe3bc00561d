//! The admin area's account pages: the user list (with its bulk-action form, see
//! [`super::bulk`]) and one account's page (its role and state, what it holds and why, its
//! grants and denials), with the account form and the reset link.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use serde::Deserialize;

use super::preview::{Proposal, respond};
use crate::auth::RequireUser;
use crate::domain::{FieldErrors, ServiceError};
use crate::flash::Level;
use crate::forms::{BulkForm, OverrideForm, Staged, UserForm, user_filter};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::Page;
use crate::services::admin::{self, UserFilter, UserSort};
use crate::state::App;
use crate::views::{PageContext, Pager, UserEditPage, UsersPage};

const USERS_PER_PAGE: u64 = 25;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UsersQuery {
    pub q: String,
    pub role: String,
    pub active: String,
    pub verified: String,
    pub sort: String,
    pub dir: String,
    pub page: Option<u64>,
}

pub async fn users(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    query: web::Query<UsersQuery>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageUsers)?;
    let page = list_page(&app, ctx, query.into_inner(), BulkForm::default()).await?;
    render_status(StatusCode::OK, &page)
}

/// The user list for `query`, with the bulk form as `kept` left it.
pub(super) async fn list_page(
    app: &App,
    ctx: PageContext,
    query: UsersQuery,
    kept: BulkForm,
) -> Result<UsersPage, AppError> {
    let sort = UserSort::parse(Some(query.sort.as_str()));
    let filter = UserFilter {
        sort,
        desc: query.dir == "desc",
        ..user_filter(&query.q, &query.role, &query.active, &query.verified)
    };
    let page = admin::list_users(
        &app.db,
        &filter,
        Page::<()>::index(query.page),
        USERS_PER_PAGE,
    )
    .await?;
    let pager = Pager::new(
        &page,
        &[
            ("q", query.q.clone()),
            ("role", query.role.clone()),
            ("active", query.active.clone()),
            ("verified", query.verified.clone()),
            ("sort", query.sort.clone()),
            ("dir", query.dir.clone()),
        ],
    );
    let roles = admin::list_roles(&app.db).await?;
    Ok(UsersPage {
        ctx,
        page,
        pager,
        roles,
        q: query.q,
        role: query.role,
        active: query.active,
        verified: query.verified,
        sort: sort.as_str().to_owned(),
        dir: if filter.desc {
            "desc".into()
        } else {
            "asc".into()
        },
        all_permissions: Permission::all(),
        kept,
    })
}

/// The account's admin page: its role and state, what it holds and why, and its grants and
/// denials; `refusal` above the role form.
pub(super) async fn user_page(
    app: &App,
    ctx: PageContext,
    target: entity::user::Model,
    refusal: Option<String>,
) -> Result<UserEditPage, AppError> {
    let roles = admin::list_roles(&app.db).await?;
    let access = admin::account_permissions(&app.db, &target).await?;
    Ok(UserEditPage {
        ctx,
        role_id: target.role_id,
        is_active: target.is_active,
        version: admin::account_version(&target),
        target,
        roles,
        refusal,
        access,
        all_permissions: Permission::all(),
        override_form: OverrideForm::default(),
        override_errors: FieldErrors::default(),
    })
}

pub async fn user_edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageUsers)?;
    let (target, _) = crate::services::accounts::account(&app.db, path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let page = user_page(&app, ctx, target, None).await?;
    render_status(StatusCode::OK, &page)
}

pub async fn user_update(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<UserForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageUsers)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let (target, _) = crate::services::accounts::account(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if form.editing() {
        let mut page = user_page(&app, ctx, target, None).await?;
        page.role_id = form.role_id.trim().parse().unwrap_or(0);
        page.is_active = form.is_active;
        return render_status(StatusCode::OK, &page);
    }
    let plan = form.plan();
    let saved = submit(form.parse(), |changes| {
        admin::update_user(&app.db, &user.0, client_ip(&req), id, changes, &plan)
    })
    .await;
    match saved {
        Ok(outcome) => {
            let proposal = Proposal {
                heading: format!("Save {}’s account?", target.username),
                action: format!("/admin/users/{id}"),
                cancel: format!("/admin/users/{id}"),
                fields: form.fields(),
            };
            respond(ctx, outcome, proposal, |updated| {
                done(
                    &session,
                    Level::Success,
                    format!("{} is saved.", updated.username),
                    "/admin/users",
                )
            })
        }
        // Someone changed the account since this form was opened: nothing is saved. The page
        // shows it as it is now (with its version) and keeps the choices made.
        Err(ServiceError::Stale) => {
            let (current, _) = crate::services::accounts::account(&app.db, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut page = user_page(&app, ctx, current, None).await?;
            let role = page
                .roles
                .iter()
                .find(|r| r.role.id == page.target.role_id)
                .map(|r| r.role.name.clone())
                .unwrap_or_default();
            let state = if page.target.is_active {
                "active"
            } else {
                "deactivated"
            };
            page.refusal = Some(format!(
                "Nothing was saved: someone else changed this account while you were editing it. It is now in the role “{role}” and {state}. Your choices are kept below; saving again replaces theirs."
            ));
            page.role_id = form.role_id.trim().parse().unwrap_or(0);
            page.is_active = form.is_active;
            render_status(StatusCode::CONFLICT, &page)
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let mut page = user_page(&app, ctx, target, Some(errors.to_string())).await?;
            page.role_id = form.role_id.trim().parse().unwrap_or(0);
            page.is_active = form.is_active;
            render_status(status, &page)
        }
    }
}

/// `POST /admin/users/{id}/reset-link`: mails the user a link to choose a new password (an
/// administrator never sees nor sets one).
pub async fn user_reset_link(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let back = format!("/admin/users/{id}");
    match admin::send_reset_link(&app.db, &user.0, client_ip(&req), id).await {
        Ok(target) => {
            app.delivery.wake();
            Ok(done(
                &session,
                Level::Success,
                format!(
                    "A link to choose a new password is on its way to {}.",
                    target.username
                ),
                &back,
            ))
        }
        Err(error) => {
            let (_, errors) = problems(error)?;
            Ok(done(&session, Level::Error, errors.to_string(), &back))
        }
    }
}
