//! One row (`id` 1) whose `version` every change to shown content bumps; caches keep what they
//! loaded under a version and drop it when the number moves, on every instance.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_version")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    #[sea_orm(default_value = 0)]
    pub version: i64,
}

impl ActiveModelBehavior for ActiveModel {}
