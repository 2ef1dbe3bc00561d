//! The admin area's queries and changes: roles with permissions, users' roles and active flags,
//! and the dashboard counts.
//!
//! One rule keeps privileges from growing: **an actor may only create, change, delete or
//! assign a role whose permission set is a subset of their own, and may only change or
//! deactivate an account whose role's permissions are a subset of their own.** Making a role
//! the default assigns it to every future account, and deleting a role assigns the default
//! role to its users, so both count as assigning. The actor's permissions are read again inside
//! the change's transaction, not taken from the start of the request.
//!
//! Guard rails, checked inside the same transaction as the change:
//! - at least one active user can always manage roles;
//! - admins cannot change their own role or active flag, nor strip `manage_roles` from the
//!   role they hold;
//! - there is exactly one default role.
//!
//! Every change here runs under one lock ([`begin_admin_change`]): on PostgreSQL and MySQL the
//! role rows are locked `FOR UPDATE` first, on SQLite the transaction is `IMMEDIATE`. Two
//! administrators acting at the same moment therefore run one after the other, and the second
//! sees the first's result when its guard rails are checked.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, Utc};
use entity::enums::Permission;
use entity::{role, role_permission, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::Page;
use super::accounts::unique_violation;
use super::audit::{self, Actor};
use crate::auth::CurrentUser;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A form field is wrong: (field, message).
    #[error("{1}")]
    Field(&'static str, String),
    /// The change is refused by a guard rail.
    #[error("{0}")]
    Refused(String),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbErr),
}

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

/// Validated role form input.
#[derive(Clone, Debug)]
pub struct RoleInput {
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub permissions: BTreeSet<Permission>,
}

impl RoleInput {
    /// Parses raw form values; `Err` carries per-field messages.
    pub fn parse(
        name: &str,
        description: &str,
        is_default: bool,
        permissions: &[String],
    ) -> Result<RoleInput, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = name.trim().to_lowercase();
        if name.is_empty() {
            errors.push(("name", "Give the role a name.".to_owned()));
        } else if name.chars().count() > 64 {
            errors.push((
                "name",
                "Role names are at most 64 characters long.".to_owned(),
            ));
        } else if !name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' || c == ' '
        }) {
            errors.push((
                "name",
                "Use letters, digits, spaces, “_” or “-”.".to_owned(),
            ));
        }
        let description = description.trim().to_owned();
        if description.chars().count() > 255 {
            errors.push((
                "description",
                "Keep the description under 255 characters.".to_owned(),
            ));
        }
        let mut parsed = BTreeSet::new();
        for raw in permissions {
            match Permission::parse(raw) {
                Some(p) => {
                    parsed.insert(p);
                }
                None => errors.push(("permissions", format!("Unknown permission “{raw}”."))),
            }
        }
        if errors.is_empty() {
            Ok(RoleInput {
                name,
                description,
                is_default,
                permissions: parsed,
            })
        } else {
            Err(errors)
        }
    }
}

/// Active users whose role grants `manage_roles`.
async fn role_managers(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::IsActive.eq(true))
        .filter(
            user::Column::RoleId.in_subquery(
                Query::select()
                    .column(role_permission::Column::RoleId)
                    .from(role_permission::Entity)
                    .and_where(role_permission::Column::Permission.eq(Permission::ManageRoles))
                    .to_owned(),
            ),
        )
        .count(db)
        .await
}

