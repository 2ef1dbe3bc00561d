//! Seeing a change before it is saved. Every admin change runs one way: inside its
//! transaction, under the admin lock, with every guard rail. What the accounts it touches hold
//! is read before and after the writes. A preview then rolls the transaction back and reports
//! the difference. A confirmation commits only if the difference is still the one the
//! administrator saw. The preview and the change are one code path, so the preview cannot
//! promise what the change would not do, and a refusal shows up in the preview with its reason.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::Permission;
use entity::{permission_override, role, user};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession,
};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::services::ServiceError;
use crate::services::accounts::{RoleGraph, effective};

/// How far a change goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Apply it, whatever it does (the command line, and API calls that do not ask to confirm).
    Apply,
    /// Report what it would do and change nothing.
    Preview,
    /// Apply it if it still does what the preview with this digest showed.
    Confirm(String),
}

impl Plan {
    /// A form's `confirm` field: empty asks for a preview, a digest confirms one.
    pub fn from_form(confirm: &str) -> Plan {
        match confirm.trim() {
            "" => Plan::Preview,
            digest => Plan::Confirm(digest.to_owned()),
        }
    }
}

/// One account a change touches: what it gains and loses, and the role it moves to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountChange {
    pub user_id: i32,
    pub username: String,
    pub gains: Vec<Permission>,
    pub loses: Vec<Permission>,
    /// The role's name, when the change moves the account to another role.
    pub moves_to: Option<String>,
}

/// An account a bulk action leaves alone, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub user_id: i32,
    pub username: String,
    pub reason: String,
}

/// What a change does, and the digest a confirmation must quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// Every account whose permissions or role change, by username.
    pub accounts: Vec<AccountChange>,
    /// The accounts a bulk action leaves alone, with the reason (none for a single change,
    /// which is refused as a whole).
    pub refused: Vec<Refusal>,
    pub digest: String,
}

impl Preview {
    /// How many accounts move to another role.
    pub fn moves(&self) -> usize {
        self.accounts
            .iter()
            .filter(|a| a.moves_to.is_some())
            .count()
    }
}

/// The outcome of a planned change.
#[derive(Debug)]
pub enum Planned<T> {
    /// Nothing was changed; this is what confirming would do.
    Previewed(Preview),
    /// Nothing was changed: the change no longer does what was previewed. This is what it
    /// would do now.
    Stale(Preview),
    /// Saved; this is what it did.
    Applied(T, Preview),
}

impl<T> Planned<T> {
    /// The saved value, for callers that apply without a preview ([`Plan::Apply`] always
    /// applies; anything else is reported as a conflict).
    pub fn applied(self) -> Result<T, ServiceError> {
        match self {
            Planned::Applied(value, _) => Ok(value),
            Planned::Previewed(_) | Planned::Stale(_) => Err(ServiceError::conflict(
                "The change was not saved: confirm it again.",
            )),
        }
    }
}

/// The accounts whose holdings a change may alter: everyone in `roles`, `users`, and those
/// `matching` a condition (a bulk action's filter).
#[derive(Clone, Debug, Default)]
pub(super) struct Scope {
    pub roles: BTreeSet<i32>,
    pub users: BTreeSet<i32>,
    pub matching: Option<Condition>,
}

impl Scope {
    pub fn users(users: impl IntoIterator<Item = i32>) -> Scope {
        Scope {
            users: users.into_iter().collect(),
            ..Scope::default()
        }
    }

    fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.users.is_empty() && self.matching.is_none()
    }

    fn condition(&self) -> Condition {
        Condition::any()
            .add(user::Column::RoleId.is_in(self.roles.iter().copied()))
            .add(user::Column::Id.is_in(self.users.iter().copied()))
            .add_option(self.matching.clone())
    }
}

/// One account in a scope: its name, role and overrides.
#[derive(Clone, Debug)]
struct Account {
    username: String,
    role_id: i32,
    /// A deactivated account cannot sign in: it holds nothing.
    is_active: bool,
    overrides: Vec<permission_override::Model>,
}

/// The accounts in a scope, with what decides their permissions besides the role graph.
#[derive(Clone, Debug, Default)]
pub(super) struct Holdings(BTreeMap<i32, Account>);

impl Holdings {
    /// Reads the accounts in `scope` and their overrides (two statements).
    pub async fn read(db: &impl ConnectionTrait, scope: &Scope) -> Result<Holdings, DbErr> {
        if scope.is_empty() {
            return Ok(Holdings::default());
        }
        let accounts: Vec<(i32, String, i32, bool)> = user::Entity::find()
            .select_only()
            .columns([
                user::Column::Id,
                user::Column::Username,
                user::Column::RoleId,
                user::Column::IsActive,
            ])
            .filter(scope.condition())
            .into_tuple()
            .all(db)
            .await?;
        let in_scope = Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .cond_where(scope.condition())
            .to_owned();
        let mut overrides: BTreeMap<i32, Vec<permission_override::Model>> = BTreeMap::new();
        for found in permission_override::Entity::find()
            .filter(permission_override::Column::UserId.in_subquery(in_scope))
            .order_by_asc(permission_override::Column::Id)
            .all(db)
            .await?
        {
            overrides.entry(found.user_id).or_default().push(found);
        }
        Ok(Holdings(
            accounts
                .into_iter()
                .map(|(id, username, role_id, is_active)| {
                    let overrides = overrides.remove(&id).unwrap_or_default();
                    (
                        id,
                        Account {
                            username,
                            role_id,
                            is_active,
                            overrides,
                        },
                    )
                })
                .collect(),
        ))
    }

