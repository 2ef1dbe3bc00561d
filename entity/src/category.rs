//! A blog category. Categories form a tree through the nullable `parent_id`; a category with
//! children cannot be deleted (RESTRICT), posts in a deleted category become uncategorised.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "category")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    #[sea_orm(unique)]
    pub slug: String,
    pub parent_id: Option<i32>,
    /// Published posts filed directly in it, not below (maintained with every post change).
    #[sea_orm(default_value = 0)]
    pub post_count: i32,
    /// Root-to-here chain as JSON (`[{"name":…,"slug":…},…]`) for breadcrumbs, kept by every
    /// category change; `None` when a row was written by other means.
    #[sea_orm(column_type = "Text", nullable)]
    pub trail: Option<String>,
    #[sea_orm(
        self_ref,
        relation_enum = "Parent",
        relation_reverse = "Children",
        from = "parent_id",
        to = "id",
        on_delete = "Restrict"
    )]
    pub parent: BelongsTo<Option<Entity>>,
    #[sea_orm(self_ref, relation_enum = "Children", relation_reverse = "Parent")]
    pub children: HasMany<Entity>,
    #[sea_orm(has_many)]
    pub posts: HasMany<super::post::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
