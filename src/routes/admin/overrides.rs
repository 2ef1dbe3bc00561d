//! `POST /admin/users/{id}/overrides` (grant or deny one permission to the account) and
//! `…/overrides/{permission}/remove`. The rules are the service's (`services::admin`); a
//! refused or invalid change shows the account's page again with the form as submitted.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;

use super::pages::user_page;
use crate::auth::RequireUser;
use crate::flash::Level;
use crate::forms::OverrideForm;
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::admin;
use crate::state::App;
use crate::views::PageContext;

pub async fn save(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<OverrideForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let id = path.into_inner();
    let form = form.into_inner();
    let saved = submit(form.parse(), |input| {
        admin::set_override(&app.db, &user.0, client_ip(&req), id, input)
    })
    .await;
    match saved {
        Ok(saved) => Ok(done(
            &session,
            Level::Success,
            format!(
                "“{}” is {} for this account.",
                saved.permission.label(),
                match saved.effect {
                    entity::enums::OverrideEffect::Grant => "granted",
                    entity::enums::OverrideEffect::Deny => "denied",
                }
            ),
            &format!("/admin/users/{id}#permissions"),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let (target, _) = crate::services::accounts::account(&app.db, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut page = user_page(&app, ctx, target, None).await?;
            page.override_form = form;
            page.override_errors = errors;
            render_status(status, &page)
        }
    }
}

pub async fn remove(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, String)>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let (id, permission) = path.into_inner();
    let permission = Permission::parse(&permission).ok_or(AppError::NotFound)?;
    match admin::remove_override(&app.db, &user.0, client_ip(&req), id, permission).await {
        Ok(()) => Ok(done(
            &session,
            Level::Success,
            format!("The override of “{}” is removed.", permission.label()),
            &format!("/admin/users/{id}#permissions"),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let (target, _) = crate::services::accounts::account(&app.db, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut page = user_page(&app, ctx, target, None).await?;
            page.override_errors = errors;
            render_status(status, &page)
        }
    }
}
