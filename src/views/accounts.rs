//! Pages of the accounts area: signing up and in, mailed links, profiles and settings,
//! sessions and tokens.

use super::{PageContext, Pager, filters};
use crate::domain::FieldErrors;
use crate::forms::ProfileForm;
use crate::services::Page;
use crate::services::accounts::{MemberCard, ProfileView};
use askama::Template;
use askama_web::WebTemplate;
use entity::country;
use entity::enums::Permission;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/register.html")]
pub struct RegisterPage {
    pub ctx: PageContext,
    pub username: String,
    pub email: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    pub ctx: PageContext,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
}

/// `/password/forgot`.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot.html")]
pub struct ForgotPage {
    pub ctx: PageContext,
    pub email: String,
    pub errors: FieldErrors,
}

/// A reset link's page: the new password.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset.html")]
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
#[template(path = "accounts/link.html")]
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
#[template(path = "accounts/link_gone.html")]
pub struct LinkGonePage {
    pub ctx: PageContext,
}

/// `/settings/email`.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/email.html")]
pub struct EmailPage {
    pub ctx: PageContext,
    pub current: String,
    pub verified: bool,
    pub email: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/profile.html")]
pub struct ProfilePage {
    pub ctx: PageContext,
    pub view: ProfileView,
    pub is_self: bool,
    /// A moderator looking at someone else's avatar.
    pub may_remove_avatar: bool,
    /// The feed of the member's posts.
    pub feed: super::FeedLink,
}

impl ProfilePage {
    /// The member's watchlist is theirs to see, or public.
    fn shows_watchlist(&self) -> bool {
        self.is_self
            || self
                .view
                .profile
                .as_ref()
                .is_some_and(|p| p.watchlist_public)
    }
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
#[template(path = "accounts/edit_profile.html")]
pub struct EditProfilePage {
    pub ctx: PageContext,
    pub form: ProfileForm,
    pub countries: Vec<country::Model>,
    pub errors: FieldErrors,
    /// The profile as another tab saved it while this form was open (the form keeps what was
    /// typed; saving again replaces it).
    pub theirs: Option<ProfileForm>,
}

impl EditProfilePage {
    /// A country's name by the id a form holds ("—" for none).
    pub fn country_name(&self, id: &str) -> String {
        self.countries
            .iter()
            .find(|c| c.id.to_string() == id)
            .map_or_else(|| "—".to_owned(), |c| c.name.clone())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/password.html")]
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
#[template(path = "accounts/sessions.html")]
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
#[template(path = "accounts/tokens.html")]
pub struct TokensPage {
    pub ctx: PageContext,
    pub tokens: Vec<crate::services::accounts::tokens::TokenRow>,
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
        &crate::services::accounts::tokens::LIFETIMES
    }

    /// The lifetime chosen in the form, 30 days by default.
    pub fn chosen(&self, days: &i64) -> bool {
        match self.form.expires_in_days.trim() {
            "" => *days == 30,
            raw => raw == days.to_string(),
        }
    }
}

/// `/members`: active members, searchable.
#[derive(Template, WebTemplate)]
#[template(path = "accounts/members.html")]
pub struct MembersPage {
    pub ctx: PageContext,
    pub q: String,
    pub page: Page<MemberCard>,
    pub pager: Pager,
}
