//! The day a member's daily digest was sent, one a member and day: the unique key lets every
//! instance try and only one send it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_digest")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "notification_digest_user_day")]
    pub user_id: i32,
    #[sea_orm(unique_key = "notification_digest_user_day")]
    pub day: Date,
    pub sent_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
