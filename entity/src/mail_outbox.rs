//! A mail waiting to be delivered, written in the same transaction as the change it announces.
//! Delivered rows are deleted; `attempts` and `next_attempt_at` pace the retries, `failed_at`
//! marks one given up on.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub recipient: String,
    /// What to say, as JSON (`services::mail::Mail`); rendered when delivered.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(default_value = 0)]
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub failed_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
