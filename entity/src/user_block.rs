//! A member (`user_id`) blocking another (`blocked_id`): the blocked member's messages never
//! reach them, and cannot start a conversation with them. Goes with either account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_block")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "user_block_user_blocked")]
    pub user_id: i32,
    #[sea_orm(unique_key = "user_block_user_blocked")]
    pub blocked_id: i32,
    pub created_at: DateTimeUtc,
}

/// Two relations to `user`, so declared by hand (the model macro gives one per entity).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade"
    )]
    Blocker,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::BlockedId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade"
    )]
    Blocked,
}

impl ActiveModelBehavior for ActiveModel {}
