//! The admin area's queries and changes: roles with permissions, users' roles and active flags,
//! and the dashboard counts ([`roles`], [`users`], [`dashboard`]; re-exported here). The guard
//! rails both use live in this module.
//!
//! One rule keeps privileges from growing: **an actor may make a change only if no account
//! gains a permission the actor lacks, and no account that holds a permission the actor lacks
//! is changed at all.** Permissions are the effective ones (`accounts::permissions`): a role's
//! own and those of the roles it includes, an account's grants and denials. So a role may be
//! created, changed, included, deleted or assigned only when it holds, before and after, none
//! of the actor's missing permissions, and so must every role that includes it; an account may
//! be changed only when it holds none. Making a role the default assigns it to every future
//! account, and deleting a role assigns the default role to its users, so both count as
//! assigning. The actor's permissions are read again inside the change's transaction, not
//! taken from the start of the request.
//!
//! Guard rails, checked inside the same transaction as the change:
//! - at least one active user can always manage roles, without counting a grant that will
//!   expire nor anyone a denial takes it from;
//! - admins cannot change their own role or active flag, nor strip `manage_roles` from the
//!   role they hold;
//! - there is exactly one default role.
//!
//! Every change here runs under one lock ([`begin_admin_change`]): on PostgreSQL and MySQL the
//! role rows are locked `FOR UPDATE` first, on SQLite the transaction is `IMMEDIATE`. Two
//! administrators acting at the same moment therefore run one after the other, and the second
//! sees the first's result when its guard rails are checked.
mod bulk;
mod dashboard;
mod history;
mod overrides;
mod preview;
mod roles;
mod users;

pub use bulk::{BulkAction, BulkReport, MAX_NAMED, Selection, bulk_change};
pub use dashboard::{Dashboard, dashboard};
pub use history::{RoleState, RoleVersion, revert_role, role_history};
pub use overrides::{
    AccountPermissions, OverrideInput, account_permissions, remove_override, set_override,
};
pub use preview::{AccountChange, Plan, Planned, Preview, Refusal};
pub use roles::{
    RoleInput, RoleRow, create_role, delete_role, list_roles, role_row, role_version, update_role,
};
pub use users::{
    UserChanges, UserFilter, UserRow, UserSort, account_version, account_with_role, list_users,
    send_reset_link, set_role_by_name, update_user,
};

use std::collections::BTreeSet;

use entity::enums::{OverrideEffect, Permission};
use entity::{permission_override, role, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::ServiceError;
use super::accounts::permissions::{RoleGraph, effective_of};
use crate::domain::CurrentUser;

/// A guard rail refused the change (a 409 with the reason above the form).
fn refused(message: String) -> ServiceError {
    ServiceError::conflict(message)
}

/// Active users who hold `manage_roles` for good: through a role that has it or includes one
/// that has it, without a denial in force; or by a grant that does not expire.
async fn role_managers(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use permission_override::Column as O;
    let graph = RoleGraph::load(db).await?;
    let roles: Vec<i32> = graph
        .roles()
        .into_iter()
        .filter(|r| graph.permissions(*r).contains(&Permission::ManageRoles))
        .collect();
    let overrides = |effect: OverrideEffect| {
        Query::select()
            .column(O::UserId)
            .from(permission_override::Entity)
            .and_where(Expr::col(O::Permission).eq(Permission::ManageRoles))
            .and_where(Expr::col(O::Effect).eq(effect))
            .to_owned()
    };
    let mut denied = overrides(OverrideEffect::Deny);
    denied.and_where(
        Expr::col(O::ExpiresAt)
            .is_null()
            .or(Expr::col(O::ExpiresAt).gt(chrono::Utc::now())),
    );
    let mut lasting_grant = overrides(OverrideEffect::Grant);
    lasting_grant.and_where(Expr::col(O::ExpiresAt).is_null());
    user::Entity::find()
        .filter(user::Column::IsActive.eq(true))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(user::Column::RoleId.is_in(roles))
                        .add(user::Column::Id.not_in_subquery(denied)),
                )
                .add(user::Column::Id.in_subquery(lasting_grant)),
        )
        .count(db)
        .await
}

async fn ensure_role_managers_remain(db: &impl ConnectionTrait) -> Result<(), ServiceError> {
    if role_managers(db).await? == 0 {
        return Err(refused(
            "That would leave nobody able to manage roles; keep at least one active user with the “Manage roles” permission."
                .into(),
        ));
    }
    Ok(())
}

/// Starts an admin change: a write transaction that holds the admin lock (see the module doc).
async fn begin_admin_change<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    let txn = super::begin_write(db).await?;
    role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .order_by_asc(role::Column::Id)
        .lock_exclusive()
        .into_tuple::<i32>()
        .all(&txn)
        .await?;
    Ok(txn)
}

/// The actor as they are now (read inside the change's transaction).
struct Acting {
    role_id: i32,
    held: BTreeSet<Permission>,
}

/// The actor's role and permissions as they are now (within those of the request: a token's
/// scopes), provided the account is still active and
/// holds `needed`.
async fn acting(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    needed: Permission,
) -> Result<Acting, ServiceError> {
    let me = user::Entity::find_by_id(actor.id)
        .one(db)
        .await?
        .filter(|me| me.is_active)
        .ok_or_else(|| refused("Your account can no longer make this change.".into()))?;
    // What the actor holds now, and no more than they came with: a personal access token's
    // scopes narrow it, and a permission gained mid-request does not count yet.
    let held: BTreeSet<Permission> = effective_of(db, &me)
        .await?
        .permissions()
        .into_iter()
        .filter(|p| actor.can(*p))
        .collect();
    if !held.contains(&needed) {
        return Err(refused(format!(
            "You no longer hold the “{}” permission.",
            needed.label()
        )));
    }
    Ok(Acting {
        role_id: me.role_id,
        held,
    })
}

/// What `account` holds, or will once its address is confirmed: the guard rails protect an
/// account by what its role and overrides give it, verified or not.
async fn attainable(
    db: &impl ConnectionTrait,
    account: &user::Model,
) -> Result<BTreeSet<Permission>, DbErr> {
    let (graph, overrides) = super::accounts::permissions::load(db, account.id).await?;
    Ok(super::accounts::effective(
        &graph,
        account.role_id,
        true,
        &overrides,
        chrono::Utc::now(),
    )
    .permissions())
}

/// The labels of the permissions in `wanted` that `held` lacks, or `None` when `wanted` is a
/// subset of `held`.
fn beyond(held: &BTreeSet<Permission>, wanted: &BTreeSet<Permission>) -> Option<String> {
    let missing: Vec<&str> = wanted.difference(held).map(|p| p.label()).collect();
    (!missing.is_empty()).then(|| missing.join(", "))
}

/// Refuses unless `wanted` is a subset of `held`; `message` gets the missing labels.
fn within(
    held: &BTreeSet<Permission>,
    wanted: &BTreeSet<Permission>,
    message: impl FnOnce(&str) -> String,
) -> Result<(), ServiceError> {
    match beyond(held, wanted) {
        None => Ok(()),
        Some(missing) => Err(refused(message(&missing))),
    }
}

fn grant_refusal(missing: &str) -> String {
    format!("You cannot grant permissions you do not hold yourself: {missing}.")
}
