//! A comment on a post; moderators hide it with `is_hidden`; its author edits it, its author or
//! a moderator deletes it (a placeholder stays); a reply names the comment it answers and the
//! top-level comment of its conversation. Goes with its post and its author.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    pub author_id: i32,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(default_value = false)]
    pub is_hidden: bool,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    /// When its author last changed the text (the earlier text is in the audit log).
    pub edited_at: Option<DateTimeUtc>,
    /// When it was deleted: it stays as a placeholder, its text cleared.
    pub deleted_at: Option<DateTimeUtc>,
    /// The comment this one replies to.
    pub parent_id: Option<i32>,
    /// The top-level comment of its conversation (`None` on a top-level comment).
    pub thread_id: Option<i32>,
    #[sea_orm(
        self_ref,
        relation_enum = "Parent",
        relation_reverse = "Replies",
        from = "parent_id",
        to = "id",
        on_delete = "SetNull"
    )]
    pub parent: BelongsTo<Option<Entity>>,
    #[sea_orm(self_ref, relation_enum = "Replies", relation_reverse = "Parent")]
    pub replies: HasMany<Entity>,
    #[sea_orm(
        self_ref,
        relation_enum = "Thread",
        relation_reverse = "Conversation",
        from = "thread_id",
        to = "id",
        on_delete = "SetNull"
    )]
    pub thread: BelongsTo<Option<Entity>>,
    #[sea_orm(self_ref, relation_enum = "Conversation", relation_reverse = "Thread")]
    pub conversation: HasMany<Entity>,
    #[sea_orm(belongs_to, from = "post_id", to = "id", on_delete = "Cascade")]
    pub post: BelongsTo<super::post::Entity>,
    #[sea_orm(belongs_to, from = "author_id", to = "id", on_delete = "Cascade")]
    pub author: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
