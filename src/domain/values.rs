//! Domain values parsed from raw input ("parse, don't validate"), and small helpers. Each
//! parser returns the value or a message fit to show beside the form field (or in the API's
//! field errors); a value of one of these types has passed its rules.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate, Utc};
use entity::enums::{MpaRating, Permission, PostStatus};

mod lists;
mod message;
mod search;
mod watch;

pub use lists::{Directors, Tags};
pub use message::{MAX_RECIPIENTS, MessageBody, NewConversation, parse_report_reason};
pub use search::{MAX_SEARCH_CHARS, MAX_SEARCH_TERMS, SearchQuery, Term, words_of};
pub use watch::{Watch, WatchFilter};

/// A username: 3 to 32 characters, lowercase letters, digits, `_` or `-`, starting with a
/// letter. Input is trimmed and lowercased, so `Alice` becomes `alice`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, String> {
        let value = raw.trim().to_lowercase();
        let count = value.chars().count();
        if count < 3 {
            return Err("Usernames are at least 3 characters long.".into());
        }
        if count > 32 {
            return Err("Usernames are at most 32 characters long.".into());
        }
        if !value.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("Usernames start with a letter.".into());
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err("Use only letters, digits, “_” and “-”.".into());
        }
        Ok(Username(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address of a plausible shape, trimmed and lowercased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let value = raw.trim().to_lowercase();
        let invalid = || Err("Enter an email address like name@example.com.".to_owned());
        if value.is_empty() {
            return Err("Enter your email address.".into());
        }
        if value.len() > 254 {
            return Err("Email addresses are at most 254 characters long.".into());
        }
        let Some((local, domain)) = value.split_once('@') else {
            return invalid();
        };
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"@".contains(c));
        if !labels_ok || !local_ok {
            return invalid();
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10 to 128 characters, not too simple, not the username.
pub struct NewPassword(String);

const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "1234567890",
    "123456789",
    "qwertyuiop",
    "qwerty1234",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "admin12345",
    "abcdefghij",
    "0987654321",
    "1q2w3e4r5t",
    "passw0rd12",
];

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    pub fn parse(raw: &str, confirm: &str, username: &str) -> Result<NewPassword, String> {
        let count = raw.chars().count();
        if count < 10 {
            return Err("Use at least 10 characters.".into());
        }
        if count > 128 {
            return Err("Use at most 128 characters.".into());
        }
        let mut distinct: Vec<char> = raw.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let lower = raw.to_lowercase();
        if distinct.len() < 5 || COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(
                "This password is too easy to guess; pick a longer or less common one.".into(),
            );
        }
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err("Your password must not contain your username.".into());
        }
        if raw != confirm {
            return Err("The two passwords do not match.".into());
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Keeps a `next` redirect target only if it is a path on this site (`/...`, not `//host`
/// or `/\\host`), so a login link cannot send people elsewhere.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| next.to_owned())
}

/// Turns a title into a URL slug: lowercase ASCII letters and digits separated by single
/// hyphens, at most `max` characters, never empty ("untitled" when nothing is left).
pub fn slugify(title: &str, max: usize) -> String {
    let mut slug = String::with_capacity(title.len());
    for c in title.chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'a'..='z' | '0'..='9' => Some(c),
            'à' | 'á' | 'â' | 'ä' | 'å' | 'ã' => Some('a'),
            'ç' => Some('c'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ñ' => Some('n'),
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ý' | 'ÿ' => Some('y'),
            '\'' | '’' => None,
            _ => Some('-'),
        };
        match mapped {
            Some('-') if slug.is_empty() || slug.ends_with('-') => {}
            Some(ch) => slug.push(ch),
            None => {}
        }
        if slug.len() >= max {
            break;
        }
    }
    let trimmed = slug.trim_end_matches('-');
    if trimmed.is_empty() {
        "untitled".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Trimmed text of at most `max` characters; `empty` is the message for blank input, or `None`
/// when blank is allowed.
fn bounded(raw: &str, max: usize, empty: Option<&str>, long: &str) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty()
        && let Some(message) = empty
    {
        return Err(message.to_owned());
    }
    if value.chars().count() > max {
        return Err(long.to_owned());
    }
    Ok(value.to_owned())
}

/// Declares a newtype over `String` with `as_str`, `into_inner` and `Display`.
macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_value!(
    /// The title of a post or a movie: 1 to 200 characters, trimmed.
    Title
);

impl Title {
    pub const MAX: usize = 200;

    /// `what` names the thing in the message ("Give the post a title.").
    pub fn parse(raw: &str, what: &str) -> Result<Title, String> {
        bounded(
            raw,
            Self::MAX,
            Some(&format!("Give the {what} a title.")),
            "Titles are at most 200 characters long.",
        )
        .map(Title)
    }
}

text_value!(
    /// The name of a category or a group: 1 to 64 characters, trimmed.
    Name
);

impl Name {
    pub const MAX: usize = 64;

    /// `what` names the thing in the messages ("Give the group a name.").
    pub fn parse(raw: &str, what: &str) -> Result<Name, String> {
        let mut long = format!("{what} names are at most 64 characters long.");
        if let Some(first) = long.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        bounded(
            raw,
            Self::MAX,
            Some(&format!("Give the {what} a name.")),
            &long,
        )
        .map(Name)
    }
}

text_value!(
    /// A role name: 1 to 64 lowercase letters, digits, spaces, `_` or `-` (input is lowercased).
    RoleName
);

impl RoleName {
    pub fn parse(raw: &str) -> Result<RoleName, String> {
        let name = bounded(
            &raw.to_lowercase(),
            64,
            Some("Give the role a name."),
            "Role names are at most 64 characters long.",
        )?;
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | ' '))
        {
            return Err("Use letters, digits, spaces, “_” or “-”.".into());
        }
        Ok(RoleName(name))
    }
}

