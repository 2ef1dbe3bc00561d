//! Groups: list and member pages for everyone; join and leave for signed-in users; create,
//! rename and delete for `manage_groups`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::{actor, render_status, see_other};
use crate::auth::RequireUser;
use crate::errors::AppError;
use crate::flash::{self, Level};
use crate::services::admin::AdminError;
use crate::services::{Page, groups};
use crate::views::{
    FieldErrors, GroupDeletePage, GroupEditPage, GroupPage, GroupsPage, PageContext, Pager,
};

const MEMBERS_PER_PAGE: u64 = 20;

pub async fn list(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, AppError> {
    let groups = groups::list(db.get_ref()).await?;
    render_status(
        StatusCode::OK,
        &GroupsPage {
            ctx,
            groups,
            name: String::new(),
            description: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
    pub description: String,
}

/// Checks the form and runs `save`; field problems, from the form or from the database (a
/// taken name), come back as `Ok(Err(errors))` for the re-rendered form.
async fn save_group<Fut>(
    form: &GroupForm,
    save: impl FnOnce(String, String) -> Fut,
) -> Result<Result<entity::group::Model, FieldErrors>, AppError>
where
    Fut: std::future::Future<Output = Result<entity::group::Model, AdminError>>,
{
    let mut errors = FieldErrors::default();
    let (name, description) = match groups::parse(&form.name, &form.description) {
        Ok(valid) => valid,
        Err(field_errors) => {
            errors.extend(field_errors);
            return Ok(Err(errors));
        }
    };
    match save(name, description).await {
        Ok(group) => Ok(Ok(group)),
        Err(AdminError::Field(field, message)) => {
            errors.add(field, message);
            Ok(Err(errors))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let form = form.into_inner();
    let actor = actor(&req, &user.0);
    let saved = save_group(&form, |name, description| {
        groups::create(db.get_ref(), &actor, name, description)
    })
    .await?;
    match saved {
        Ok(group) => {
            flash::push(
                &session,
                Level::Success,
                format!("Group “{}” created.", group.name),
            );
            Ok(see_other(&format!("/groups/{}", group.id)))
        }
        Err(errors) => {
            let groups = groups::list(db.get_ref()).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &GroupsPage {
                    ctx,
                    groups,
                    name: form.name,
                    description: form.description,
                    errors,
                },
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: Option<u64>,
}

pub async fn show(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let group = groups::find(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let members = groups::members(
        db.get_ref(),
        group.id,
        Page::<()>::index(query.page),
        MEMBERS_PER_PAGE,
    )
    .await?;
    let is_member = match &ctx.user {
        Some(user) => groups::is_member(db.get_ref(), group.id, user.id).await?,
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

pub async fn join(
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let group = groups::find(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    groups::join(db.get_ref(), group.id, user.0.id).await?;
    flash::push(
        &session,
        Level::Success,
        format!("You joined “{}”.", group.name),
    );
    Ok(see_other(&format!("/groups/{}", group.id)))
}

pub async fn leave(
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let group = groups::find(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    groups::leave(db.get_ref(), group.id, user.0.id).await?;
    flash::push(&session, Level::Info, format!("You left “{}”.", group.name));
    Ok(see_other(&format!("/groups/{}", group.id)))
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let group = groups::find(db.get_ref(), path.into_inner())
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
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let group = groups::find(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let form = form.into_inner();
    let actor = actor(&req, &user.0);
    let saved = save_group(&form, |name, description| {
        groups::update(db.get_ref(), &actor, group.id, name, description)
    })
    .await?;
    match saved {
        Ok(updated) => {
            flash::push(
                &session,
                Level::Success,
                format!("Group “{}” saved.", updated.name),
            );
            Ok(see_other(&format!("/groups/{}", updated.id)))
        }
        Err(errors) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &GroupEditPage {
                ctx,
                group,
                name: form.name,
                description: form.description,
                errors,
            },
        ),
    }
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let group = groups::find(db.get_ref(), path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let members = groups::members(db.get_ref(), group.id, 1, 1).await?.total;
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
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageGroups)?;
    let id = path.into_inner();
    let group = groups::find(db.get_ref(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    groups::delete(db.get_ref(), &actor(&req, &user.0), id).await?;
    flash::push(
        &session,
        Level::Success,
        format!("Group “{}” deleted.", group.name),
    );
    Ok(see_other("/groups"))
}
