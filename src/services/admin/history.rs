//! A role's history: every audited change to it, newest first, each with who made it, when,
//! and what it changed; and reverting the role to the state a change left it in. A revert is a
//! role change like any other: the same function as an edit, under today's rules (the subset
//! rule, the guard rails), previewed first, audited as `role.revert`.

use std::collections::{BTreeMap, BTreeSet};

use entity::enums::Permission;
use entity::{audit_log, role};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use serde::Deserialize;

use super::RoleInput;
use super::preview::{Plan, Planned};
use crate::domain::{CurrentUser, Description, RoleName};
use crate::services::ServiceError;
use crate::services::history::{Differ, FieldChange, Version, entries, listed};

/// A role as an audit entry records it (`role_json`); entries written before inclusions
/// existed have none.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct RoleState {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub includes: Vec<i32>,
}

impl RoleState {
    fn of(json: Option<&str>) -> Option<RoleState> {
        serde_json::from_str(json?).ok()
    }

    fn permissions(&self) -> BTreeSet<Permission> {
        self.permissions
            .iter()
            .filter_map(|p| Permission::parse(p))
            .collect()
    }
}

/// One audited change to a role.
pub type RoleVersion = Version<RoleState>;

/// What changed between two states of a role, in words (role names from `names`).
pub fn changes(
    before: Option<&RoleState>,
    after: Option<&RoleState>,
    names: &BTreeMap<i32, String>,
) -> Vec<FieldChange> {
    let empty = RoleState::default();
    let (was, is) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut differ = Differ::default();
    let mut note = |field, before: String, after: String| differ.note(field, before, after);
    note("Name", was.name.clone(), is.name.clone());
    note(
        "Description",
        was.description.clone(),
        is.description.clone(),
    );
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    if before.is_some() && after.is_some() {
        note(
            "Default role",
            yes_no(was.is_default),
            yes_no(is.is_default),
        );
    }
    let label = |set: BTreeSet<Permission>| listed(set.into_iter().map(|p| p.label().to_owned()));
    note(
        "Permissions",
        label(was.permissions()),
        label(is.permissions()),
    );
    let role = |id: &i32| names.get(id).cloned().unwrap_or_else(|| format!("#{id}"));
    let included = |state: &RoleState| {
        let ids: BTreeSet<i32> = state.includes.iter().copied().collect();
        listed(ids.iter().map(role))
    };
    note("Includes", included(was), included(is));
    differ.done()
}

/// Every audited change to role `role_id`, newest first (three statements: the entries with
/// their actors' names, and the role names the inclusions refer to).
pub async fn role_history(
    db: &impl ConnectionTrait,
    role_id: i32,
) -> Result<Vec<RoleVersion>, DbErr> {
    let found = entries(db, "role", role_id, "role.").await?;
    let names: BTreeMap<i32, String> = role::Entity::find()
        .select_only()
        .columns([role::Column::Id, role::Column::Name])
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(found
        .into_iter()
        .enumerate()
        .map(|(index, (entry, actor))| {
            let before = RoleState::of(entry.before.as_deref());
            let after = RoleState::of(entry.after.as_deref());
            RoleVersion {
                entry_id: entry.id,
                changes: changes(before.as_ref(), after.as_ref(), &names),
                actor,
                at: entry.created_at,
                current: index == 0,
                state: after,
                action: entry.action,
            }
        })
        .collect())
}

/// The role input that restores `state`. A permission this release no longer knows is left
/// out; an included role that was deleted since is refused by the edit's own check.
fn restore(state: &RoleState) -> Result<RoleInput, ServiceError> {
    Ok(RoleInput {
        name: RoleName::parse(&state.name).map_err(|e| ServiceError::invalid("name", e))?,
        description: Description::parse(&state.description)
            .map_err(|e| ServiceError::invalid("description", e))?,
        is_default: state.is_default,
        permissions: state.permissions(),
        includes: state.includes.iter().copied().collect(),
        opened_at: None,
    })
}

/// Reverts role `role_id` to the state audit entry `entry_id` left it in, as an edit by
/// `actor` (404 when the entry is not one of this role's versions).
pub async fn revert_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
    entry_id: i32,
    plan: &Plan,
) -> Result<Planned<role::Model>, ServiceError> {
    actor.require(Permission::ManageRoles)?;
    let entry = audit_log::Entity::find_by_id(entry_id)
        .filter(audit_log::Column::SubjectType.eq("role"))
        .filter(audit_log::Column::SubjectId.eq(role_id.to_string()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let state = RoleState::of(entry.after.as_deref()).ok_or(ServiceError::NotFound)?;
    super::roles::change_role(
        db,
        actor,
        ip,
        role_id,
        restore(&state)?,
        plan,
        Some(entry_id),
    )
    .await
}
