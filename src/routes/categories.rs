//! The category tree: everyone sees it; `manage_categories` creates, renames, moves and
//! deletes categories.

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
use crate::services::blog;
use crate::views::{
    CategoriesPage, CategoryDeletePage, CategoryEditPage, FieldErrors, PageContext,
};

async fn tree(db: &DatabaseConnection) -> Result<Vec<blog::TreeNode>, AppError> {
    let all = blog::categories(db).await?;
    let counts = blog::post_counts(db).await?;
    Ok(blog::flatten(&all, &counts))
}

pub async fn index(
    ctx: PageContext,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, AppError> {
    let tree = tree(db.get_ref()).await?;
    render_status(
        StatusCode::OK,
        &CategoriesPage {
            ctx,
            tree,
            name: String::new(),
            parent_id: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    pub name: String,
    pub parent_id: String,
}

impl CategoryForm {
    /// `Ok(None)` for a root category; `Err` when the value is not a number.
    fn parent(&self) -> Result<Option<i32>, AdminError> {
        match self.parent_id.trim() {
            "" => Ok(None),
            raw => raw.parse().map(Some).map_err(|_| {
                AdminError::Field("parent_id", "Choose a parent from the list.".into())
            }),
        }
    }
}

pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let form = form.into_inner();
    let result = match form.parent() {
        Ok(parent) => {
            blog::create_category(db.get_ref(), &actor(&req, &user.0), &form.name, parent).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => {
            flash::push(
                &session,
                Level::Success,
                format!("Category “{}” created.", created.name),
            );
            Ok(see_other("/categories"))
        }
        Err(AdminError::Field(field, message)) => {
            let mut errors = FieldErrors::default();
            errors.add(field, message);
            let tree = tree(db.get_ref()).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CategoriesPage {
                    ctx,
                    tree,
                    name: form.name,
                    parent_id: form.parent_id,
                    errors,
                },
            )
        }
        Err(other) => Err(other.into()),
    }
}

async fn find(db: &DatabaseConnection, slug: &str) -> Result<entity::category::Model, AppError> {
    entity::category::Entity::find_by_slug(slug)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(db.get_ref(), &path.into_inner()).await?;
    let tree = tree(db.get_ref()).await?;
    render_status(
        StatusCode::OK,
        &CategoryEditPage {
            ctx,
            name: category.name.clone(),
            parent_id: category
                .parent_id
                .map(|p| p.to_string())
                .unwrap_or_default(),
            category,
            tree,
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
    path: web::Path<String>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(db.get_ref(), &path.into_inner()).await?;
    let form = form.into_inner();
    let result = match form.parent() {
        Ok(parent) => {
            blog::update_category(
                db.get_ref(),
                &actor(&req, &user.0),
                category.id,
                &form.name,
                parent,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(updated) => {
            flash::push(
                &session,
                Level::Success,
                format!("Category “{}” saved.", updated.name),
            );
            Ok(see_other("/categories"))
        }
        Err(AdminError::Field(field, message)) => {
            let mut errors = FieldErrors::default();
            errors.add(field, message);
            let tree = tree(db.get_ref()).await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &CategoryEditPage {
                    ctx,
                    category,
                    tree,
                    name: form.name,
                    parent_id: form.parent_id,
                    errors,
                },
            )
        }
        Err(other) => Err(other.into()),
    }
}

async fn delete_page(
    ctx: PageContext,
    db: &DatabaseConnection,
    category: entity::category::Model,
    refusal: Option<String>,
) -> Result<CategoryDeletePage, AppError> {
    let all = blog::categories(db).await?;
    let children = all
        .iter()
        .filter(|c| c.parent_id == Some(category.id))
        .count() as u64;
    let posts = blog::count_posts(
        db,
        &blog::PostFilter {
            category_ids: Some(vec![category.id]),
            include_drafts: true,
            ..Default::default()
        },
    )
    .await?;
    Ok(CategoryDeletePage {
        ctx,
        category,
        posts,
        children,
        refusal,
    })
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(db.get_ref(), &path.into_inner()).await?;
    render_status(
        StatusCode::OK,
        &delete_page(ctx, db.get_ref(), category, None).await?,
    )
}

pub async fn delete(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(db.get_ref(), &path.into_inner()).await?;
    match blog::delete_category(db.get_ref(), &actor(&req, &user.0), category.id).await {
        Ok(posts) => {
            flash::push(
                &session,
                Level::Success,
                format!(
                    "Category “{}” deleted; {posts} post(s) are now uncategorised.",
                    category.name
                ),
            );
            Ok(see_other("/categories"))
        }
        Err(AdminError::Refused(message)) => render_status(
            StatusCode::CONFLICT,
            &delete_page(ctx, db.get_ref(), category, Some(message)).await?,
        ),
        Err(other) => Err(other.into()),
    }
}
