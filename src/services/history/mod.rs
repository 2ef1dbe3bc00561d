//! History: every audited change to a post, a movie, a role or an account read back as
//! versions (who, when, what changed, in words and as a text diff for long text), and
//! reverting a post or a movie to one of them through the same function as an edit. Roles'
//! history and revert live with the other role rules, in `admin::history`.

mod accounts;
mod changes;
mod movies;
mod posts;
mod text;

pub use accounts::account_history;
pub use changes::{Differ, FieldChange, Version, entries, listed};
pub use movies::{MovieVersion, movie_history, revert_movie};
pub use posts::{PostVersion, post_history, revert_post};
pub use text::{DiffLine, LineKind, line_diff, unified_diff};
