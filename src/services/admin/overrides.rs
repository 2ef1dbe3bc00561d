//! One account's own grants and denials: an administrator with "Manage roles" grants or denies
//! one permission to one account, with a reason and, if they like, an expiry, or removes it.
//! Under the admin lock, the subset rule (only a permission the actor holds, only an account
//! that holds nothing the actor lacks, never the actor's own) and the guard rails, audited with
//! the expiry, so the log tells when a grant lapses.

use chrono::{DateTime, Utc};
use entity::enums::{OverrideEffect, Permission};
use entity::permission_override;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::json;

use super::preview::{Holdings, Plan, Planned, Scope, compare, finish};
use super::users::account_within;
use super::{Acting, acting, begin_admin_change, ensure_role_managers_remain, refused};
use crate::domain::CurrentUser;
use crate::services::ServiceError;
use crate::services::accounts::RoleGraph;
use crate::services::audit::{self, Actor};

/// The longest reason kept.
pub const REASON_CHARS: usize = 200;

/// A grant or denial to make.
#[derive(Clone, Debug)]
pub struct OverrideInput {
    pub permission: Permission,
    pub effect: OverrideEffect,
    /// Why (shown on the account's page and in the audit log): 1 to 200 characters.
    pub reason: String,
    /// Until when it counts; none: until removed.
    pub expires_at: Option<DateTime<Utc>>,
}

pub(super) fn override_json(o: &permission_override::Model) -> serde_json::Value {
    json!({
        "permission": o.permission.as_str(),
        "effect": o.effect.as_str(),
        "reason": o.reason,
        "expires_at": o.expires_at,
    })
}

/// Opens a change to `user_id`'s overrides of `permission`: the lock, the actor as they are
/// now, and the account, which must hold nothing the actor lacks and not be the actor's own.
async fn begin_override_change<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    user_id: i32,
    permission: Permission,
) -> Result<(C::Transaction, entity::user::Model), ServiceError> {
    actor.require(Permission::ManageRoles)?;
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageRoles).await?;
    if !held.contains(&permission) {
        return Err(refused(format!(
            "You can only grant or deny permissions you hold yourself: “{}” is not one of them.",
            permission.label()
        )));
    }
    let target = account_within(&txn, &held, user_id, |name, missing| {
        format!(
            "You cannot change {name}'s permissions: they hold permissions you do not hold ({missing})."
        )
    })
    .await?;
    if target.id == actor.id {
        return Err(refused(
            "You cannot grant or deny yourself permissions; ask another administrator.".into(),
        ));
    }
    Ok((txn, target))
}

/// Grants or denies `input.permission` to account `user_id`, replacing any override of that
/// permission it has.
pub async fn set_override(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    user_id: i32,
    input: OverrideInput,
    plan: &Plan,
) -> Result<Planned<permission_override::Model>, ServiceError> {
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > REASON_CHARS {
        return Err(ServiceError::invalid(
            "reason",
            format!("Say why, in 1 to {REASON_CHARS} characters."),
        ));
    }
    let now = Utc::now();
    if input.expires_at.is_some_and(|until| until <= now) {
        return Err(ServiceError::invalid(
            "expires_at",
            "Choose an expiry in the future, or none.",
        ));
    }
    let (txn, target) = begin_override_change(db, actor, user_id, input.permission).await?;
    let (graph, scope) = (RoleGraph::load(&txn).await?, Scope::users([target.id]));
    let accounts = Holdings::read(&txn, &scope).await?;
    let existing = permission_override::Entity::find()
        .filter(permission_override::Column::UserId.eq(target.id))
        .filter(permission_override::Column::Permission.eq(input.permission))
        .one(&txn)
        .await?;
    let before = existing.as_ref().map(override_json);
    let mut row = match existing {
        Some(found) => found.into(),
        None => permission_override::ActiveModel {
            user_id: Set(target.id),
            permission: Set(input.permission),
            ..Default::default()
        },
    };
    row.effect = Set(input.effect);
    row.reason = Set(reason);
    row.granted_by_id = Set(Some(actor.id));
    row.created_at = Set(now);
    row.expires_at = Set(input.expires_at);
    let saved = match row.id.is_unchanged() {
        true => row.update(&txn).await?,
        false => row.insert(&txn).await?,
    };
    ensure_role_managers_remain(&txn).await?;
    let after = Some(override_json(&saved));
    let preview = compare(
        &txn,
        (&accounts, &graph),
        (&Holdings::read(&txn, &scope).await?, &graph),
        &json!([target.id, before, after]),
    )
    .await?;
    audit::record(
        &txn,
        &Actor::of(actor, ip),
        "user.override",
        "user",
        target.id,
        before,
        after,
    )
    .await?;
    finish(txn, plan, preview, saved).await
}

/// Removes account `user_id`'s override of `permission` (404 when it has none).
pub async fn remove_override(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    user_id: i32,
    permission: Permission,
    plan: &Plan,
) -> Result<Planned<()>, ServiceError> {
    let (txn, target) = begin_override_change(db, actor, user_id, permission).await?;
    let (graph, scope) = (RoleGraph::load(&txn).await?, Scope::users([target.id]));
    let accounts = Holdings::read(&txn, &scope).await?;
    let existing = permission_override::Entity::find()
        .filter(permission_override::Column::UserId.eq(target.id))
        .filter(permission_override::Column::Permission.eq(permission))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    permission_override::Entity::delete_by_id(existing.id)
        .exec(&txn)
        .await?;
    ensure_role_managers_remain(&txn).await?;
    let before = override_json(&existing);
    let preview = compare(
        &txn,
        (&accounts, &graph),
        (&Holdings::read(&txn, &scope).await?, &graph),
        &json!([target.id, before, null]),
    )
    .await?;
    audit::record(
        &txn,
        &Actor::of(actor, ip),
        "user.override_remove",
        "user",
        target.id,
        Some(before),
        None,
    )
    .await?;
    finish(txn, plan, preview, ()).await
}

/// An account's permissions as its admin page shows them: what it holds and why, its
/// overrides (in force or lapsed), and the names the reasons refer to.
#[derive(Clone, Debug, Default)]
pub struct AccountPermissions {
    pub effective: crate::services::accounts::Effective,
    pub overrides: Vec<permission_override::Model>,
    pub role_names: std::collections::BTreeMap<i32, String>,
    /// Who made each override, by user id.
    pub grantors: std::collections::BTreeMap<i32, String>,
}

/// What `account` holds and why (four statements: the graph with its overrides, the role
/// names, the overrides' authors).
pub async fn account_permissions(
    db: &impl ConnectionTrait,
    account: &entity::user::Model,
) -> Result<AccountPermissions, sea_orm::DbErr> {
    let (graph, overrides) = crate::services::accounts::permissions::load(db, account.id).await?;
    let effective = crate::services::accounts::effective(
        &graph,
        account.role_id,
        account.email_verified_at.is_some(),
        &overrides,
        Utc::now(),
    );
    let role_names = entity::role::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let authors: Vec<i32> = overrides.iter().filter_map(|o| o.granted_by_id).collect();
    let grantors = if authors.is_empty() {
        Default::default()
    } else {
        entity::user::Entity::find()
            .filter(entity::user::Column::Id.is_in(authors))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.username))
            .collect()
    };
    let mut overrides = overrides;
    overrides.sort_by_key(|o| o.permission);
    Ok(AccountPermissions {
        effective,
        overrides,
        role_names,
        grantors,
    })
}
