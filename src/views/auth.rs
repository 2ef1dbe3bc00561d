//! Registration and login (`templates/auth/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::PageContext;
use crate::domain::FieldErrors;

#[derive(Template, WebTemplate)]
#[template(path = "auth/register.html")]
pub struct RegisterPage {
    pub ctx: PageContext,
    pub username: String,
    pub email: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub ctx: PageContext,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
}
