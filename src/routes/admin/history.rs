//! `GET /admin/roles/{id}/history` (every audited change to a role, with what it changed) and
//! `POST /admin/roles/{id}/history/{entry}/revert` (back to the state an entry left it in:
//! previewed, then confirmed, as any role change).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;

use super::preview::{Proposal, respond};
use crate::auth::RequireUser;
use crate::flash::Level;
use crate::forms::ConfirmForm;
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status};
use crate::services::admin::{self, Plan};
use crate::state::App;
use crate::views::{PageContext, RoleHistoryPage};

pub async fn page(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let id = path.into_inner();
    let role = admin::role_row(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?
        .role;
    let versions = admin::role_history(&app.db, id).await?;
    render_status(
        StatusCode::OK,
        &RoleHistoryPage {
            ctx,
            revert_base: Some(format!("/admin/roles/{}/history", role.id)),
            role,
            versions,
        },
    )
}

pub async fn revert(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<(i32, i32)>,
    form: HtmlForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let (id, entry) = path.into_inner();
    let history = format!("/admin/roles/{id}/history");
    let plan = Plan::from_form(&form.into_inner().confirm);
    match admin::revert_role(&app.db, &user.0, client_ip(&req), id, entry, &plan).await {
        Ok(outcome) => {
            let proposal = Proposal {
                heading: "Revert the role to this version?".into(),
                action: format!("{history}/{entry}/revert"),
                cancel: history.clone(),
                fields: Vec::new(),
            };
            respond(ctx, outcome, proposal, |role| {
                done(
                    &session,
                    Level::Success,
                    format!("Role “{}” reverted.", role.name),
                    &history,
                )
            })
        }
        Err(error) => {
            let (_, errors) = problems(error)?;
            Ok(done(&session, Level::Error, errors.to_string(), &history))
        }
    }
}

/// `GET /admin/users/{id}/history`: changes to an account's role, active flag, overrides and
/// sessions.
pub async fn account_page(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (target, versions) =
        crate::services::history::account_history(&app.db, &user.0, path.into_inner()).await?;
    render_status(
        StatusCode::OK,
        &crate::views::AccountHistoryPage {
            ctx,
            target,
            versions,
            revert_base: None,
        },
    )
}
