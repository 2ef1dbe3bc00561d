//! The dashboard's counts.

use chrono::{Duration, Utc};
use entity::user;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use super::roles::{RoleRow, list_roles};

pub struct Dashboard {
    pub roles: Vec<RoleRow>,
    pub total_users: u64,
    pub active_users: u64,
    pub new_this_week: u64,
    pub groups: u64,
    pub audit_entries: u64,
}

pub async fn dashboard(db: &impl ConnectionTrait) -> Result<Dashboard, DbErr> {
    let week_ago = Utc::now() - Duration::days(7);
    Ok(Dashboard {
        roles: list_roles(db).await?,
        total_users: user::Entity::find().count(db).await?,
        active_users: user::Entity::find()
            .filter(user::Column::IsActive.eq(true))
            .count(db)
            .await?,
        new_this_week: user::Entity::find()
            .filter(user::Column::CreatedAt.gte(week_ago))
            .count(db)
            .await?,
        groups: entity::group::Entity::find().count(db).await?,
        audit_entries: entity::audit_log::Entity::find().count(db).await?,
    })
}
