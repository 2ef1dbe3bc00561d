//! The blog through the API: posts (lists with the pages' filters, one post, writing, editing,
//! publishing, deleting), comments (list, write, hide and show again), the category tree and
//! the tags.

pub mod comments;
pub mod posts;
pub mod taxonomy;

pub use comments::{
    Comment, CommentList, CommentWrite, PageQuery, create_comment, hide_comment, list_comments,
    unhide_comment,
};
pub use posts::{
    CategoryRef, Post, PostList, PostListQuery, PostSummary, PostWrite, Status, TagName,
    create_post, delete_post, get_post, list_posts, publish_post, update_post,
};
pub use taxonomy::{CategoryNode, CategoryTree, Tag, TagList, list_categories, list_tags};
