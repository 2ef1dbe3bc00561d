//! How a kind of notification reaches a member: `site`, `mail` (at once) or `digest` (once a
//! day). No row is the kind's default.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_setting")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "notification_setting_user_kind")]
    pub user_id: i32,
    #[sea_orm(unique_key = "notification_setting_user_kind")]
    pub kind: String,
    pub delivery: String,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
