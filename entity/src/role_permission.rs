//! One permission granted to one role (composite key: role, permission).

use sea_orm::entity::prelude::*;

use crate::enums::Permission;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_permission")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub role_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub permission: Permission,
    #[sea_orm(belongs_to, from = "role_id", to = "id", on_delete = "Cascade")]
    pub role: BelongsTo<super::role::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
