//! What an account may do: its role's permissions, once its address is confirmed.

use entity::enums::Permission;
use entity::{role_permission, user};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// The permissions granted to a role.
pub async fn role_permissions(
    db: &impl ConnectionTrait,
    role_id: i32,
) -> Result<Vec<Permission>, DbErr> {
    Ok(role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.eq(role_id))
        .all(db)
        .await?
        .into_iter()
        .map(|rp| rp.permission)
        .collect())
}

/// The permissions `user` holds now, sorted, kept to those `within` allows: their role's once
/// their address is confirmed, none before.
pub async fn held_permissions(
    db: &impl ConnectionTrait,
    user: &user::Model,
    within: impl Fn(&Permission) -> bool,
) -> Result<Vec<Permission>, DbErr> {
    if user.email_verified_at.is_none() {
        return Ok(Vec::new());
    }
    let mut permissions: Vec<Permission> = role_permissions(db, user.role_id)
        .await?
        .into_iter()
        .filter(within)
        .collect();
    permissions.sort();
    Ok(permissions)
}