    /// The same accounts read again (after a change), a thousand per statement pair: by id,
    /// since a change may take them out of the filter that chose them.
    pub async fn reread(&self, db: &impl ConnectionTrait) -> Result<Holdings, DbErr> {
        let ids: Vec<i32> = self.0.keys().copied().collect();
        let mut all = BTreeMap::new();
        for chunk in ids.chunks(1_000) {
            let Holdings(found) = Holdings::read(db, &Scope::users(chunk.iter().copied())).await?;
            all.extend(found);
        }
        Ok(Holdings(all))
    }

    /// The accounts, by id: their username, and whether they are active.
    pub fn accounts(&self) -> impl Iterator<Item = (i32, &str, bool)> {
        self.0
            .iter()
            .map(|(id, a)| (*id, a.username.as_str(), a.is_active))
    }

    /// Account `id`'s role and its override of `permission`, if any.
    pub fn role_and_override(
        &self,
        id: i32,
        permission: Option<Permission>,
    ) -> Option<(i32, Option<&permission_override::Model>)> {
        self.0.get(&id).map(|a| {
            let found = permission.and_then(|p| a.overrides.iter().find(|o| o.permission == p));
            (a.role_id, found)
        })
    }

    /// What account `id` holds under `graph`, or would once confirmed, active or not (what the
    /// subset rule protects).
    pub fn attainable(&self, id: i32, graph: &RoleGraph) -> BTreeSet<Permission> {
        self.0.get(&id).map_or_else(BTreeSet::new, |account| {
            effective(graph, account.role_id, true, &account.overrides, Utc::now()).permissions()
        })
    }

    /// The accounts of role `from`, by id.
    pub fn in_role(&self, from: i32) -> Vec<i32> {
        self.0
            .iter()
            .filter(|(_, account)| account.role_id == from)
            .map(|(id, _)| *id)
            .collect()
    }

    /// The same accounts with those in role `from` moved to role `to`.
    pub fn moved(&self, from: i32, to: i32) -> Holdings {
        let mut next = self.clone();
        for account in next.0.values_mut() {
            if account.role_id == from {
                account.role_id = to;
            }
        }
        next
    }

    /// What account `id` holds under `graph`, or would once its address is confirmed.
    fn held(&self, id: i32, graph: &RoleGraph, now: DateTime<Utc>) -> BTreeSet<Permission> {
        self.0
            .get(&id)
            .filter(|account| account.is_active)
            .map_or_else(BTreeSet::new, |account| {
                effective(graph, account.role_id, true, &account.overrides, now).permissions()
            })
    }
}

/// The difference between the accounts `before` (under its graph) and `after` (under its
/// graph), as a preview whose digest also covers `subject` (the changed object before and
/// after), so that a confirmation fails when the object changed in between even if no
/// account's permissions did. Reads the role names only when an account changes role.
pub(super) async fn compare(
    db: &impl ConnectionTrait,
    before: (&Holdings, &RoleGraph),
    after: (&Holdings, &RoleGraph),
    subject: &Value,
) -> Result<Preview, DbErr> {
    let now = Utc::now();
    let ids: BTreeSet<i32> = before.0.0.keys().chain(after.0.0.keys()).copied().collect();
    let mut accounts = Vec::new();
    let mut moves = Vec::new();
    for id in ids {
        let was = before.0.0.get(&id);
        let is = after.0.0.get(&id);
        let Some(username) = is.or(was).map(|a| a.username.clone()) else {
            continue;
        };
        let held_before = before.0.held(id, before.1, now);
        let held_after = after.0.held(id, after.1, now);
        let moved = match (was, is) {
            (Some(was), Some(is)) if was.role_id != is.role_id => Some(is.role_id),
            _ => None,
        };
        if held_before == held_after && moved.is_none() {
            continue;
        }
        if let Some(role_id) = moved {
            moves.push((accounts.len(), role_id));
        }
        accounts.push(AccountChange {
            user_id: id,
            username,
            gains: held_after.difference(&held_before).copied().collect(),
            loses: held_before.difference(&held_after).copied().collect(),
            moves_to: None,
        });
    }
    if !moves.is_empty() {
        let names: BTreeMap<i32, String> = role::Entity::find()
            .select_only()
            .columns([role::Column::Id, role::Column::Name])
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (index, role_id) in moves {
            if let Some(change) = accounts.get_mut(index) {
                change.moves_to = names.get(&role_id).cloned();
            }
        }
    }
    accounts.sort_by(|a, b| a.username.cmp(&b.username));
    let mut hasher = Sha256::new();
    hasher.update(subject.to_string());
    hasher.update(serde_json::to_string(&accounts).unwrap_or_default());
    let digest = URL_SAFE_NO_PAD.encode(&hasher.finalize()[..16]);
    Ok(Preview {
        accounts,
        refused: Vec::new(),
        digest,
    })
}

/// Ends a planned change: rolls it back for a preview or a stale confirmation, commits it
/// otherwise.
pub(super) async fn finish<T>(
    txn: impl TransactionSession,
    plan: &Plan,
    preview: Preview,
    value: T,
) -> Result<Planned<T>, ServiceError> {
    match plan {
        Plan::Preview => {
            txn.rollback().await?;
            Ok(Planned::Previewed(preview))
        }
        Plan::Confirm(digest) if *digest != preview.digest => {
            txn.rollback().await?;
            Ok(Planned::Stale(preview))
        }
        Plan::Apply | Plan::Confirm(_) => {
            txn.commit().await?;
            Ok(Planned::Applied(value, preview))
        }
    }
}
