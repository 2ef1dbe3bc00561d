//! One change to many accounts at once: set their role, grant, deny or remove one permission,
//! deactivate or reactivate them, end their sessions, or mail them a password-reset link. The accounts are chosen by id or as
//! "every account matching this filter". Each account goes through the same rules as when it is
//! changed alone. The accounts a rule protects (the actor's own, those holding a permission the
//! actor lacks) are left alone and listed with the reason. The others change in one
//! transaction, each with its own audit entry. The change is previewed and confirmed like any
//! other.
//!
//! The statements do not grow with the selection: the accounts and their overrides are read
//! in two, and each write is one statement per thousand accounts.

use std::collections::BTreeSet;

use chrono::Utc;
use entity::enums::Permission;
use entity::{permission_override, role, user, user_session};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::{Value, json};

use super::overrides::{OverrideInput, REASON_CHARS, override_json};
use super::preview::{Holdings, Plan, Planned, Refusal, Scope, compare, finish};
use super::{Acting, UserFilter, acting, begin_admin_change, beyond, ensure_role_managers_remain};
use crate::domain::CurrentUser;
use crate::services::ServiceError;
use crate::services::accounts::{RoleGraph, links};
use crate::services::audit::{self, Actor};

/// The most accounts one request may name by id (a filter may match any number).
pub const MAX_NAMED: usize = 1_000;

/// Accounts written per statement.
const CHUNK: usize = 1_000;

/// What to do to every selected account.
#[derive(Clone, Debug)]
pub enum BulkAction {
    SetRole(i32),
    Override(OverrideInput),
    RemoveOverride(Permission),
    SetActive(bool),
    EndSessions,
    /// Mail each a link to choose a new password (never to a deactivated account, nor past
    /// the hourly limit a member asking for one meets).
    SendResetLink,
}

impl BulkAction {
    /// The permission the action needs (besides the subset rule).
    fn needs(&self) -> Permission {
        match self {
            BulkAction::Override(_) | BulkAction::RemoveOverride(_) => Permission::ManageRoles,
            _ => Permission::ManageUsers,
        }
    }

    /// The permission whose override the action touches, if any.
    fn permission(&self) -> Option<Permission> {
        match self {
            BulkAction::Override(input) => Some(input.permission),
            BulkAction::RemoveOverride(permission) => Some(*permission),
            _ => None,
        }
    }

    fn describe(&self) -> Value {
        match self {
            BulkAction::SetRole(role) => json!({ "set_role": role }),
            BulkAction::Override(input) => json!({
                "override": input.permission.as_str(),
                "effect": input.effect.as_str(),
                "reason": input.reason.trim(),
                "expires_at": input.expires_at,
            }),
            BulkAction::RemoveOverride(permission) => {
                json!({ "remove_override": permission.as_str() })
            }
            BulkAction::SetActive(active) => json!({ "set_active": active }),
            BulkAction::EndSessions => json!("end_sessions"),
            BulkAction::SendResetLink => json!("send_reset_link"),
        }
    }
}

/// Which accounts: these ids, or every account the filter matches when the action runs.
#[derive(Clone, Debug)]
pub enum Selection {
    Accounts(BTreeSet<i32>),
    Matching(UserFilter),
}

impl Selection {
    fn scope(&self) -> Scope {
        match self {
            Selection::Accounts(ids) => Scope::users(ids.iter().copied()),
            Selection::Matching(filter) => Scope {
                matching: Some(filter.condition()),
                ..Scope::default()
            },
        }
    }
}

/// What a bulk action did: how many accounts it changed (those already as asked are left as
/// they are) and the ones it left alone, with why.
#[derive(Clone, Debug, Default)]
pub struct BulkReport {
    pub changed: usize,
    pub refused: Vec<Refusal>,
}

/// Checks the action as a whole, before any account: the role or permission it hands out must
/// be the actor's own. Returns the name of the role it assigns, if it assigns one.
async fn check_action(
    db: &impl ConnectionTrait,
    action: &BulkAction,
    held: &BTreeSet<Permission>,
    graph: &RoleGraph,
) -> Result<String, ServiceError> {
    match action {
        BulkAction::SetRole(role_id) => {
            let role = role::Entity::find_by_id(*role_id)
                .one(db)
                .await?
                .ok_or_else(|| {
                    ServiceError::invalid("role_id", "Choose one of the listed roles.")
                })?;
            if let Some(missing) = beyond(held, &graph.permissions(*role_id)) {
                return Err(ServiceError::conflict(format!(
                    "You cannot assign the role “{}”: it has permissions you do not hold ({missing}).",
                    role.name
                )));
            }
            return Ok(role.name);
        }
        BulkAction::Override(OverrideInput {
            permission,
            reason,
            expires_at,
            ..
        }) => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > REASON_CHARS {
                return Err(ServiceError::invalid(
                    "reason",
                    format!("Say why, in 1 to {REASON_CHARS} characters."),
                ));
            }
            if expires_at.is_some_and(|until| until <= Utc::now()) {
                return Err(ServiceError::invalid(
                    "expires_on",
                    "Choose an expiry in the future, or none.",
                ));
            }
            owned(held, *permission)?;
        }
        BulkAction::RemoveOverride(permission) => owned(held, *permission)?,
        BulkAction::SetActive(_) | BulkAction::EndSessions | BulkAction::SendResetLink => {}
    }
    Ok(String::new())
}

