//! The blog: post lists (one query for the rows, one for their tags, one count), a post with
//! its comments, writing and editing posts with their tags in one transaction, the category
//! tree, moderation, and the top-authors report (one raw SQL statement).
//!
//! One module a part: [`posts`], [`tags`], [`comments`], [`categories`], [`reports`]; their
//! items are re-exported here, so callers say `blog::create_post`.

mod categories;
mod comments;
mod posts;
mod reports;
mod tags;

pub use categories::*;
pub use comments::*;
pub use posts::*;
pub use reports::*;
pub use tags::*;

pub const POSTS_PER_PAGE: u64 = 20;
pub const COMMENTS_PER_PAGE: u64 = 50;
/// Characters of a list excerpt (the same as migration 10 backfilled).
pub const EXCERPT_CHARS: usize = 220;
