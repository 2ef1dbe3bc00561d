//! Profiles and the signed-in user's settings (`templates/users/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, filters};
use crate::domain::FieldErrors;
use crate::forms::ProfileForm;
use crate::services::accounts::ProfileView;
use entity::country;

#[derive(Template, WebTemplate)]
#[template(path = "users/profile.html")]
pub struct ProfilePage {
    pub ctx: PageContext,
    pub view: ProfileView,
    pub is_self: bool,
    /// The feed of the member's posts.
    pub feed: super::FeedLink,
}

impl ProfilePage {
    pub fn display_name(&self) -> &str {
        self.view
            .profile
            .as_ref()
            .map(|p| p.display_name.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.view.user.username)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "users/edit_profile.html")]
pub struct EditProfilePage {
    pub ctx: PageContext,
    pub form: ProfileForm,
    pub countries: Vec<country::Model>,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/password.html")]
pub struct PasswordPage {
    pub ctx: PageContext,
    pub errors: FieldErrors,
}

/// One row of the sessions page.
pub struct SessionRow {
    pub session: entity::user_session::Model,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "users/sessions.html")]
pub struct SessionsPage {
    pub ctx: PageContext,
    pub sessions: Vec<SessionRow>,
    /// The lifetimes in words ("3 days").
    pub idle: String,
    pub absolute: String,
}

/// A duration in whole days or hours, for people.
pub fn duration_words(duration: chrono::Duration) -> String {
    let hours = duration.num_hours();
    match (hours / 24, hours % 24) {
        (1, 0) => "1 day".to_owned(),
        (days, 0) if days > 1 => format!("{days} days"),
        _ if hours == 1 => "1 hour".to_owned(),
        _ => format!("{hours} hours"),
    }
}

/// `/settings/tokens`: your personal access tokens, the form for a new one, and a new token's
/// secret, shown this once.
#[derive(Template, WebTemplate)]
#[template(path = "users/tokens.html")]
pub struct TokensPage {
    pub ctx: PageContext,
    pub tokens: Vec<crate::services::tokens::TokenRow>,
    pub form: crate::forms::TokenForm,
    pub errors: FieldErrors,
    /// The permissions a token may be given: the viewer's own.
    pub offered: Vec<Permission>,
    /// The name and secret of the token just made.
    pub created: Option<(String, String)>,
    pub now: chrono::DateTime<chrono::Utc>,
}

impl TokensPage {
    pub fn lifetimes(&self) -> &'static [i64] {
        &crate::services::tokens::LIFETIMES
    }

    /// The lifetime chosen in the form, 30 days by default.
    pub fn chosen(&self, days: &i64) -> bool {
        match self.form.expires_in_days.trim() {
            "" => *days == 30,
            raw => raw == days.to_string(),
        }
    }
}
