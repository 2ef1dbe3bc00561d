//! What an account may do, and why. [`effective`] is the one function that decides it, for
//! every check (pages, the API, tokens' scopes, the admin area's guard rails):
//!
//! - its role's own permissions, and those of every role the role includes, transitively;
//! - plus its own grants, minus its own denials (a denial beats every grant and every role);
//! - an override past its expiry counts for nothing (no job removes it; it shows as lapsed);
//! - nothing at all until the account's address is confirmed.
//!
//! Its inputs, the role graph and the account's overrides, are read in one statement
//! ([`load`]): the role tables are an administrator's few rows, read whole.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use entity::enums::{OverrideEffect, Permission};
use entity::{permission_override, role_inclusion, role_permission, user};
use sea_orm::sea_query::{Expr, Query, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

/// Every role's own permissions and the roles it includes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleGraph {
    own: BTreeMap<i32, BTreeSet<Permission>>,
    includes: BTreeMap<i32, BTreeSet<i32>>,
}

impl RoleGraph {
    /// The graph from its rows.
    pub fn new(
        own: impl IntoIterator<Item = (i32, Permission)>,
        includes: impl IntoIterator<Item = (i32, i32)>,
    ) -> RoleGraph {
        let mut graph = RoleGraph::default();
        for (role, permission) in own {
            graph.own.entry(role).or_default().insert(permission);
        }
        for (role, included) in includes {
            graph.includes.entry(role).or_default().insert(included);
        }
        graph
    }

    /// Every role's permissions and inclusions, in two statements (the admin area's reads).
    pub async fn load(db: &impl ConnectionTrait) -> Result<RoleGraph, DbErr> {
        let own = role_permission::Entity::find().all(db).await?;
        let includes = role_inclusion::Entity::find().all(db).await?;
        Ok(RoleGraph::new(
            own.into_iter().map(|r| (r.role_id, r.permission)),
            includes
                .into_iter()
                .map(|r| (r.role_id, r.included_role_id)),
        ))
    }

    /// The permissions `role` is given itself.
    pub fn own(&self, role: i32) -> BTreeSet<Permission> {
        self.own.get(&role).cloned().unwrap_or_default()
    }

    /// The roles `role` includes directly.
    pub fn includes(&self, role: i32) -> BTreeSet<i32> {
        self.includes.get(&role).cloned().unwrap_or_default()
    }

    /// The graph with `role`'s own permissions and inclusions replaced: what a change would make.
    pub fn with_role(
        &self,
        role: i32,
        own: BTreeSet<Permission>,
        includes: BTreeSet<i32>,
    ) -> RoleGraph {
        let mut next = self.clone();
        next.own.insert(role, own);
        next.includes.insert(role, includes);
        next
    }

    /// The graph without `role` (deleted: it and every inclusion of it are gone).
    pub fn without_role(&self, role: i32) -> RoleGraph {
        let mut next = self.clone();
        next.own.remove(&role);
        next.includes.remove(&role);
        for included in next.includes.values_mut() {
            included.remove(&role);
        }
        next
    }

    /// The roles `role` reaches through inclusions, itself first, each with the chain of roles
    /// from `role` to it (breadth first: the shortest chain).
    fn reach(&self, role: i32) -> BTreeMap<i32, Vec<i32>> {
        let mut paths = BTreeMap::from([(role, vec![role])]);
        let mut queue = VecDeque::from([role]);
        while let Some(next) = queue.pop_front() {
            let path = paths.get(&next).cloned().unwrap_or_default();
            for included in self.includes(next) {
                if let std::collections::btree_map::Entry::Vacant(slot) = paths.entry(included) {
                    let mut longer = path.clone();
                    longer.push(included);
                    slot.insert(longer);
                    queue.push_back(included);
                }
            }
        }
        paths
    }

