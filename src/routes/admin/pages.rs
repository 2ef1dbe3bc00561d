//! The admin area's pages: dashboard, roles, audit log (accounts are in [`super::users`]). Every handler checks its
//! permission; anonymous visitors are sent to log in, others without the permission get a 403.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use serde::Deserialize;

use super::preview::{Proposal, respond};
use crate::auth::RequireUser;
use crate::domain::{FORM, FieldErrors, ServiceError};
use crate::flash::Level;
use crate::forms::{ConfirmForm, RoleForm, Staged};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status};
use crate::services::Page;
use crate::services::admin::{self, Plan, Planned};
use crate::services::audit::{self, AuditFilter};
use crate::state::App;
use crate::views::{
    AuditPage, DashboardPage, PageContext, Pager, RoleDeletePage, RoleFormPage, RolesPage,
};

const AUDIT_PER_PAGE: u64 = 50;

pub async fn dashboard(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    if !user.0.is_staff() {
        return Err(AppError::forbidden());
    }
    let data = admin::dashboard(&app.db).await?;
    let top_authors = crate::services::blog::top_authors(&app.db, 5).await?;
    render_status(
        StatusCode::OK,
        &DashboardPage {
            ctx,
            data,
            top_authors,
        },
    )
}

pub async fn roles(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let roles = admin::list_roles(&app.db).await?;
    render_status(StatusCode::OK, &RolesPage { ctx, roles })
}

async fn form_page(
    app: &App,
    ctx: PageContext,
    role_id: Option<i32>,
    form: RoleForm,
) -> Result<RoleFormPage, AppError> {
    let others = admin::list_roles(&app.db)
        .await?
        .into_iter()
        .filter(|r| Some(r.role.id) != role_id)
        .collect();
    Ok(RoleFormPage {
        ctx,
        role_id,
        form,
        errors: FieldErrors::default(),
        refusal: None,
        all_permissions: Permission::all(),
        others,
        theirs: None,
    })
}

pub async fn role_new_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let page = form_page(&app, ctx, None, RoleForm::default()).await?;
    render_status(StatusCode::OK, &page)
}

pub async fn role_edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let row = admin::role_row(&app.db, path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let form = RoleForm {
        name: row.role.name.clone(),
        description: row.role.description.clone(),
        is_default: row.role.is_default,
        permissions: row
            .permissions
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect(),
        includes: row.includes.iter().map(i32::to_string).collect(),
        version: admin::role_version(&row),
        ..RoleForm::default()
    };
    let page = form_page(&app, ctx, Some(row.role.id), form).await?;
    render_status(StatusCode::OK, &page)
}

/// Create (`role_id` = None) or update: the preview first, then the saving it confirms;
/// the form again on any problem, or when the administrator goes back to change it.
async fn save_role(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    role_id: Option<i32>,
    form: RoleForm,
) -> Result<HttpResponse, AppError> {
    if form.editing() {
        let page = form_page(&app, ctx, role_id, form).await?;
        return render_status(StatusCode::OK, &page);
    }
    let ip = client_ip(&req);
    let plan = form.plan();
    let saved = match (form.parse(), role_id) {
        (Ok(input), None) => admin::create_role(&app.db, &user.0, ip, input, &plan).await,
        (Ok(input), Some(id)) => admin::update_role(&app.db, &user.0, ip, id, input, &plan).await,
        (Err(error), _) => Err(error),
    };
    match saved {
        Ok(outcome) => {
            let (heading, action) = match role_id {
                Some(id) => (
                    format!("Save role “{}”?", form.name.trim()),
                    format!("/admin/roles/{id}/edit"),
                ),
                None => (
                    format!("Create role “{}”?", form.name.trim()),
                    "/admin/roles/new".to_owned(),
                ),
            };
            let proposal = Proposal {
                heading,
                action,
                cancel: "/admin/roles".into(),
                fields: form.fields(),
            };
            respond(ctx, outcome, proposal, |role| {
                let verb = if role_id.is_some() {
                    "saved"
                } else {
                    "created"
                };
                done(
                    &session,
                    Level::Success,
                    format!("Role “{}” {verb}.", role.name),
                    "/admin/roles",
                )
            })
        }
        // Someone changed the role since this form was opened: nothing is saved; theirs is
        // shown beside the kept choices, which now carry their version as the base.
        Err(ServiceError::Stale) => {
            let theirs = match role_id {
                Some(id) => admin::role_row(&app.db, id).await?,
                None => None,
            };
            let mut form = form;
            form.version = theirs.as_ref().map(admin::role_version).unwrap_or_default();
            let mut page = form_page(&app, ctx, role_id, form).await?;
            page.theirs = theirs;
            render_status(StatusCode::CONFLICT, &page)
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let mut page = form_page(&app, ctx, role_id, form).await?;
            page.refusal = errors.get(FORM).map(str::to_owned);
            page.errors = errors;
            render_status(status, &page)
        }
    }
}