async fn ensure_role_managers_remain(db: &impl ConnectionTrait) -> Result<(), AdminError> {
    if role_managers(db).await? == 0 {
        return Err(AdminError::Refused(
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

/// The actor's role and permissions as they are now, provided the account is still active and
/// holds `needed`.
async fn acting(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    needed: Permission,
) -> Result<Acting, AdminError> {
    let me = user::Entity::find_by_id(actor.id)
        .one(db)
        .await?
        .filter(|me| me.is_active)
        .ok_or_else(|| {
            AdminError::Refused("Your account can no longer make this change.".into())
        })?;
    let held = permission_set(db, me.role_id).await?;
    if !held.contains(&needed) {
        return Err(AdminError::Refused(format!(
            "You no longer hold the “{}” permission.",
            needed.label()
        )));
    }
    Ok(Acting {
        role_id: me.role_id,
        held,
    })
}

async fn permission_set(
    db: &impl ConnectionTrait,
    role_id: i32,
) -> Result<BTreeSet<Permission>, DbErr> {
    Ok(super::accounts::role_permissions(db, role_id)
        .await?
        .into_iter()
        .collect())
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
) -> Result<(), AdminError> {
    match beyond(held, wanted) {
        None => Ok(()),
        Some(missing) => Err(AdminError::Refused(message(&missing))),
    }
}

fn grant_refusal(missing: &str) -> String {
    format!("You cannot grant permissions you do not hold yourself: {missing}.")
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

fn name_taken(error: &DbErr) -> Option<AdminError> {
    unique_violation(error)
        .map(|_| AdminError::Field("name", "A role with this name exists already.".into()))
}

pub async fn create_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    input: RoleInput,
) -> Result<role::Model, AdminError> {
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageRoles).await?;
    within(&held, &input.permissions, grant_refusal)?;
    if role::Entity::find_by_name(input.name.as_str())
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AdminError::Field(
            "name",
            "A role with this name exists already.".into(),
        ));
    }
    let created = role::ActiveModel {
        name: Set(input.name.clone()),
        description: Set(input.description.clone()),
        is_default: Set(input.is_default),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| name_taken(&e).unwrap_or(AdminError::Db(e)))?;
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

pub async fn update_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    role_id: i32,
    input: RoleInput,
) -> Result<role::Model, AdminError> {
    let txn = begin_admin_change(db).await?;
    let Acting {
        role_id: actor_role,
        held,
    } = acting(&txn, actor, Permission::ManageRoles).await?;
    let existing = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let before = permission_set(&txn, role_id).await?;
    within(&held, &before, |missing| {
        format!(
            "You cannot change the role “{}”: it has permissions you do not hold ({missing}).",
            existing.name
        )
    })?;
    within(&held, &input.permissions, grant_refusal)?;
    if existing.is_default && !input.is_default {
        return Err(AdminError::Refused(
            "There must always be a default role: make another role the default instead.".into(),
        ));
    }
    if actor_role == role_id && !input.permissions.contains(&Permission::ManageRoles) {
        return Err(AdminError::Refused(
            "You hold this role: removing “Manage roles” from it would lock you out.".into(),
        ));
    }
    if input.name != existing.name
        && role::Entity::find_by_name(input.name.as_str())
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(AdminError::Field(
            "name",
            "A role with this name exists already.".into(),
        ));
    }
    let before_json = role_json(&existing, &before);
    let mut active: role::ActiveModel = existing.into();
    active.name = Set(input.name.clone());
    active.description = Set(input.description.clone());
    active.is_default = Set(input.is_default);
    let updated = active
        .update(&txn)
        .await
        .map_err(|e| name_taken(&e).unwrap_or(AdminError::Db(e)))?;
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
) -> Result<u64, AdminError> {
    let txn = begin_admin_change(db).await?;
    let Acting {
        role_id: actor_role,
        held,
    } = acting(&txn, actor, Permission::ManageRoles).await?;
    let existing = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let permissions = permission_set(&txn, role_id).await?;
    within(&held, &permissions, |missing| {
        format!(
            "You cannot delete the role “{}”: it has permissions you do not hold ({missing}).",
            existing.name
        )
    })?;
    if existing.is_default {
        return Err(AdminError::Refused(
            "The default role cannot be deleted: make another role the default first.".into(),
        ));
    }
    if actor_role == role_id {
        return Err(AdminError::Refused(
            "You cannot delete the role you hold.".into(),
        ));
    }
    let default_id = super::accounts::default_role_id(&txn).await?;
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UserSort {
    #[default]
    Username,
    Email,
    Joined,
    LastSeen,
}

impl UserSort {
    pub fn parse(raw: Option<&str>) -> UserSort {
        match raw {
            Some("email") => UserSort::Email,
            Some("joined") => UserSort::Joined,
            Some("last_seen") => UserSort::LastSeen,
            _ => UserSort::Username,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::Username => "username",
            UserSort::Email => "email",
            UserSort::Joined => "joined",
            UserSort::LastSeen => "last_seen",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role_id: Option<i32>,
    pub active: Option<bool>,
    pub sort: UserSort,
    pub desc: bool,
}

pub type UserRow = (user::Model, Option<role::Model>);

/// Users matching the filter, with their role (one query per page plus the count).
pub async fn list_users(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<UserRow>, DbErr> {
    let mut query = user::Entity::find();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(super::contains_text(Expr::col(user::Column::Username), q))
                .add(super::contains_text(Expr::col(user::Column::Email), q)),
        );
    }
    if let Some(role_id) = filter.role_id {
        query = query.filter(user::Column::RoleId.eq(role_id));
    }
    if let Some(active) = filter.active {
        query = query.filter(user::Column::IsActive.eq(active));
    }
    let order = if filter.desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    query = match filter.sort {
        UserSort::Username => query.order_by(user::Column::Username, order),
        UserSort::Email => query.order_by(user::Column::Email, order),
        UserSort::Joined => query.order_by(user::Column::CreatedAt, order),
        UserSort::LastSeen => query.order_by(user::Column::LastSeenAt, order),
    }
    .order_by_asc(user::Column::Id);
    let paginator = query.find_also_related(role::Entity).paginate(db, per_page);
    super::fetch_page(paginator, page).await
}

/// Changes a user's role and active flag. A change to either ends that user's sessions.
pub async fn update_user(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    user_id: i32,
    role_id: i32,
    is_active: bool,
) -> Result<user::Model, AdminError> {
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageUsers).await?;
    let target = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    within(
        &held,
        &permission_set(&txn, target.role_id).await?,
        |missing| {
            format!(
                "You cannot change {}'s account: their role has permissions you do not hold ({missing}).",
                target.username
            )
        },
    )?;
    let changed = target.role_id != role_id || target.is_active != is_active;
    if !changed {
        return Ok(target);
    }
    if target.id == actor.id {
        return Err(AdminError::Refused(
            "You cannot change your own role or deactivate yourself; ask another administrator."
                .into(),
        ));
    }
    let new_role = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AdminError::Field("role_id", "Choose one of the listed roles.".into()))?;
    if target.role_id != role_id {
        within(&held, &permission_set(&txn, role_id).await?, |missing| {
            format!(
                "You cannot assign the role “{}”: it has permissions you do not hold ({missing}).",
                new_role.name
            )
        })?;
    }
    let before = json!({ "role_id": target.role_id, "is_active": target.is_active });
    let version = target.session_version + 1;
    let mut active: user::ActiveModel = target.into();
    active.role_id = Set(role_id);
    active.is_active = Set(is_active);
    active.session_version = Set(version);
    let updated = active.update(&txn).await?;
    super::sessions::end_all(&txn, user_id, None).await?;
    ensure_role_managers_remain(&txn).await?;
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    audit::record(
        &txn,
        &actor_ref,
        "user.update",
        "user",
        user_id,
        Some(before),
        Some(json!({ "role_id": role_id, "role": new_role.name, "is_active": is_active })),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub struct Dashboard {
    pub roles: Vec<RoleRow>,
    pub total_users: u64,
    pub active_users: u64,
    pub new_this_week: u64,
    pub groups: u64,
    pub audit_entries: u64,
}

pub async fn dashboard(db: &impl ConnectionTrait) -> Result<Dashboard, DbErr> {
    let week_ago = Utc::now() - Duration::days(7);
    Ok(Dashboard {
        roles: list_roles(db).await?,
        total_users: user::Entity::find().count(db).await?,
        active_users: user::Entity::find()
            .filter(user::Column::IsActive.eq(true))
            .count(db)
            .await?,
        new_this_week: user::Entity::find()
            .filter(user::Column::CreatedAt.gte(week_ago))
            .count(db)
            .await?,
        groups: entity::group::Entity::find().count(db).await?,
        audit_entries: entity::audit_log::Entity::find().count(db).await?,
    })
}

/// `marquee user set-role`: the operator's way to change a role (audited with no actor). The
/// operator has the machine and the database, so holds every permission: the subset rule is
/// met by definition. Still refuses to leave nobody able to manage roles, and takes the same
/// admin lock as the web forms.
pub async fn set_role_by_name(
    db: &(impl ConnectionTrait + TransactionTrait),
    username: &str,
    role_name: &str,
) -> Result<(), AdminError> {
    let txn = begin_admin_change(db).await?;
    let target = user::Entity::find_by_username(username.trim().to_lowercase())
        .one(&txn)
        .await?
        .ok_or_else(|| AdminError::Field("username", format!("No user is called “{username}”.")))?;
    let new_role = role::Entity::find_by_name(role_name.trim().to_lowercase())
        .one(&txn)
        .await?
        .ok_or_else(|| AdminError::Field("role", format!("No role is called “{role_name}”.")))?;
    if target.role_id == new_role.id {
        return Ok(());
    }
    let before = json!({ "role_id": target.role_id });
    let version = target.session_version + 1;
    let mut active: user::ActiveModel = target.into();
    active.role_id = Set(new_role.id);
    active.session_version = Set(version);
    let updated = active.update(&txn).await?;
    super::sessions::end_all(&txn, updated.id, None).await?;
    ensure_role_managers_remain(&txn).await?;
    audit::record(
        &txn,
        &Actor { id: None, ip: None },
        "user.set_role",
        "user",
        updated.id,
        Some(before),
        Some(json!({ "role_id": new_role.id, "role": new_role.name })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
