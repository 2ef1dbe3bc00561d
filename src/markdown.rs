//! Markdown to safe HTML and excerpts: the `markup` crate, shared with the migrations.

pub use markup::{excerpt, to_safe_html};