pub async fn role_create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    save_role(req, ctx, user, app, session, None, form.into_inner()).await
}

pub async fn role_update(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let id = path.into_inner();
    save_role(req, ctx, user, app, session, Some(id), form.into_inner()).await
}

/// The "Delete role?" page: what deleting it would do, or why it cannot be deleted.
async fn delete_page(
    ctx: PageContext,
    app: &App,
    user: &RequireUser,
    ip: Option<String>,
    id: i32,
) -> Result<(StatusCode, RoleDeletePage), AppError> {
    let roles = admin::list_roles(&app.db).await?;
    let default_role = roles
        .iter()
        .find(|r| r.role.is_default)
        .map(|r| r.role.name.clone())
        .unwrap_or_default();
    let row = roles
        .into_iter()
        .find(|r| r.role.id == id)
        .ok_or(AppError::NotFound)?;
    let mut page = RoleDeletePage {
        ctx,
        row,
        default_role,
        refusal: None,
        preview: None,
        stale: false,
    };
    match admin::delete_role(&app.db, &user.0, ip, id, &Plan::Preview).await {
        Ok(Planned::Previewed(preview) | Planned::Stale(preview)) => page.preview = Some(preview),
        Ok(Planned::Applied(..)) => {}
        Err(error) => {
            let (status, errors) = problems(error)?;
            page.refusal = Some(errors.to_string());
            return Ok((status, page));
        }
    }
    Ok((StatusCode::OK, page))
}

pub async fn role_delete_form(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let (_, page) = delete_page(ctx, &app, &user, client_ip(&req), path.into_inner()).await?;
    render_status(StatusCode::OK, &page)
}

/// Deletes the role if the form confirms the preview that is still true; otherwise shows the
/// page again with what deleting would do now.
pub async fn role_delete(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageRoles)?;
    let id = path.into_inner();
    let name = admin::role_row(&app.db, id)
        .await?
        .map(|r| r.role.name)
        .ok_or(AppError::NotFound)?;
    let plan = Plan::from_form(&form.into_inner().confirm);
    let stale = plan != Plan::Preview;
    match admin::delete_role(&app.db, &user.0, client_ip(&req), id, &plan).await {
        Ok(Planned::Applied(moved, _)) => Ok(done(
            &session,
            Level::Success,
            format!("Role “{name}” deleted; {moved} user(s) moved to the default role."),
            "/admin/roles",
        )),
        Ok(Planned::Previewed(_) | Planned::Stale(_)) => {
            let (status, mut page) = delete_page(ctx, &app, &user, client_ip(&req), id).await?;
            page.stale = stale;
            let status = if stale && status.is_success() {
                StatusCode::CONFLICT
            } else {
                status
            };
            render_status(status, &page)
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let (_, mut page) = delete_page(ctx, &app, &user, client_ip(&req), id).await?;
            page.preview = None;
            page.refusal = Some(errors.to_string());
            render_status(status, &page)
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub action: String,
    pub subject: String,
    pub actor: String,
    pub page: Option<u64>,
}

pub async fn audit(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ViewAuditLog)?;
    let query = query.into_inner();
    let filter = AuditFilter {
        action: Some(query.action.clone()).filter(|s| !s.is_empty()),
        subject_type: Some(query.subject.clone()).filter(|s| !s.is_empty()),
        actor: Some(query.actor.trim().to_owned()).filter(|s| !s.is_empty()),
    };
    let page = audit::list(
        &app.db,
        &filter,
        Page::<()>::index(query.page),
        AUDIT_PER_PAGE,
    )
    .await?;
    let (actions, subjects) = audit::facets(&app.db).await?;
    let pager = Pager::new(
        &page,
        &[
            ("action", query.action.clone()),
            ("subject", query.subject.clone()),
            ("actor", query.actor.clone()),
        ],
    );
    render_status(
        StatusCode::OK,
        &AuditPage {
            ctx,
            page,
            pager,
            actions,
            subjects,
            action: query.action,
            subject: query.subject,
            actor: query.actor,
        },
    )
}
