//! The category tree's pages (`templates/categories/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::PageContext;
use crate::domain::FieldErrors;
use crate::services::blog::TreeNode;

#[derive(Template, WebTemplate)]
#[template(path = "categories/index.html")]
pub struct CategoriesPage {
    pub ctx: PageContext,
    pub tree: Vec<TreeNode>,
    pub name: String,
    pub parent_id: String,
    pub errors: FieldErrors,
}

impl CategoriesPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "categories/edit.html")]
pub struct CategoryEditPage {
    pub ctx: PageContext,
    pub category: entity::category::Model,
    pub tree: Vec<TreeNode>,
    pub name: String,
    pub parent_id: String,
    pub errors: FieldErrors,
}

impl CategoryEditPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "categories/delete.html")]
pub struct CategoryDeletePage {
    pub ctx: PageContext,
    pub category: entity::category::Model,
    pub posts: u64,
    pub children: u64,
    pub refusal: Option<String>,
}
