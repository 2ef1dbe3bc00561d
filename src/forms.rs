//! Every form of the site as a typed struct: the raw text of each field, as submitted (so a
//! page can show it again), and a `parse` into the checked input of the service it is for.
//!
//! The one path of a form: a handler takes `HtmlForm<XForm>` (repeated keys such as
//! `permissions=a&permissions=b` become a `Vec`), calls `parse` (field problems come back as
//! [`ServiceError::Invalid`]), then one service call; on `Invalid` or `Conflict` the page is
//! rendered again with the form and its [`FieldErrors`](crate::domain::FieldErrors), at 422 or
//! 409 (see `routes::problems` and `routes::submit`). The JSON API does not come through here:
//! its bodies (`api::*Write`) parse straight into the same service inputs with the same domain
//! parsers and field names (`crate::domain`), so both faces meet at the service input and give
//! the same problems.

use entity::enums::Permission;
use serde::Deserialize;

use crate::domain::{
    CommentBody, Description, Directors, DisplayName, FieldErrors, Name, PostBody, Rating,
    ServiceError, Synopsis, Tags, Title, Year, optional_birth_date, optional_text,
    optional_website, parse_bio, parse_choice, parse_mpa, parse_status,
};
use crate::services::accounts::ProfileChanges;
use crate::services::accounts::tokens::TokenInput;
use crate::services::blog::{CategoryInput, PostInput};
use crate::services::groups::GroupInput;
use crate::services::movies::{MovieInput, ReviewInput};

mod admin;
mod messages;

pub use admin::{BulkForm, ConfirmForm, OverrideForm, RoleForm, Staged, UserForm, user_filter};
pub use messages::{ConversationForm, MailForm, MessageForm, ReportForm, ResolveForm};

/// A checkbox: present (with any value) is ticked, absent is not.
fn checkbox<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub title: String,
    pub body: String,
    pub category_id: String,
    pub tags: String,
    pub status: String,
    /// The version of the post the edit form was opened at (`blog::post_version`); empty
    /// for a new post.
    pub version: String,
    /// Set by the form's Preview button: show the text rendered, save nothing.
    pub preview: String,
}

impl PostForm {
    /// Whether the Preview button sent the form.
    pub fn previewing(&self) -> bool {
        !self.preview.is_empty()
    }
}

