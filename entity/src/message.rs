//! A private message: Markdown as typed, in a conversation, numbered in the order sent. Stays
//! when its sender's account goes.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub conversation_id: i32,
    pub sender_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "conversation_id", to = "id", on_delete = "Cascade")]
    pub conversation: BelongsTo<super::conversation::Entity>,
    #[sea_orm(belongs_to, from = "sender_id", to = "id", on_delete = "SetNull")]
    pub sender: BelongsTo<Option<super::user::Entity>>,
    #[sea_orm(has_many)]
    pub reports: HasMany<super::message_report::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
