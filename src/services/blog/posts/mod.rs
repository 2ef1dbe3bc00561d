//! Posts: keyset lists with their filters, a post page, who may see and edit what, writing, editing and deleting posts with their tags, and the fields stored derived from them.

mod list;
mod page;
mod rules;
mod snapshot;
mod stored;
mod writes;

pub use list::{
    Cursor, Position, PostCard, PostFilter, PostRow, PostSlice, count_posts, list_posts,
    list_select, recent_posts,
};
pub use page::{PostDetail, post_by_slug, post_with_comments};
pub use rules::{
    can_edit, editable_post, is_moderator, may_list_drafts, may_see, sees_drafts_of, visible_post,
};
pub use snapshot::PostSnapshot;
pub use stored::{StoredFields, body_html, preview_post, stored_fields};
pub(crate) use writes::save_post;
pub use writes::{
    PostInput, create_post, delete_post, post_version, publish_post, refresh_post_counts,
    update_post,
};
