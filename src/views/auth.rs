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

/// `/password/forgot`.
#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
pub struct ForgotPage {
    pub ctx: PageContext,
    pub email: String,
    pub errors: FieldErrors,
}

/// A reset link's page: the new password.
#[derive(Template, WebTemplate)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    pub ctx: PageContext,
    /// The page's own path (the form posts back to it).
    pub action: String,
    pub username: String,
    pub errors: FieldErrors,
}

/// A mailed link's page: what using it does, and a button that does it (a link opened from a
/// mail changes nothing by itself).
#[derive(Template, WebTemplate)]
#[template(path = "auth/link.html")]
pub struct LinkPage {
    pub ctx: PageContext,
    pub heading: &'static str,
    pub text: String,
    pub action: String,
    pub button: &'static str,
    pub errors: FieldErrors,
}

/// A mailed link that does not work (any more).
#[derive(Template, WebTemplate)]
#[template(path = "auth/link_gone.html")]
pub struct LinkGonePage {
    pub ctx: PageContext,
}

/// `/settings/email`.
#[derive(Template, WebTemplate)]
#[template(path = "users/email.html")]
pub struct EmailPage {
    pub ctx: PageContext,
    pub current: String,
    pub verified: bool,
    pub email: String,
    pub errors: FieldErrors,
}
