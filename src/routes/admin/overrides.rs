//! `POST /admin/users/{id}/overrides` (grant or deny one permission to the account) and
//! `…/overrides/{permission}/remove`. The rules are the service's (`services::admin`); a
//! refused or invalid change shows the account's page again with the form as submitted.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;

use super::preview::{Proposal, respond};
use super::users::user_page;
use crate::auth::RequireUser;
use crate::flash::Level;
use crate::forms::{ConfirmForm, OverrideForm, Staged};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::admin::{self, Plan};
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
    let (target, _) = crate::services::accounts::account(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if form.editing() {
        let mut page = user_page(&app, ctx, target, None).await?;
        page.override_form = form;
        return render_status(StatusCode::OK, &page);
    }
    let plan = form.plan();
    let saved = submit(form.parse(), |input| {
        admin::set_override(&app.db, &user.0, client_ip(&req), id, input, &plan)
    })
    .await;
    match saved {
        Ok(outcome) => {
            let proposal = Proposal {
                heading: format!("Change {}’s permissions?", target.username),
                action: format!("/admin/users/{id}/overrides"),
                cancel: format!("/admin/users/{id}#permissions"),
                fields: form.fields(),
            };
            respond(ctx, outcome, proposal, |saved| {
                done(
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
                )
            })
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let mut page = user_page(&app, ctx, target, None).await?;
            page.override_form = form;
            page.override_errors = errors;
            render_status(status, &page)
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn remove(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, String)>,
    form: HtmlForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let (id, name) = path.into_inner();
    let permission = Permission::parse(&name).ok_or(AppError::NotFound)?;
    let plan = Plan::from_form(&form.into_inner().confirm);
    match admin::remove_override(&app.db, &user.0, client_ip(&req), id, permission, &plan).await {
        Ok(outcome) => {
            let proposal = Proposal {
                heading: format!("Remove the override of “{}”?", permission.label()),
                action: format!("/admin/users/{id}/overrides/{name}/remove"),
                cancel: format!("/admin/users/{id}#permissions"),
                fields: Vec::new(),
            };
            respond(ctx, outcome, proposal, |()| {
                done(
                    &session,
                    Level::Success,
                    format!("The override of “{}” is removed.", permission.label()),
                    &format!("/admin/users/{id}#permissions"),
                )
            })
        }
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
