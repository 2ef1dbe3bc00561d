//! The blog: post lists (one query for the rows, one for their tags, one count), a post with
//! its comments, writing and editing posts with their tags in one transaction, the category
//! tree, moderation, and the top-authors report (one raw SQL statement).
//!
//! One module a part: [`posts`], [`pictures`] (attached to posts), [`tags`], [`comments`] (and
//! their edits and deletions, [`comment_edits`]),
//! [`categories`], [`reports`]; their items are re-exported here by name, so callers say
//! `blog::create_post`.

mod categories;
mod comment_edits;
mod comments;
pub(crate) mod pictures;
mod posts;
mod reports;
mod tags;

pub use categories::{
    CategoryInput, Crumb, TreeNode, ancestors, categories, category_by_slug, category_posts,
    create_category, delete_category, descendants, flatten, parse_trail, refresh_trails, trail,
    update_category,
};
pub use comment_edits::{
    CommentChange, changeable_comment, delete_comment, edit_comment, may_change_comment,
};
pub use comments::{
    CommentRow, ModerationRow, PostRef, add_comment, comment_html, comment_location,
    comment_to_answer, comments, conversation_order, moderation_queue, page_of_comment,
    preview_comment, refresh_comment_count, refresh_comment_counts, reply_to_comment,
    set_comment_hidden,
};
pub use pictures::{
    PICTURES_PER_POST, attach_picture, detach_picture, pictures_of, post_pictures, shows,
};
pub(crate) use posts::save_post;
pub use posts::{
    Cursor, Position, PostCard, PostDetail, PostFilter, PostInput, PostRow, PostSlice,
    PostSnapshot, StoredFields, body_html, can_edit, count_posts, create_post, delete_post,
    editable_post, is_moderator, list_posts, list_select, may_list_drafts, may_see, post_by_slug,
    post_version, post_with_comments, preview_post, publish_post, recent_posts,
    refresh_post_counts, sees_drafts_of, stored_fields, update_post, visible_post,
};
pub use reports::{TopAuthor, top_authors};
pub use tags::{TAGS_PER_PAGE, TagCount, join_tags, tag_by_name, tag_counts, tag_page, tags_of};

pub const POSTS_PER_PAGE: u64 = 20;
pub const COMMENTS_PER_PAGE: u64 = 50;
/// Characters of a list excerpt (the same as migration 10 backfilled).
pub const EXCERPT_CHARS: usize = 220;