    /// Every permission `role` holds, each with the chain of roles it comes through (`[role]`
    /// for its own; `[role, included, …]` for one it includes).
    pub fn grants(&self, role: i32) -> BTreeMap<Permission, Vec<i32>> {
        let mut held: BTreeMap<Permission, Vec<i32>> = BTreeMap::new();
        let reach = self.reach(role);
        // Shorter chains first, so each permission names its nearest source.
        let mut by_length: Vec<&Vec<i32>> = reach.values().collect();
        by_length.sort_by_key(|path| path.len());
        for path in by_length {
            let Some(holder) = path.last() else { continue };
            for permission in self.own(*holder) {
                held.entry(permission).or_insert_with(|| path.clone());
            }
        }
        held
    }

    /// The permissions `role` holds, through its inclusions too.
    pub fn permissions(&self, role: i32) -> BTreeSet<Permission> {
        self.grants(role).into_keys().collect()
    }

    /// Every role that has a permission or an inclusion (a role with neither holds nothing).
    pub fn roles(&self) -> BTreeSet<i32> {
        self.own
            .keys()
            .chain(self.includes.keys())
            .copied()
            .collect()
    }

    /// A cycle through `role`: the roles in order, from `role` back to it.
    pub fn cycle_through(&self, role: i32) -> Option<Vec<i32>> {
        self.includes(role).into_iter().find_map(|first| {
            let mut path = self.reach(first).remove(&role)?;
            path.insert(0, role);
            Some(path)
        })
    }

    /// The roles whose permissions differ between `self` and `other`.
    pub fn changed_roles(&self, other: &RoleGraph) -> BTreeSet<i32> {
        self.roles()
            .union(&other.roles())
            .copied()
            .filter(|r| self.permissions(*r) != other.permissions(*r))
            .collect()
    }
}

/// Why an account holds a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Through its role: the chain of role ids, its own role first and the role that is given
    /// the permission last.
    Role(Vec<i32>),
    /// Its own grant.
    Grant(permission_override::Model),
}

/// An account's permissions with their reasons, and the overrides that take some away or no
/// longer count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effective {
    pub held: BTreeMap<Permission, Vec<Reason>>,
    /// Denials in force: each takes its permission away whatever gives it.
    pub denied: Vec<permission_override::Model>,
    /// Overrides past their expiry: they count for nothing.
    pub lapsed: Vec<permission_override::Model>,
}

impl Effective {
    pub fn permissions(&self) -> BTreeSet<Permission> {
        self.held.keys().copied().collect()
    }
}

/// The one rule: what an account in `role` with these `overrides` holds at `now`, and why.
/// `verified`: whether its address is confirmed (an account holds nothing until it is).
pub fn effective(
    graph: &RoleGraph,
    role: i32,
    verified: bool,
    overrides: &[permission_override::Model],
    now: DateTime<Utc>,
) -> Effective {
    let mut result = Effective::default();
    let (in_force, lapsed): (Vec<_>, Vec<_>) = overrides.iter().partition(|o| o.in_force(now));
    result.lapsed = lapsed.into_iter().cloned().collect();
    result.denied = in_force
        .iter()
        .filter(|o| o.effect == OverrideEffect::Deny)
        .map(|o| (*o).clone())
        .collect();
    if !verified {
        return result;
    }
    for (permission, path) in graph.grants(role) {
        result
            .held
            .entry(permission)
            .or_default()
            .push(Reason::Role(path));
    }
    for grant in in_force
        .iter()
        .filter(|o| o.effect == OverrideEffect::Grant)
    {
        result
            .held
            .entry(grant.permission)
            .or_default()
            .push(Reason::Grant((*grant).clone()));
    }
    for denial in &result.denied {
        result.held.remove(&denial.permission);
    }
    result
}

