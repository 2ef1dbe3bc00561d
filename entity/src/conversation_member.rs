//! A member of a conversation: since when, whether they left (`left_at`: then they see nothing
//! of it and receive nothing further), the newest message that reached them and the newest
//! they have read (unread while the first is past the second).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "conversation_member_conversation_user")]
    pub conversation_id: i32,
    #[sea_orm(unique_key = "conversation_member_conversation_user")]
    pub user_id: i32,
    pub joined_at: DateTimeUtc,
    pub left_at: Option<DateTimeUtc>,
    #[sea_orm(default_value = 0)]
    pub last_message_id: i32,
    #[sea_orm(default_value = 0)]
    pub last_read_id: i32,
    #[sea_orm(belongs_to, from = "conversation_id", to = "id", on_delete = "Cascade")]
    pub conversation: BelongsTo<super::conversation::Entity>,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