text_value!(
    /// A short description: at most 255 characters, may be empty.
    Description
);

impl Description {
    pub fn parse(raw: &str) -> Result<Description, String> {
        bounded(raw, 255, None, "Keep the description under 255 characters.").map(Description)
    }
}

text_value!(
    /// The Markdown text of a post: not empty, at most [`PostBody::MAX`] bytes.
    PostBody
);

impl PostBody {
    pub const MAX: usize = 100_000;

    pub fn parse(raw: &str) -> Result<PostBody, String> {
        let body = raw.trim();
        if body.is_empty() {
            return Err("Write the post before saving it.".into());
        }
        Self::within_length(body)?;
        Ok(PostBody(body.to_owned()))
    }

    /// Refused when `body` is longer than a post may be (an empty one passes: a preview of
    /// nothing shows nothing).
    pub fn within_length(body: &str) -> Result<(), String> {
        if body.trim().len() > Self::MAX {
            return Err(format!(
                "The post is too long: {} characters at most.",
                Self::MAX
            ));
        }
        Ok(())
    }
}

text_value!(
    /// The text of a comment or a review: at most 5,000 characters (a comment may not be empty).
    CommentBody
);

impl CommentBody {
    pub const MAX: usize = 5_000;

    pub fn parse(raw: &str) -> Result<CommentBody, String> {
        bounded(
            raw,
            Self::MAX,
            Some("Write something before posting your comment."),
            "Comments are at most 5,000 characters long.",
        )
        .map(CommentBody)
    }

    /// A review's text.
    pub fn parse_review(raw: &str) -> Result<CommentBody, String> {
        bounded(
            raw,
            Self::MAX,
            Some("Say a few words about the movie."),
            "Reviews are at most 5,000 characters long.",
        )
        .map(CommentBody)
    }
}

text_value!(
    /// A movie's synopsis: at most 5,000 characters, may be empty.
    Synopsis
);

impl Synopsis {
    pub fn parse(raw: &str) -> Result<Synopsis, String> {
        bounded(
            raw,
            5_000,
            None,
            "Keep the synopsis under 5,000 characters.",
        )
        .map(Synopsis)
    }
}

/// The first year a movie can be from.
pub const FIRST_YEAR: i32 = 1888;

/// The last year a movie can be from: next year (announced films).
pub fn last_year() -> i32 {
    Utc::now().year().saturating_add(1)
}

/// A movie's year, from [`FIRST_YEAR`] to [`last_year`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Year(i32);

