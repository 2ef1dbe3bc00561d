//! Pages of the blog: post lists, a post, the post forms, moderation and the category tree.

use super::{KeysetPager, PageContext, Pager, filters};
use crate::domain::FieldErrors;
use crate::forms::PostForm;
use crate::services::Page;
use crate::services::blog::{
    CommentRow, ModerationRow, PostDetail, PostRef, PostSlice, TagCount, TreeNode,
};
use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

/// A list of posts: all, search results, a tag, an author or a category.
#[derive(Template, WebTemplate)]
#[template(path = "blog/posts/list.html")]
pub struct PostListPage {
    pub ctx: PageContext,
    pub heading: String,
    pub intro: Option<String>,
    pub q: String,
    /// Where the search form sends the query (the current list).
    pub action: String,
    pub page: std::sync::Arc<PostSlice>,
    pub pager: KeysetPager,
    /// Root-to-here chain on category pages.
    pub breadcrumbs: Vec<entity::category::Model>,
    pub subcategories: Vec<entity::category::Model>,
    /// The feed of this list (a category, tag or author).
    pub feed: Option<super::FeedLink>,
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/posts/show.html")]
pub struct PostPage {
    pub ctx: PageContext,
    pub detail: std::sync::Arc<PostDetail>,
    pub html: String,
    pub breadcrumbs: Vec<crate::services::blog::Crumb>,
    pub comments: std::sync::Arc<Page<CommentRow>>,
    pub pager: Pager,
    pub can_edit: bool,
    pub can_comment: bool,
    pub can_moderate: bool,
    /// The comments of the page the viewer may edit, and delete.
    pub editable_comments: std::collections::HashSet<i32>,
    pub deletable_comments: std::collections::HashSet<i32>,
    pub comment_body: String,
    pub comment_error: Option<String>,
    /// The comment being written, rendered (its form's Preview button).
    pub comment_preview: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/posts/form.html")]
pub struct PostFormPage {
    pub ctx: PageContext,
    /// The post's slug when editing.
    pub slug: Option<String>,
    pub form: PostForm,
    pub tree: Vec<TreeNode>,
    pub errors: FieldErrors,
    /// The post as someone else saved it while this form was open (the form keeps what was
    /// typed; saving again replaces theirs).
    pub theirs: Option<entity::post::Model>,
    /// The text as it would show, when the Preview button sent the form.
    pub preview: Option<String>,
}

impl PostFormPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/posts/delete.html")]
pub struct PostDeletePage {
    pub ctx: PageContext,
    pub post: entity::post::Model,
    pub comments: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/moderation.html")]
pub struct ModerationPage {
    pub ctx: PageContext,
    pub page: Page<ModerationRow>,
    pub pager: Pager,
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/categories/index.html")]
pub struct CategoriesPage {
    pub ctx: PageContext,
    pub tree: Vec<TreeNode>,
    pub name: String,
    pub parent_id: String,
    pub errors: FieldErrors,
}

impl CategoriesPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/categories/edit.html")]
pub struct CategoryEditPage {
    pub ctx: PageContext,
    pub category: entity::category::Model,
    pub tree: Vec<TreeNode>,
    pub name: String,
    pub parent_id: String,
    pub errors: FieldErrors,
}

impl CategoryEditPage {
    pub fn indent(&self, depth: &usize) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(*depth)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "blog/categories/delete.html")]
pub struct CategoryDeletePage {
    pub ctx: PageContext,
    pub category: entity::category::Model,
    pub posts: u64,
    pub children: u64,
    pub refusal: Option<String>,
}

/// A post's history, for whoever may edit it: each change with a way back to its version.
#[derive(Template, WebTemplate)]
#[template(path = "blog/posts/history.html")]
pub struct PostHistoryPage {
    pub ctx: PageContext,
    pub post: entity::post::Model,
    pub versions: Vec<crate::services::history::PostVersion>,
    pub revert_base: Option<String>,
}

/// A post's pictures: each with the line its text shows it by, and an upload form.
#[derive(Template, WebTemplate)]
#[template(path = "blog/posts/pictures.html")]
pub struct PostPicturesPage {
    pub ctx: PageContext,
    pub post: entity::post::Model,
    pub pictures: Vec<markup::Picture>,
    /// The most a post holds.
    pub limit: u64,
    pub errors: FieldErrors,
}

impl PostPicturesPage {
    /// Whether the post's text shows `picture` (it cannot be removed then).
    pub fn shown(&self, picture: &markup::Picture) -> bool {
        crate::services::blog::shows(&self.post.body, &picture.hash)
    }

    /// Whether another picture may be attached.
    pub fn has_room(&self) -> bool {
        u64::try_from(self.pictures.len()).is_ok_and(|n| n < self.limit)
    }
}

/// `/tags`: the tags published posts carry, most used first.
#[derive(Template, WebTemplate)]
#[template(path = "blog/tags.html")]
pub struct TagsPage {
    pub ctx: PageContext,
    pub page: Page<TagCount>,
    pub pager: Pager,
}

/// `/comments/{id}/edit`: a comment's author changes its text.
#[derive(Template, WebTemplate)]
#[template(path = "blog/comments/edit.html")]
pub struct CommentEditPage {
    pub ctx: PageContext,
    pub id: i32,
    pub post: PostRef,
    pub body: String,
    pub error: Option<String>,
    pub preview: Option<String>,
}

/// `/comments/{id}/delete`: "Delete this comment?", with its text.
#[derive(Template, WebTemplate)]
#[template(path = "blog/comments/delete.html")]
pub struct CommentDeletePage {
    pub ctx: PageContext,
    pub comment: entity::comment::Model,
    pub post: PostRef,
}

impl CommentDeletePage {
    /// Where "Keep it" goes: the comment on its post.
    pub fn back(&self) -> String {
        format!("/posts/{}#comment-{}", self.post.slug, self.comment.id)
    }
}

/// `/comments/{id}/reply`: the comment answered, and the reply's form.
#[derive(Template, WebTemplate)]
#[template(path = "blog/comments/reply.html")]
pub struct CommentReplyPage {
    pub ctx: PageContext,
    pub parent: entity::comment::Model,
    pub author: Option<crate::services::UserRef>,
    pub post: entity::post::Model,
    pub body: String,
    pub error: Option<String>,
    pub preview: Option<String>,
}

impl PostPage {
    /// The comment `c` answers, when it is not its conversation's top-level comment (that one
    /// is shown by the indentation): its id and its author's name, or "a comment" when it is not
    /// on this page or its author is gone.
    pub fn answers(&self, c: &entity::comment::Model) -> Option<(i32, String)> {
        let parent = c.parent_id.filter(|p| Some(*p) != c.thread_id)?;
        let whom = self
            .comments
            .items
            .iter()
            .find(|(other, _)| other.id == parent)
            .and_then(|(_, author)| author.as_ref())
            .map_or_else(|| "a comment".to_owned(), |a| a.username.clone());
        Some((parent, whom))
    }
}
