//! A blog post written in Markdown. `updated_at` is kept current by `before_save`.

use sea_orm::entity::prelude::*;

use sea_orm::ActiveValue::Set;

use crate::enums::PostStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(default_value = "draft")]
    pub status: PostStatus,
    pub author_id: i32,
    pub category_id: Option<i32>,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// The Markdown rendered and cleaned at write time (`markup::to_safe_html`).
    #[sea_orm(column_type = "Text", nullable)]
    pub body_html: Option<String>,
    /// Plain-text start of the body for lists (`markup::excerpt`).
    #[sea_orm(default_value = "")]
    pub excerpt: String,
    /// When the post entered the lists: its publication, or its creation while a draft. With
    /// `id`, the key of keyset pagination.
    #[sea_orm(default_value = "2000-01-01 00:00:00")]
    pub listed_at: DateTimeUtc,
    /// Its visible (not hidden) comments, kept in the transaction of every comment change.
    #[sea_orm(default_value = 0)]
    pub comment_count: i32,
    /// Its tag names joined by commas (names never hold one), written with its tags.
    #[sea_orm(default_value = "")]
    pub tag_names: String,
    #[sea_orm(belongs_to, from = "author_id", to = "id", on_delete = "Restrict")]
    pub author: BelongsTo<super::user::Entity>,
    #[sea_orm(belongs_to, from = "category_id", to = "id", on_delete = "SetNull")]
    pub category: BelongsTo<Option<super::category::Entity>>,
    #[sea_orm(has_many)]
    pub comments: HasMany<super::comment::Entity>,
    #[sea_orm(has_many, via = "post_tag")]
    pub tags: HasMany<super::tag::Entity>,
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        let now = chrono::Utc::now();
        if !insert || self.updated_at.is_not_set() {
            self.updated_at = Set(now);
        }
        if insert && self.created_at.is_not_set() {
            self.created_at = Set(now);
        }
        Ok(self)
    }
}
