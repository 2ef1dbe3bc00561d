//! Categories through the API, as the category pages change them (`manage_categories`):
//! create, rename and move, delete.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Json, Problem, json};
use crate::domain::{FieldErrors, Name};
use crate::request::client_ip;
use crate::services::blog::{self, CategoryInput};
use crate::state::App;

/// A category as saved.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Category {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub parent_id: Option<i32>,
}

impl Category {
    fn of(category: entity::category::Model) -> Category {
        Category {
            id: category.id,
            slug: category.slug,
            name: category.name,
            parent_id: category.parent_id,
        }
    }
}

/// A category's name and place: `parent_id` null (or left out) for a top-level one.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CategoryWrite {
    /// 1 to 64 characters, unique.
    pub name: String,
    pub parent_id: Option<i32>,
}

impl CategoryWrite {
    /// The service's input, by the same rule the form's name follows.
    fn input(self) -> Result<CategoryInput, ApiError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&self.name, "category"));
        Ok(errors.or_valid(|| {
            Some(CategoryInput {
                name: name?,
                parent_id: self.parent_id,
            })
        })?)
    }
}

/// Creates a category (`manage_categories`; audited).
#[utoipa::path(
    post,
    path = "/api/v1/categories",
    tag = "posts",
    request_body = CategoryWrite,
    responses(
        (status = 201, description = "The new category", body = Category),
        (status = 403, description = "The token lacks manage_categories", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values (an unknown parent), by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_categories"]))
)]
pub async fn create_category(
    req: HttpRequest,
    caller: Caller,
    app: App,
    body: Json<CategoryWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let input = body.0.input()?;
    let created = blog::create_category(&app.db, user, client_ip(&req), input).await?;
    Ok(json(StatusCode::CREATED, &Category::of(created)))
}

/// Renames and moves a category (`manage_categories`; audited): the body is its whole new
/// name and place. Never under itself or one of its own subcategories.
#[utoipa::path(
    put,
    path = "/api/v1/categories/{id}",
    tag = "posts",
    params(("id" = i32, Path, description = "The category's id")),
    request_body = CategoryWrite,
    responses(
        (status = 200, description = "The category as saved", body = Category),
        (status = 403, description = "The token lacks manage_categories", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values (a parent below itself), by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_categories"]))
)]
pub async fn update_category(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<CategoryWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let input = body.0.input()?;
    let updated =
        blog::update_category(&app.db, user, client_ip(&req), path.into_inner(), input).await?;
    Ok(json(StatusCode::OK, &Category::of(updated)))
}

/// Deletes a category without subcategories (`manage_categories`; audited); its posts become
/// uncategorised.
#[utoipa::path(
    delete,
    path = "/api/v1/categories/{id}",
    tag = "posts",
    params(("id" = i32, Path, description = "The category's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The token lacks manage_categories", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It has subcategories", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_categories"]))
)]
pub async fn delete_category(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    blog::delete_category(&app.db, user, client_ip(&req), path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