impl PostForm {
    pub fn parse(&self) -> Result<PostInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let title = errors.check("title", Title::parse(&self.title, "post"));
        let body = errors.check("body", PostBody::parse(&self.body));
        let category_id = errors.check(
            "category_id",
            parse_choice(&self.category_id, "Choose a category from the list."),
        );
        let tags = errors.check("tags", Tags::parse(&self.tags));
        let status = errors.check("status", parse_status(&self.status));
        errors.or_valid(|| {
            Some(PostInput {
                title: title?,
                body: body?,
                category_id: category_id?,
                tags: tags?,
                status: status?,
            })
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    pub body: String,
    /// Set by the form's Preview button: show the rendering, save nothing.
    pub preview: String,
}

impl CommentForm {
    pub fn previewing(&self) -> bool {
        !self.preview.is_empty()
    }

    pub fn parse(&self) -> Result<CommentBody, ServiceError> {
        CommentBody::parse(&self.body).map_err(|e| ServiceError::invalid("body", e))
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    pub name: String,
    pub parent_id: String,
}

impl CategoryForm {
    pub fn parse(&self) -> Result<CategoryInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&self.name, "category"));
        let parent_id = errors.check(
            "parent_id",
            parse_choice(&self.parent_id, "Choose a parent from the list."),
        );
        errors.or_valid(|| {
            Some(CategoryInput {
                name: name?,
                parent_id: parent_id?,
            })
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MovieForm {
    pub title: String,
    pub year: String,
    pub mpa: String,
    #[serde(deserialize_with = "checkbox")]
    pub theatre: bool,
    pub synopsis: String,
    pub directors: String,
    /// The version of the movie the edit form was opened at (`movies::movie_version`);
    /// empty for a new movie.
    pub version: String,
}

impl MovieForm {
    pub fn parse(&self) -> Result<MovieInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let title = errors.check("title", Title::parse(&self.title, "movie"));
        let year = errors.check("year", Year::parse(&self.year));
        let mpa = errors.check("mpa", parse_mpa(&self.mpa));
        let synopsis = errors.check("synopsis", Synopsis::parse(&self.synopsis));
        let directors = errors.check("directors", Directors::parse(&self.directors));
        errors.or_valid(|| {
            Some(MovieInput {
                title: title?,
                year: year?,
                mpa: mpa?,
                theatre: self.theatre,
                synopsis: synopsis?,
                directors: directors?,
            })
        })
    }
}

/// A film's place on the member's watchlist: `status` `want` or `seen`, and the day seen.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WatchForm {
    pub status: String,
    pub seen_on: String,
}

impl WatchForm {
    pub fn parse(&self) -> Result<crate::domain::Watch, ServiceError> {
        crate::domain::Watch::parse(&self.status, &self.seen_on)
            .map_err(|(field, message)| ServiceError::invalid(field, message))
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub rating: String,
    pub body: String,
    /// The version of the review the edit form was opened at (`movies::review_version`);
    /// empty for a new review.
    pub version: String,
}

impl ReviewForm {
    pub fn parse(&self) -> Result<ReviewInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let rating = errors.check("rating", Rating::parse(&self.rating));
        let body = errors.check("body", CommentBody::parse_review(&self.body));
        errors.or_valid(|| {
            Some(ReviewInput {
                rating: rating?,
                body: body?,
            })
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub name: String,
    pub description: String,
}

impl GroupForm {
    pub fn parse(&self) -> Result<GroupInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", Name::parse(&self.name, "group"));
        let description = errors.check("description", Description::parse(&self.description));
        errors.or_valid(|| {
            Some(GroupInput {
                name: name?,
                description: description?,
            })
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub bio: String,
    pub birth_date: String,
    pub job: String,
    pub location: String,
    pub website: String,
    pub country_id: String,
    /// The profile's version when the form was opened (`accounts::profile_version`).
    pub version: String,
}

impl ProfileForm {
    pub fn parse(&self) -> Result<ProfileChanges, ServiceError> {
        let mut errors = FieldErrors::default();
        let display_name = errors.check("display_name", DisplayName::parse(&self.display_name));
        let bio = errors.check("bio", parse_bio(&self.bio));
        let birth_date = errors.check("birth_date", optional_birth_date(&self.birth_date));
        let job = errors.check("job", optional_text(&self.job, 100));
        let location = errors.check("location", optional_text(&self.location, 100));
        let website = errors.check("website", optional_website(&self.website));
        let country_id = errors.check(
            "country_id",
            parse_choice(&self.country_id, "Choose a country from the list."),
        );
        errors.or_valid(|| {
            Some(ProfileChanges {
                display_name: display_name?,
                bio: bio?,
                birth_date: birth_date?,
                job: job?,
                location: location?,
                website: website?,
                country_id: country_id?,
                opened_at: Some(self.version.trim().to_owned()).filter(|v| !v.is_empty()),
            })
        })
    }
}

/// A new personal access token: a name, a lifetime in days and the permissions it may use.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
    pub expires_in_days: String,
    pub scopes: Vec<String>,
}

impl TokenForm {
    /// True when the form has this scope ticked.
    pub fn has(&self, permission: &Permission) -> bool {
        self.scopes.iter().any(|p| p == permission.as_str())
    }

    pub fn parse(&self) -> Result<TokenInput, ServiceError> {
        TokenInput::parse(&self.name, &self.expires_in_days, &self.scopes)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub username: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub login: String,
    pub password: String,
    pub next: String,
}

/// `/password/forgot`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    pub email: String,
}

/// The new password of a reset link.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub password: String,
    pub password_confirm: String,
}

/// `/settings/email`: the new address, with the current password.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmailForm {
    pub email: String,
    pub current_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_form_reports_every_field_at_once() {
        let form = PostForm {
            title: " ".into(),
            body: String::new(),
            category_id: "x".into(),
            tags: "<b>".into(),
            status: "gone".into(),
            version: String::new(),
            preview: String::new(),
        };
        let Err(ServiceError::Invalid(errors)) = form.parse() else {
            panic!("the form should be refused");
        };
        for field in ["title", "body", "category_id", "tags", "status"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn repeated_keys_fill_the_permission_list() {
        let form: RoleForm = serde_html_form::from_str(
            "name=Editor&permissions=write_posts&permissions=comment&is_default=on",
        )
        .unwrap();
        let input = form.parse().unwrap();
        assert_eq!(input.name.as_str(), "editor");
        assert_eq!(input.permissions.len(), 2);
        assert!(input.is_default);
        let unknown: RoleForm = serde_html_form::from_str("name=x&permissions=root").unwrap();
        assert!(
            matches!(unknown.parse(), Err(ServiceError::Invalid(e)) if e.get("permissions").is_some())
        );
    }

    #[test]
    fn an_unticked_checkbox_is_off() {
        let form: MovieForm =
            serde_html_form::from_str("title=Heat&year=1995&mpa=R&directors=Michael+Mann").unwrap();
        assert!(!form.parse().unwrap().theatre);
    }
}