/// The role graph and `user_id`'s overrides, in one statement: three selects of one shape
/// under `UNION ALL` (the columns a row does not use are NULL).
pub async fn load(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<(RoleGraph, Vec<permission_override::Model>), DbErr> {
    use permission_override::Column as O;
    let null = || Expr::cust("NULL");
    // The overrides' select comes first: PostgreSQL types a UNION's columns pair by pair from
    // the left, and a NULL first would make every column text.
    let mut query = Query::select();
    query
        .expr(Expr::val("o"))
        .column(O::Id)
        .column(O::GrantedById)
        .column(O::Permission)
        .column(O::Effect)
        .column(O::Reason)
        .column(O::CreatedAt)
        .column(O::ExpiresAt)
        .from(permission_override::Entity)
        .and_where(O::UserId.eq(user_id));
    let permissions = Query::select()
        .expr(Expr::val("p"))
        .column(role_permission::Column::RoleId)
        .expr(null())
        .column(role_permission::Column::Permission)
        .expr(null())
        .expr(null())
        .expr(null())
        .expr(null())
        .from(role_permission::Entity)
        .to_owned();
    let inclusions = Query::select()
        .expr(Expr::val("i"))
        .column(role_inclusion::Column::RoleId)
        .column(role_inclusion::Column::IncludedRoleId)
        .expr(null())
        .expr(null())
        .expr(null())
        .expr(null())
        .expr(null())
        .from(role_inclusion::Entity)
        .to_owned();
    query
        .union(UnionType::All, permissions)
        .union(UnionType::All, inclusions);
    let rows = db.query_all(&query).await?;
    let mut own = Vec::new();
    let mut includes = Vec::new();
    let mut found = Vec::new();
    for row in rows {
        let kind: String = row.try_get_by_index(0)?;
        let a: i32 = row.try_get_by_index(1)?;
        let b: Option<i32> = row.try_get_by_index(2)?;
        let permission = row
            .try_get_by_index::<Option<String>>(3)?
            .and_then(|p| Permission::parse(&p));
        match (kind.as_str(), permission, b) {
            ("p", Some(permission), _) => own.push((a, permission)),
            ("i", _, Some(included)) => includes.push((a, included)),
            ("o", Some(permission), granted_by_id) => {
                let effect: String = row.try_get_by_index(4)?;
                let Some(effect) = OverrideEffect::parse(&effect) else {
                    continue;
                };
                found.push(permission_override::Model {
                    id: a,
                    user_id,
                    permission,
                    effect,
                    reason: row.try_get_by_index(5)?,
                    granted_by_id,
                    created_at: row.try_get_by_index(6)?,
                    expires_at: row.try_get_by_index(7)?,
                });
            }
            // A permission name this release does not know grants nothing.
            _ => {}
        }
    }
    Ok((RoleGraph::new(own, includes), found))
}

/// What `user` holds now, with the reasons (one statement).
pub async fn effective_of(
    db: &impl ConnectionTrait,
    user: &user::Model,
) -> Result<Effective, DbErr> {
    let (graph, overrides) = load(db, user.id).await?;
    Ok(effective(
        &graph,
        user.role_id,
        user.email_verified_at.is_some(),
        &overrides,
        Utc::now(),
    ))
}

/// The permissions `user` holds now, sorted, kept to those `within` allows (a token's scopes).
pub async fn held_permissions(
    db: &impl ConnectionTrait,
    user: &user::Model,
    within: impl Fn(&Permission) -> bool,
) -> Result<Vec<Permission>, DbErr> {
    // An unconfirmed account holds nothing, whatever its role: no statement needed.
    if user.email_verified_at.is_none() {
        return Ok(Vec::new());
    }
    Ok(effective_of(db, user)
        .await?
        .permissions()
        .into_iter()
        .filter(within)
        .collect())
}

/// The overrides of `user_id`, in force or not, by permission.
pub async fn overrides_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<permission_override::Model>, DbErr> {
    permission_override::Entity::find()
        .filter(permission_override::Column::UserId.eq(user_id))
        .all(db)
        .await
}

#[cfg(test)]
mod tests;
