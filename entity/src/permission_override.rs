//! One account's own grant or denial of one permission (one per account and permission), with
//! the reason, who made it and until when. A denial beats every grant; an override past its
//! `expires_at` no longer counts (nothing deletes it, so the record shows when it lapsed).

use sea_orm::entity::prelude::*;

use crate::enums::{OverrideEffect, Permission};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "permission_override")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "permission_override_user_permission")]
    pub user_id: i32,
    #[sea_orm(unique_key = "permission_override_user_permission")]
    pub permission: Permission,
    pub effect: OverrideEffect,
    pub reason: String,
    pub granted_by_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
}

/// Two relations to `user` (the account, and who made the override), declared by hand.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::GrantedById",
        to = "super::user::Column::Id",
        on_update = "Cascade",
        on_delete = "SetNull"
    )]
    GrantedBy,
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whether the override counts at `now` (it has not expired).
    pub fn in_force(&self, now: DateTimeUtc) -> bool {
        self.expires_at.is_none_or(|until| until > now)
    }
}
