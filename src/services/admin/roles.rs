//! Roles and their permissions: the list, creating, changing and deleting them under the subset rule and the guard rails.

use std::collections::{BTreeSet, HashMap};

use entity::enums::Permission;
use entity::{role, role_permission, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::*;
use crate::domain::{CurrentUser, Description, RoleName};
use crate::services::audit::{self, Actor};
use crate::services::error::on_table;
use crate::services::{FieldErrors, ServiceError};

#[derive(Clone, Debug)]
pub struct RoleRow {
    pub role: role::Model,
    pub users: u64,
    pub permissions: Vec<Permission>,
}

/// Every role with its number of users and its permissions (three queries).
pub async fn list_roles(db: &impl ConnectionTrait) -> Result<Vec<RoleRow>, DbErr> {
    let roles = role::Entity::find()
        .order_by_asc(role::Column::Name)
        .all(db)
        .await?;
    let counts: HashMap<i32, i64> = user::Entity::find()
        .select_only()
        .column(user::Column::RoleId)
        .column_as(user::Column::Id.count(), "n")
        .group_by(user::Column::RoleId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut permissions: HashMap<i32, Vec<Permission>> = HashMap::new();
    for rp in role_permission::Entity::find().all(db).await? {
        permissions
            .entry(rp.role_id)
            .or_default()
            .push(rp.permission);
    }
    Ok(roles
        .into_iter()
        .map(|role| {
            let mut perms = permissions.remove(&role.id).unwrap_or_default();
            perms.sort();
            RoleRow {
                users: u64::try_from(counts.get(&role.id).copied().unwrap_or(0)).unwrap_or(0),
                permissions: perms,
                role,
            }
        })
        .collect())
}

pub async fn role_row(db: &impl ConnectionTrait, id: i32) -> Result<Option<RoleRow>, DbErr> {
    Ok(list_roles(db).await?.into_iter().find(|r| r.role.id == id))
}

/// Checked values of the role form.
#[derive(Clone, Debug)]
pub struct RoleInput {
    pub name: RoleName,
    pub description: Description,
    pub is_default: bool,
    pub permissions: BTreeSet<Permission>,
}

fn role_json(role: &role::Model, permissions: &BTreeSet<Permission>) -> serde_json::Value {
    json!({
        "name": role.name,
        "description": role.description,
        "is_default": role.is_default,
        "permissions": permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
    })
}

async fn write_permissions(
    db: &impl ConnectionTrait,
    role_id: i32,
    permissions: &BTreeSet<Permission>,
) -> Result<(), DbErr> {
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    if !permissions.is_empty() {
        role_permission::Entity::insert_many(permissions.iter().map(|p| {
            role_permission::ActiveModel {
                role_id: Set(role_id),
                permission: Set(*p),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn make_only_default(db: &impl ConnectionTrait, role_id: i32) -> Result<(), DbErr> {
    role::Entity::update_many()
        .col_expr(role::Column::IsDefault, Expr::value(false))
        .filter(role::Column::Id.ne(role_id))
        .exec(db)
        .await?;
    Ok(())
}

fn name_taken() -> ServiceError {
    ServiceError::Conflict(FieldErrors::one(
        "name",
        "A role with this name exists already.",
    ))
}

pub async fn create_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    input: RoleInput,
) -> Result<role::Model, ServiceError> {
    actor.require(Permission::ManageRoles)?;
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageRoles).await?;
    within(&held, &input.permissions, grant_refusal)?;
    if role::Entity::find_by_name(input.name.as_str())
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(name_taken());
    }
    let created = role::ActiveModel {
        name: Set(input.name.to_string()),
        description: Set(input.description.to_string()),
        is_default: Set(input.is_default),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(on_table("role"))?;
    write_permissions(&txn, created.id, &input.permissions).await?;
    if input.is_default {
        make_only_default(&txn, created.id).await?;
    }
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    audit::record(
        &txn,
        &actor_ref,
        "role.create",
        "role",
        created.id,
        None,
        Some(role_json(&created, &input.permissions)),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Opens a change to role `role_id` by `actor`: the admin lock, the actor as they are now
/// (active, holding `manage_roles`), the role and its permissions, which must all be the
/// actor's own (`verb` names the refused change: "change", "delete").
async fn begin_role_change<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    role_id: i32,
    verb: &str,
) -> Result<(C::Transaction, Acting, role::Model, BTreeSet<Permission>), ServiceError> {
    actor.require(Permission::ManageRoles)?;
    let txn = begin_admin_change(db).await?;
    let acting = acting(&txn, actor, Permission::ManageRoles).await?;
    let existing = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let permissions = permission_set(&txn, role_id).await?;
    within(&acting.held, &permissions, |missing| {
        format!(
            "You cannot {verb} the role “{}”: it has permissions you do not hold ({missing}).",
            existing.name
        )
    })?;
    Ok((txn, acting, existing, permissions))
}

pub async fn update_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
    input: RoleInput,
) -> Result<role::Model, ServiceError> {
    let (
        txn,
        Acting {
            role_id: actor_role,
            held,
        },
        existing,
        before,
    ) = begin_role_change(db, actor, role_id, "change").await?;
    within(&held, &input.permissions, grant_refusal)?;
    if existing.is_default && !input.is_default {
        return Err(refused(
            "There must always be a default role: make another role the default instead.".into(),
        ));
    }
    if actor_role == role_id && !input.permissions.contains(&Permission::ManageRoles) {
        return Err(refused(
            "You hold this role: removing “Manage roles” from it would lock you out.".into(),
        ));
    }
    if input.name.as_str() != existing.name
        && role::Entity::find_by_name(input.name.as_str())
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(name_taken());
    }
    let before_json = role_json(&existing, &before);
    let mut active: role::ActiveModel = existing.into();
    active.name = Set(input.name.to_string());
    active.description = Set(input.description.to_string());
    active.is_default = Set(input.is_default);
    let updated = active.update(&txn).await.map_err(on_table("role"))?;
    write_permissions(&txn, role_id, &input.permissions).await?;
    if input.is_default {
        make_only_default(&txn, role_id).await?;
    }
    ensure_role_managers_remain(&txn).await?;
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    audit::record(
        &txn,
        &actor_ref,
        "role.update",
        "role",
        role_id,
        Some(before_json),
        Some(role_json(&updated, &input.permissions)),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a role; its users move to the default role. Returns how many moved.
pub async fn delete_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
) -> Result<u64, ServiceError> {
    let (
        txn,
        Acting {
            role_id: actor_role,
            held,
        },
        existing,
        permissions,
    ) = begin_role_change(db, actor, role_id, "delete").await?;
    if existing.is_default {
        return Err(refused(
            "The default role cannot be deleted: make another role the default first.".into(),
        ));
    }
    if actor_role == role_id {
        return Err(refused("You cannot delete the role you hold.".into()));
    }
    let default_id = crate::services::accounts::default_role_id(&txn).await?;
    // Its users move to the default role: that assigns the default role to them.
    within(&held, &permission_set(&txn, default_id).await?, |missing| {
        format!(
            "Deleting this role would move its users to the default role, which has permissions you do not hold ({missing})."
        )
    })?;
    // Moving users changes their role: their sessions end, like any other role change.
    let moved = user::Entity::update_many()
        .col_expr(user::Column::RoleId, Expr::value(default_id))
        .col_expr(
            user::Column::SessionVersion,
            Expr::col(user::Column::SessionVersion).add(1),
        )
        .filter(user::Column::RoleId.eq(role_id))
        .exec(&txn)
        .await?
        .rows_affected;
    role::Entity::delete_by_id(role_id).exec(&txn).await?;
    ensure_role_managers_remain(&txn).await?;
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    audit::record(
        &txn,
        &actor_ref,
        "role.delete",
        "role",
        role_id,
        Some(role_json(&existing, &permissions)),
        Some(json!({ "users_moved_to_default": moved })),
    )
    .await?;
    txn.commit().await?;
    Ok(moved)
}
