//! The page that uploads or removes one picture: a movie's poster, a person's portrait, a
//! member's avatar.

use askama::Template;
use askama_web::WebTemplate;

use entity::enums::Permission;

use super::PageContext;
use crate::domain::FieldErrors;

#[derive(Template, WebTemplate)]
#[template(path = "pictures/upload.html")]
pub struct PicturePage {
    pub ctx: PageContext,
    pub heading: String,
    pub back_href: String,
    pub back_label: String,
    /// Where the upload posts (and, with `/remove`, the removal).
    pub action: String,
    /// The form field: `poster`, `portrait` or `avatar`.
    pub field: &'static str,
    /// The current picture's hash.
    pub current: Option<String>,
    pub alt: String,
    /// The card size's width and height, and the full size's width.
    pub width: u32,
    pub height: u32,
    pub full_width: u32,
    /// What is done to the picture's shape, in a sentence.
    pub shape: &'static str,
    pub errors: FieldErrors,
}
