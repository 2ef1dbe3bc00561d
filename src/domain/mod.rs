//! The domain's vocabulary, below the services and independent of the web: values parsed from
//! raw input ("parse, don't validate"), the viewer of a request, and the one error every
//! service returns.
//!
//! Dependencies point one way: `entity` → `domain` → `services` → the web's parts (`errors`,
//! `auth`, `input`, `forms`, `views`, `cache`, `flash`) → `routes` → `startup` → `cli`. Nothing
//! here knows actix, Askama or the database connection.

mod problems;
mod site;
mod values;
mod viewer;

pub use problems::{FORM, FieldErrors, SERVER_FAULT, ServiceError};
pub use site::SiteUrl;
pub use values::{
    CommentBody, Description, Directors, DisplayName, Email, FIRST_YEAR, MAX_RECIPIENTS,
    MAX_SEARCH_CHARS, MAX_SEARCH_TERMS, MessageBody, Name, NewConversation, NewPassword, PostBody,
    Rating, RoleName, SearchQuery, Synopsis, Tags, Term, Title, Username, Watch, WatchFilter, Year,
    last_year, optional_birth_date, optional_text, optional_website, parse_bio, parse_choice,
    parse_mpa, parse_permissions, parse_report_reason, parse_status, safe_next, slugify, words_of,
};
pub use viewer::{CurrentUser, UNVERIFIED, Viewer};