/// Ends the sessions of these accounts and makes any session cookie they hold stale.
async fn end_sessions(db: &impl ConnectionTrait, ids: &[i32]) -> Result<(), DbErr> {
    user_session::Entity::delete_many()
        .filter(user_session::Column::UserId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::SessionVersion,
            Expr::col(user::Column::SessionVersion).add(1),
        )
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

type Entry = (String, Option<Value>, Option<Value>);

/// Writes `action` for the `allowed` accounts, each write one statement per thousand accounts,
/// with an audit entry for every account it changes; returns how many it changed.
async fn apply(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &BulkAction,
    role_name: &str,
    allowed: &[i32],
    before: &Holdings,
) -> Result<usize, DbErr> {
    let permission = action.permission();
    let state = |id: &i32| before.role_and_override(*id, permission);
    let (name, entries): (&str, Vec<Entry>) = match action {
        BulkAction::SetRole(role_id) => {
            let moving: Vec<(i32, i32)> = allowed
                .iter()
                .filter_map(|id| state(id).map(|(role, _)| (*id, role)))
                .filter(|(_, role)| role != role_id)
                .collect();
            let ids: Vec<i32> = moving.iter().map(|(id, _)| *id).collect();
            for chunk in ids.chunks(CHUNK) {
                end_sessions(db, chunk).await?;
                user::Entity::update_many()
                    .col_expr(user::Column::RoleId, Expr::value(*role_id))
                    .filter(user::Column::Id.is_in(chunk.iter().copied()))
                    .exec(db)
                    .await?;
            }
            let entries = moving
                .into_iter()
                .map(|(id, was)| {
                    (
                        id.to_string(),
                        Some(json!({ "role_id": was })),
                        Some(json!({ "role_id": role_id, "role": role_name, "bulk": true })),
                    )
                })
                .collect();
            ("user.update", entries)
        }
        BulkAction::SetActive(active) => {
            let allowed: BTreeSet<i32> = allowed.iter().copied().collect();
            let ids: Vec<i32> = before
                .accounts()
                .filter(|(id, _, is_active)| is_active != active && allowed.contains(id))
                .map(|(id, _, _)| id)
                .collect();
            for chunk in ids.chunks(CHUNK) {
                end_sessions(db, chunk).await?;
                user::Entity::update_many()
                    .col_expr(user::Column::IsActive, Expr::value(*active))
                    .filter(user::Column::Id.is_in(chunk.iter().copied()))
                    .exec(db)
                    .await?;
            }
            let entries = ids
                .into_iter()
                .map(|id| {
                    (
                        id.to_string(),
                        Some(json!({ "is_active": !active })),
                        Some(json!({ "is_active": active, "bulk": true })),
                    )
                })
                .collect();
            ("user.update", entries)
        }
        BulkAction::EndSessions => {
            for chunk in allowed.chunks(CHUNK) {
                end_sessions(db, chunk).await?;
            }
            let entries = allowed
                .iter()
                .map(|id| {
                    (
                        id.to_string(),
                        None,
                        Some(json!({ "sessions": "ended", "bulk": true })),
                    )
                })
                .collect();
            ("user.sessions_end", entries)
        }
        BulkAction::Override(input) => {
            let now = Utc::now();
            for chunk in allowed.chunks(CHUNK) {
                permission_override::Entity::delete_many()
                    .filter(permission_override::Column::UserId.is_in(chunk.iter().copied()))
                    .filter(permission_override::Column::Permission.eq(input.permission))
                    .exec(db)
                    .await?;
                permission_override::Entity::insert_many(chunk.iter().map(|id| {
                    permission_override::ActiveModel {
                        user_id: Set(*id),
                        permission: Set(input.permission),
                        effect: Set(input.effect),
                        reason: Set(input.reason.trim().to_owned()),
                        granted_by_id: Set(actor.id),
                        created_at: Set(now),
                        expires_at: Set(input.expires_at),
                        ..Default::default()
                    }
                }))
                .exec_without_returning(db)
                .await?;
            }
            let after = json!({
                "permission": input.permission.as_str(),
                "effect": input.effect.as_str(),
                "reason": input.reason.trim(),
                "expires_at": input.expires_at,
            });
            let entries = allowed
                .iter()
                .map(|id| {
                    let was = state(id).and_then(|(_, found)| found.map(override_json));
                    (id.to_string(), was, Some(after.clone()))
                })
                .collect();
            ("user.override", entries)
        }
        BulkAction::SendResetLink => {
            for chunk in allowed.chunks(CHUNK) {
                let accounts = user::Entity::find()
                    .filter(user::Column::Id.is_in(chunk.iter().copied()))
                    .all(db)
                    .await?;
                links::send_resets(db, &accounts).await?;
            }
            let entries = allowed
                .iter()
                .map(|id| (id.to_string(), None, Some(json!({ "bulk": true }))))
                .collect();
            ("user.reset_link", entries)
        }
        BulkAction::RemoveOverride(permission) => {
            let holding: Vec<(i32, Value)> = allowed
                .iter()
                .filter_map(|id| {
                    state(id).and_then(|(_, found)| found.map(|o| (*id, override_json(o))))
                })
                .collect();
            let ids: Vec<i32> = holding.iter().map(|(id, _)| *id).collect();
            for chunk in ids.chunks(CHUNK) {
                permission_override::Entity::delete_many()
                    .filter(permission_override::Column::UserId.is_in(chunk.iter().copied()))
                    .filter(permission_override::Column::Permission.eq(*permission))
                    .exec(db)
                    .await?;
            }
            let entries = holding
                .into_iter()
                .map(|(id, was)| (id.to_string(), Some(was), None))
                .collect();
            ("user.override_remove", entries)
        }
    };
    let changed = entries.len();
    audit::record_many(db, actor, name, "user", entries).await?;
    Ok(changed)
}

fn owned(held: &BTreeSet<Permission>, permission: Permission) -> Result<(), ServiceError> {
    if held.contains(&permission) {
        Ok(())
    } else {
        Err(ServiceError::conflict(format!(
            "You can only grant or deny permissions you hold yourself: “{}” is not one of them.",
            permission.label()
        )))
    }
}

/// Applies `action` to the selected accounts the rules allow (see the module doc).
pub async fn bulk_change(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    selection: &Selection,
    action: &BulkAction,
    plan: &Plan,
) -> Result<Planned<BulkReport>, ServiceError> {
    actor.require(action.needs())?;
    if let Selection::Accounts(ids) = selection {
        if ids.is_empty() {
            return Err(ServiceError::invalid(
                "users",
                "Select at least one account.",
            ));
        }
        if ids.len() > MAX_NAMED {
            return Err(ServiceError::invalid(
                "users",
                format!("Select at most {MAX_NAMED} accounts by name, or all that match a filter."),
            ));
        }
    }
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, action.needs()).await?;
    let graph = RoleGraph::load(&txn).await?;
    let role_name = check_action(&txn, action, &held, &graph).await?;
    let scope = selection.scope();
    let before = Holdings::read(&txn, &scope).await?;
    let throttled = match action {
        BulkAction::SendResetLink => {
            let ids: Vec<i32> = before.accounts().map(|(id, _, _)| id).collect();
            let mut found = BTreeSet::new();
            for chunk in ids.chunks(CHUNK) {
                found.extend(links::reset_throttled(&txn, chunk).await?);
            }
            found
        }
        _ => BTreeSet::new(),
    };
    let mut refused = Vec::new();
    let mut allowed = Vec::new();
    for (id, username, is_active) in before.accounts() {
        let reason = if id == actor.id {
            Some("This is your own account; ask another administrator.".to_owned())
        } else if let Some(missing) = beyond(&held, &before.attainable(id, &graph)) {
            Some(format!("It holds permissions you do not hold ({missing})."))
        } else if matches!(action, BulkAction::SendResetLink) && !is_active {
            Some("This account is deactivated: activate it first.".to_owned())
        } else if throttled.contains(&id) {
            Some(
                "Several reset links went to this account in the last hour: it should use one."
                    .to_owned(),
            )
        } else {
            None
        };
        match reason {
            Some(reason) => refused.push(Refusal {
                user_id: id,
                username: username.to_owned(),
                reason,
            }),
            None => allowed.push(id),
        }
    }
    let changed = apply(
        &txn,
        &Actor::of(actor, ip),
        action,
        &role_name,
        &allowed,
        &before,
    )
    .await?;
    ensure_role_managers_remain(&txn).await?;
    let after = before.reread(&txn).await?;
    let subject = json!([action.describe(), allowed, refused]);
    let mut preview = compare(&txn, (&before, &graph), (&after, &graph), &subject).await?;
    preview.refused = refused.clone();
    finish(txn, plan, preview, BulkReport { changed, refused }).await
}
