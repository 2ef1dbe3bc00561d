//! How posts are sorted: the category tree (everyone sees it; `manage_categories` creates,
//! renames, moves and deletes categories) and the tags, most used first.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::Permission;
use sea_orm::DatabaseConnection;

use crate::auth::RequireUser;
use crate::domain::FieldErrors;
use crate::flash::Level;
use crate::forms::CategoryForm;
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::blog;
use crate::state::App;
use crate::views::{
    CategoriesPage, CategoryDeletePage, CategoryEditPage, PageContext, Pager, TagsPage,
};

async fn tree(db: &DatabaseConnection) -> Result<Vec<blog::TreeNode>, AppError> {
    let all = blog::categories(db).await?;
    Ok(blog::flatten(&all))
}

pub async fn index(ctx: PageContext, app: App) -> Result<HttpResponse, AppError> {
    let tree = tree(&app.db).await?;
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

pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let form = form.into_inner();
    let created = submit(form.parse(), |input| {
        blog::create_category(&app.db, &user.0, client_ip(&req), input)
    })
    .await;
    match created {
        Ok(created) => Ok(done(
            &session,
            Level::Success,
            format!("Category “{}” created.", created.name),
            "/categories",
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let tree = tree(&app.db).await?;
            render_status(
                status,
                &CategoriesPage {
                    ctx,
                    tree,
                    name: form.name,
                    parent_id: form.parent_id,
                    errors,
                },
            )
        }
    }
}

async fn find(db: &DatabaseConnection, slug: &str) -> Result<entity::category::Model, AppError> {
    Ok(blog::category_by_slug(db, slug).await?)
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(&app.db, &path.into_inner()).await?;
    let tree = tree(&app.db).await?;
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
    app: App,
    session: Session,
    path: web::Path<String>,
    form: HtmlForm<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(&app.db, &path.into_inner()).await?;
    let form = form.into_inner();
    let updated = submit(form.parse(), |input| {
        blog::update_category(&app.db, &user.0, client_ip(&req), category.id, input)
    })
    .await;
    match updated {
        Ok(updated) => Ok(done(
            &session,
            Level::Success,
            format!("Category “{}” saved.", updated.name),
            "/categories",
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let tree = tree(&app.db).await?;
            render_status(
                status,
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
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(&app.db, &path.into_inner()).await?;
    render_status(
        StatusCode::OK,
        &delete_page(ctx, &app.db, category, None).await?,
    )
}

pub async fn delete(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageCategories)?;
    let category = find(&app.db, &path.into_inner()).await?;
    match blog::delete_category(&app.db, &user.0, client_ip(&req), category.id).await {
        Ok(posts) => Ok(done(
            &session,
            Level::Success,
            format!(
                "Category “{}” deleted; {posts} post(s) are now uncategorised.",
                category.name
            ),
            "/categories",
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let refusal = Some(errors.to_string());
            render_status(status, &delete_page(ctx, &app.db, category, refusal).await?)
        }
    }
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
/// `/tags`: the tags published posts carry, most used first, a page at a time.
pub async fn tags(
    ctx: PageContext,
    app: App,
    query: web::Query<crate::routes::PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = blog::tag_page(&app.db, query.number()).await?;
    let pager = Pager::new(&page, &[]);
    render_status(StatusCode::OK, &TagsPage { ctx, page, pager })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tags", web::get().to(tags))
        .route("/categories", web::get().to(index))
        .route("/categories", web::post().to(create))
        .route("/categories/{slug}/edit", web::get().to(edit_form))
        .route("/categories/{slug}/edit", web::post().to(edit))
        .route("/categories/{slug}/delete", web::get().to(delete_form))
        .route("/categories/{slug}/delete", web::post().to(delete));
}
