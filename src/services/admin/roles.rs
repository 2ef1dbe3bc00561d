//! Roles and their permissions: the list, creating, changing and deleting them under the subset rule and the guard rails.

use std::collections::{BTreeSet, HashMap};

use entity::enums::{OverrideEffect, Permission};
use entity::{permission_override, role, role_inclusion, role_permission, user, user_session};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, ExprTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    TransactionTrait,
};
use serde_json::json;

use super::preview::{Holdings, Plan, Planned, Scope, compare, finish};
use super::{
    Acting, acting, begin_admin_change, ensure_role_managers_remain, grant_refusal, refused, within,
};
use crate::domain::{CurrentUser, Description, RoleName};
use crate::services::accounts::RoleGraph;
use crate::services::audit::{self, Actor};
use crate::services::error::on_table;
use crate::services::{FieldErrors, ServiceError};

#[derive(Clone, Debug)]
pub struct RoleRow {
    pub role: role::Model,
    pub users: u64,
    /// Its own permissions.
    pub permissions: Vec<Permission>,
    /// The roles it includes directly.
    pub includes: Vec<i32>,
    /// Everything it holds, through its inclusions too.
    pub effective: Vec<Permission>,
}

/// Every role with its number of users, its permissions and inclusions (four queries).
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
    let graph = RoleGraph::load(db).await?;
    Ok(roles
        .into_iter()
        .map(|role| RoleRow {
            users: u64::try_from(counts.get(&role.id).copied().unwrap_or(0)).unwrap_or(0),
            permissions: graph.own(role.id).into_iter().collect(),
            includes: graph.includes(role.id).into_iter().collect(),
            effective: graph.permissions(role.id).into_iter().collect(),
            role,
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
    /// The roles it includes (their permissions become its own too).
    pub includes: BTreeSet<i32>,
    /// The [`role_version`] the form was opened at: the edit is refused
    /// ([`ServiceError::Stale`]) if someone changed the role since. `None`: no such check.
    pub opened_at: Option<String>,
}

/// The version of a role an edit form was opened at: a fingerprint of what the form shows.
pub fn role_version(row: &RoleRow) -> String {
    let own: BTreeSet<Permission> = row.permissions.iter().copied().collect();
    let includes: BTreeSet<i32> = row.includes.iter().copied().collect();
    version_of(&row.role, &own, &includes)
}

fn version_of(role: &role::Model, own: &BTreeSet<Permission>, includes: &BTreeSet<i32>) -> String {
    crate::services::precondition::form_version(&role_json(role, own, includes))
}

fn role_json(
    role: &role::Model,
    permissions: &BTreeSet<Permission>,
    includes: &BTreeSet<i32>,
) -> serde_json::Value {
    json!({
        "name": role.name,
        "description": role.description,
        "is_default": role.is_default,
        "permissions": permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "includes": includes,
    })
}

async fn write_inclusions(
    db: &impl ConnectionTrait,
    role_id: i32,
    includes: &BTreeSet<i32>,
) -> Result<(), DbErr> {
    role_inclusion::Entity::delete_many()
        .filter(role_inclusion::Column::RoleId.eq(role_id))
        .exec(db)
        .await?;
    if !includes.is_empty() {
        role_inclusion::Entity::insert_many(includes.iter().map(|included| {
            role_inclusion::ActiveModel {
                role_id: Set(role_id),
                included_role_id: Set(*included),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The role names by id, for messages.
async fn role_names(db: &impl ConnectionTrait) -> Result<HashMap<i32, String>, DbErr> {
    Ok(role::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// Checks a change of the role graph from `before` to `after` (role `role_id` edited, made or
/// deleted) against the subset rule: every role whose permissions change must hold none the
/// actor lacks, before or after, nor may any account in such a role hold one by its own
/// grant. Inclusions must name other existing roles and make no cycle.
async fn check_graph_change(
    txn: &impl ConnectionTrait,
    held: &BTreeSet<Permission>,
    role_id: i32,
    before: &RoleGraph,
    after: &RoleGraph,
) -> Result<(), ServiceError> {
    let names = role_names(txn).await?;
    let name = |id: &i32| names.get(id).cloned().unwrap_or_else(|| format!("#{id}"));
    let includes = after.includes(role_id);
    if includes.contains(&role_id) {
        return Err(ServiceError::invalid(
            "includes",
            "A role cannot include itself.",
        ));
    }
    if includes.iter().any(|id| !names.contains_key(id)) {
        return Err(ServiceError::invalid(
            "includes",
            "Choose included roles from the list.",
        ));
    }
    if let Some(cycle) = after.cycle_through(role_id) {
        let chain: Vec<String> = cycle.iter().map(|id| format!("“{}”", name(id))).collect();
        return Err(ServiceError::invalid(
            "includes",
            format!(
                "Roles cannot include each other in a circle: {}.",
                chain.join(" → ")
            ),
        ));
    }
    let changed = before.changed_roles(after);
    for role in &changed {
        for (graph, when) in [(before, "holds"), (after, "would hold")] {
            within(held, &graph.permissions(*role), |missing| {
                if *role == role_id && when == "would hold" {
                    grant_refusal(missing)
                } else {
                    format!(
                        "This changes the role “{}”, which {when} permissions you do not hold ({missing}).",
                        name(role)
                    )
                }
            })?;
        }
    }
    // An account in a changed role that holds, by its own grant, a permission the actor lacks.
    let beyond: Vec<Permission> = Permission::all()
        .into_iter()
        .filter(|p| !held.contains(p))
        .collect();
    if !changed.is_empty() && !beyond.is_empty() {
        use permission_override::Column as O;
        let granted = permission_override::Entity::find()
            .join(
                JoinType::InnerJoin,
                permission_override::Relation::User.def(),
            )
            .filter(user::Column::RoleId.is_in(changed.iter().copied()))
            .filter(O::Effect.eq(OverrideEffect::Grant))
            .filter(O::Permission.is_in(beyond))
            .filter(
                Condition::any()
                    .add(O::ExpiresAt.is_null())
                    .add(O::ExpiresAt.gt(chrono::Utc::now())),
            )
            .one(txn)
            .await?;
        if let Some(grant) = granted {
            return Err(refused(format!(
                "This changes accounts that hold “{}” by their own grant, a permission you do not hold.",
                grant.permission.label()
            )));
        }
    }
    Ok(())
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
    plan: &Plan,
) -> Result<Planned<role::Model>, ServiceError> {
    actor.require(Permission::ManageRoles)?;
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageRoles).await?;
    within(&held, &input.permissions, grant_refusal)?;
    let before = RoleGraph::load(&txn).await?;
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
    let after = before.with_role(
        created.id,
        input.permissions.clone(),
        input.includes.clone(),
    );
    check_graph_change(&txn, &held, created.id, &before, &after).await?;
    write_permissions(&txn, created.id, &input.permissions).await?;
    write_inclusions(&txn, created.id, &input.includes).await?;
    if input.is_default {
        make_only_default(&txn, created.id).await?;
    }
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    let after_json = role_json(&created, &input.permissions, &input.includes);
    // A new role has no accounts, but roles could include it only once it exists: nobody's
    // permissions change. The preview says so, and its digest covers the role as entered.
    let preview = compare(
        &txn,
        (&Holdings::default(), &before),
        (&Holdings::default(), &after),
        &json!([null, after_json]),
    )
    .await?;
    audit::record(
        &txn,
        &actor_ref,
        "role.create",
        "role",
        created.id,
        None,
        Some(after_json),
    )
    .await?;
    finish(txn, plan, preview, created).await
}

/// Opens a change to role `role_id` by `actor`: the admin lock, the actor as they are now
/// (active, holding `manage_roles`), the role and the role graph; the role's permissions must
/// all be the actor's own (`verb` names the refused change: "change", "delete").
async fn begin_role_change<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    role_id: i32,
    verb: &str,
) -> Result<(C::Transaction, Acting, role::Model, RoleGraph), ServiceError> {
    actor.require(Permission::ManageRoles)?;
    let txn = begin_admin_change(db).await?;
    let acting = acting(&txn, actor, Permission::ManageRoles).await?;
    let existing = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let graph = RoleGraph::load(&txn).await?;
    within(&acting.held, &graph.permissions(role_id), |missing| {
        format!(
            "You cannot {verb} the role “{}”: it has permissions you do not hold ({missing}).",
            existing.name
        )
    })?;
    Ok((txn, acting, existing, graph))
}

pub async fn update_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
    input: RoleInput,
    plan: &Plan,
) -> Result<Planned<role::Model>, ServiceError> {
    change_role(db, actor, ip, role_id, input, plan, None).await
}

/// An edit of role `role_id`; `reverted_to`: the audit entry whose version it restores (the
/// change is then audited as `role.revert`).
pub(super) async fn change_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
    input: RoleInput,
    plan: &Plan,
    reverted_to: Option<i32>,
) -> Result<Planned<role::Model>, ServiceError> {
    let (
        txn,
        Acting {
            role_id: actor_role,
            held,
        },
        existing,
        graph,
    ) = begin_role_change(db, actor, role_id, "change").await?;
    let current = version_of(&existing, &graph.own(role_id), &graph.includes(role_id));
    crate::services::precondition::still_at(input.opened_at.as_deref(), &current)?;
    within(&held, &input.permissions, grant_refusal)?;
    let after = graph.with_role(role_id, input.permissions.clone(), input.includes.clone());
    check_graph_change(&txn, &held, role_id, &graph, &after).await?;
    if existing.is_default && !input.is_default {
        return Err(refused(
            "There must always be a default role: make another role the default instead.".into(),
        ));
    }
    if actor_role == role_id
        && !after
            .permissions(role_id)
            .contains(&Permission::ManageRoles)
    {
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
    let before_json = role_json(&existing, &graph.own(role_id), &graph.includes(role_id));
    let accounts = Holdings::read(
        &txn,
        &Scope {
            roles: graph.changed_roles(&after),
            users: BTreeSet::new(),
            matching: None,
        },
    )
    .await?;
    let mut active: role::ActiveModel = existing.into();
    active.name = Set(input.name.to_string());
    active.description = Set(input.description.to_string());
    active.is_default = Set(input.is_default);
    let updated = active.update(&txn).await.map_err(on_table("role"))?;
    write_permissions(&txn, role_id, &input.permissions).await?;
    write_inclusions(&txn, role_id, &input.includes).await?;
    if input.is_default {
        make_only_default(&txn, role_id).await?;
    }
    ensure_role_managers_remain(&txn).await?;
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    let mut after_json = role_json(&updated, &input.permissions, &input.includes);
    if let Some(entry) = reverted_to {
        after_json["reverted_to"] = json!(entry);
    }
    let preview = compare(
        &txn,
        (&accounts, &graph),
        (&accounts, &after),
        &json!([before_json, after_json]),
    )
    .await?;
    audit::record(
        &txn,
        &actor_ref,
        if reverted_to.is_some() {
            "role.revert"
        } else {
            "role.update"
        },
        "role",
        role_id,
        Some(before_json),
        Some(after_json),
    )
    .await?;
    finish(txn, plan, preview, updated).await
}

/// Deletes a role; its accounts move to the default role as any role change moves an account:
/// their sessions end and each gets an audit entry. Returns how many moved.
pub async fn delete_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
    plan: &Plan,
) -> Result<Planned<u64>, ServiceError> {
    let (
        txn,
        Acting {
            role_id: actor_role,
            held,
        },
        existing,
        graph,
    ) = begin_role_change(db, actor, role_id, "delete").await?;
    if existing.is_default {
        return Err(refused(
            "The default role cannot be deleted: make another role the default first.".into(),
        ));
    }
    if actor_role == role_id {
        return Err(refused("You cannot delete the role you hold.".into()));
    }
    let after = graph.without_role(role_id);
    check_graph_change(&txn, &held, role_id, &graph, &after).await?;
    let default_id = crate::services::accounts::default_role_id(&txn).await?;
    // Its users move to the default role: that assigns the default role to them.
    within(&held, &after.permissions(default_id), |missing| {
        format!(
            "Deleting this role would move its users to the default role, which has permissions you do not hold ({missing})."
        )
    })?;
    let mut roles = graph.changed_roles(&after);
    roles.insert(role_id);
    let accounts = Holdings::read(
        &txn,
        &Scope {
            roles,
            users: BTreeSet::new(),
            matching: None,
        },
    )
    .await?;
    let moving = accounts.in_role(role_id);
    // Moving an account changes it: none may hold, by any grant, what the actor lacks (a role
    // with no permissions of its own is not a changed role, so this is not checked above).
    for id in &moving {
        within(&held, &accounts.attainable(*id, &graph), |missing| {
            format!("This moves accounts that hold permissions you do not hold ({missing}).")
        })?;
    }
    // Moving accounts changes their role: their sessions end, like any other role change.
    user_session::Entity::delete_many()
        .filter(
            user_session::Column::UserId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::RoleId.eq(role_id))
                    .to_owned(),
            ),
        )
        .exec(&txn)
        .await?;
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
    let before_json = role_json(&existing, &graph.own(role_id), &graph.includes(role_id));
    let preview = compare(
        &txn,
        (&accounts, &graph),
        (&accounts.moved(role_id, default_id), &after),
        &json!([before_json, null]),
    )
    .await?;
    let default_name = preview
        .accounts
        .iter()
        .find_map(|a| a.moves_to.clone())
        .unwrap_or_default();
    let why = format!("role “{}” deleted", existing.name);
    audit::record_many(
        &txn,
        &actor_ref,
        "user.update",
        "user",
        moving
            .iter()
            .map(|id| {
                (
                    id.to_string(),
                    Some(json!({ "role_id": role_id, "role": existing.name })),
                    Some(json!({ "role_id": default_id, "role": default_name, "reason": why })),
                )
            })
            .collect(),
    )
    .await?;
    audit::record(
        &txn,
        &actor_ref,
        "role.delete",
        "role",
        role_id,
        Some(before_json),
        Some(json!({ "users_moved_to_default": moved })),
    )
    .await?;
    finish(txn, plan, preview, moved).await
}