impl Year {
    /// A year typed into a form.
    pub fn parse(raw: &str) -> Result<Year, String> {
        Self::from_number(raw.trim().parse::<i32>().ok())
    }

    /// A year sent as a number; `None` (missing, or text that is not a number) gets the same
    /// message as a year out of range.
    pub fn from_number(year: Option<i32>) -> Result<Year, String> {
        let last = last_year();
        match year {
            Some(y) if (FIRST_YEAR..=last).contains(&y) => Ok(Year(y)),
            _ => Err(format!("Enter a year from {FIRST_YEAR} to {last}.")),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// A review's rating, 1 to 10.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rating(i32);

impl Rating {
    /// A rating chosen in a form.
    pub fn parse(raw: &str) -> Result<Rating, String> {
        Self::from_number(raw.trim().parse::<i32>().ok())
    }

    /// A rating sent as a number; `None` (missing, or text that is not a number) gets the same
    /// message as one out of range.
    pub fn from_number(rating: Option<i32>) -> Result<Rating, String> {
        match rating {
            Some(r) if (1..=10).contains(&r) => Ok(Rating(r)),
            _ => Err("Choose a rating from 1 to 10.".into()),
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// An optional MPA rating from a select: blank is none.
pub fn parse_mpa(raw: &str) -> Result<Option<MpaRating>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => MpaRating::parse(raw)
            .map(Some)
            .ok_or_else(|| "Choose a rating from the list, or none.".into()),
    }
}

/// A post's status from the form: draft (the default) or published.
pub fn parse_status(raw: &str) -> Result<PostStatus, String> {
    match raw.trim() {
        "published" => Ok(PostStatus::Published),
        "draft" | "" => Ok(PostStatus::Draft),
        _ => Err("Choose draft or published.".into()),
    }
}

/// An optional id from a select: blank is none; anything else must be a number (whether it
/// names a row is for the service to say).
pub fn parse_choice(raw: &str, message: &str) -> Result<Option<i32>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw.parse::<i32>().map(Some).map_err(|_| message.to_owned()),
    }
}

/// Permissions by their names; an unknown name is refused with a message.
pub fn parse_permissions(raw: &[String]) -> Result<BTreeSet<Permission>, String> {
    raw.iter()
        .map(|name| Permission::parse(name).ok_or_else(|| format!("Unknown permission “{name}”.")))
        .collect()
}

/// Optional trimmed text of at most `max` characters (blank is `None`).
pub fn optional_text(raw: &str, max: usize) -> Result<Option<String>, String> {
    let value = bounded(
        raw,
        max,
        None,
        &format!("Keep this under {max} characters."),
    )?;
    Ok((!value.is_empty()).then_some(value))
}

/// A profile's bio: trimmed, at most 2,000 characters, empty when blank.
pub fn parse_bio(raw: &str) -> Result<String, String> {
    optional_text(raw, 2_000)
        .map(Option::unwrap_or_default)
        .map_err(|_| "Keep your bio under 2,000 characters.".into())
}

/// An optional web address: `http://` or `https://`, at most 255 characters.
pub fn optional_website(raw: &str) -> Result<Option<String>, String> {
    let website = optional_text(raw, 255)?;
    if let Some(site) = &website
        && !(site.starts_with("https://") || site.starts_with("http://"))
    {
        return Err("Enter a full address starting with https://.".into());
    }
    Ok(website)
}

/// An optional birth date as `YYYY-MM-DD`, from 1900 and not in the future.
pub fn optional_birth_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    match raw.trim() {
        "" => Ok(None),
        raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d > Utc::now().date_naive() => {
                Err("Your birth date cannot be in the future.".into())
            }
            Ok(d) if d.year() < 1900 => Err("Enter a year from 1900 on.".into()),
            Ok(d) => Ok(Some(d)),
            Err(_) => Err("Enter a date as YYYY-MM-DD.".into()),
        },
    }
}

text_value!(
    /// The name shown on a profile: 1 to 64 characters.
    DisplayName
);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<DisplayName, String> {
        bounded(
            raw,
            64,
            Some("Enter the name to show on your profile."),
            "Keep your display name under 64 characters.",
        )
        .map(DisplayName)
    }
}

#[cfg(test)]
mod tests;
