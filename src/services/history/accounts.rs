//! An account's history (`manage_users`): every audited change to its role, its active flag,
//! its grants and denials and its sessions, by whom and when. Accounts are not reverted from
//! here: a role or an override is changed again through the account page, under its preview.

use std::collections::BTreeMap;

use entity::enums::{OverrideEffect, Permission};
use entity::{role, user};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};
use serde_json::Value;

use super::{Differ, FieldChange, Version, entries};
use crate::domain::CurrentUser;
use crate::services::ServiceError;

fn role_of(state: &Value, roles: &BTreeMap<i32, String>) -> Option<String> {
    state
        .get("role")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            let id = i32::try_from(state.get("role_id")?.as_i64()?).ok()?;
            Some(roles.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
        })
}

/// A grant or denial in words: "grant Manage movies until 2026-12-13 14:00 UTC (cover)".
fn override_of(state: &Value) -> String {
    let Some(permission) = state.get("permission").and_then(Value::as_str) else {
        return "none".into();
    };
    let label = Permission::parse(permission).map_or(permission, |p| p.label());
    let effect = match state
        .get("effect")
        .and_then(Value::as_str)
        .and_then(OverrideEffect::parse)
    {
        Some(OverrideEffect::Deny) => "deny",
        _ => "grant",
    };
    let until = state
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map(|at| format!(" until {}", at.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    let reason = state
        .get("reason")
        .and_then(Value::as_str)
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    format!("{effect} “{label}”{until}{reason}")
}

fn changes(before: &Value, after: &Value, roles: &BTreeMap<i32, String>) -> Vec<FieldChange> {
    let mut differ = Differ::default();
    let (was_role, is_role) = (role_of(before, roles), role_of(after, roles));
    if was_role.is_some() || is_role.is_some() {
        let shown = |r: Option<String>| r.unwrap_or_else(|| "—".into());
        differ.note("Role", shown(was_role), shown(is_role));
    }
    let active = |v: &Value| match v.get("is_active").and_then(Value::as_bool) {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => "—".to_owned(),
    };
    if before.get("is_active").is_some() || after.get("is_active").is_some() {
        differ.note("Active", active(before), active(after));
    }
    if before.get("permission").is_some() || after.get("permission").is_some() {
        differ.note("Override", override_of(before), override_of(after));
    }
    if after.get("sessions").is_some() {
        differ.note("Sessions", "signed in".into(), "all ended".into());
    }
    differ.done()
}

/// Every audited change to account `user_id`, newest first (`manage_users`; four statements).
pub async fn account_history(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    user_id: i32,
) -> Result<(user::Model, Vec<Version<()>>), ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let account = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let found = entries(db, "user", user_id, "user.").await?;
    let roles: BTreeMap<i32, String> = role::Entity::find()
        .select_only()
        .columns([role::Column::Id, role::Column::Name])
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let parse = |json: Option<&str>| {
        json.and_then(|j| serde_json::from_str::<Value>(j).ok())
            .unwrap_or(Value::Null)
    };
    let versions = found
        .into_iter()
        .enumerate()
        .map(|(index, (entry, actor))| Version {
            entry_id: entry.id,
            changes: changes(
                &parse(entry.before.as_deref()),
                &parse(entry.after.as_deref()),
                &roles,
            ),
            actor,
            at: entry.created_at,
            current: index == 0,
            state: None,
            action: entry.action,
        })
        .collect();
    Ok((account, versions))
}
