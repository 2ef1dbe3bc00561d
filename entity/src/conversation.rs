//! A private conversation between members: its subject and who started it (kept when they are
//! gone). Its members and messages go with it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub subject: String,
    pub started_by: Option<i32>,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "started_by", to = "id", on_delete = "SetNull")]
    pub starter: BelongsTo<Option<super::user::Entity>>,
    #[sea_orm(has_many)]
    pub members: HasMany<super::conversation_member::Entity>,
    #[sea_orm(has_many)]
    pub messages: HasMany<super::message::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
