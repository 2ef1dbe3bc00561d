//! A message reported to moderators by a member of its conversation (once each), open until a
//! moderator resolves it (`resolution`: `dismissed` or `sender_deactivated`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "message_report_message_reporter")]
    pub message_id: i32,
    #[sea_orm(unique_key = "message_report_message_reporter")]
    pub reporter_id: i32,
    pub reason: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolution: Option<String>,
    #[sea_orm(belongs_to, from = "message_id", to = "id", on_delete = "Cascade")]
    pub message: BelongsTo<super::message::Entity>,
    #[sea_orm(belongs_to, from = "reporter_id", to = "id", on_delete = "Cascade")]
    pub reporter: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
