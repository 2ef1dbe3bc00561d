//! Accounts as administrators see them: the filtered list, changing a role or the active flag, and the operator's `set-role`.

use entity::enums::Permission;
use entity::{role, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::preview::{Holdings, Plan, Planned, Scope, compare, finish};
use super::{
    Acting, acting, attainable, begin_admin_change, ensure_role_managers_remain, refused, within,
};
use crate::domain::CurrentUser;
use crate::services::accounts::RoleGraph;
use crate::services::audit::{self, Actor};
use crate::services::{Page, ServiceError};

/// An administrator's changes to an account.
#[derive(Clone, Debug)]
pub struct UserChanges {
    pub role_id: i32,
    pub is_active: bool,
    /// The [`account_version`] the form was opened at: the change is refused
    /// ([`ServiceError::Stale`]) if someone changed the account since. `None`: no such check.
    pub opened_at: Option<String>,
}

/// The version of an account's role and state an admin form was opened at.
pub fn account_version(account: &user::Model) -> String {
    crate::services::precondition::form_version(&json!([account.role_id, account.is_active]))
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
    /// Whether the address is confirmed.
    pub verified: Option<bool>,
    pub sort: UserSort,
    pub desc: bool,
}

pub type UserRow = (user::Model, Option<role::Model>);

impl UserFilter {
    /// The accounts the filter matches, as a condition (the list and bulk actions share it).
    pub fn condition(&self) -> Condition {
        let mut matches = Condition::all();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            matches = matches.add(
                Condition::any()
                    .add(crate::services::contains_text(
                        Expr::col(user::Column::Username),
                        q,
                    ))
                    .add(crate::services::contains_text(
                        Expr::col(user::Column::Email),
                        q,
                    )),
            );
        }
        if let Some(role_id) = self.role_id {
            matches = matches.add(user::Column::RoleId.eq(role_id));
        }
        if let Some(active) = self.active {
            matches = matches.add(user::Column::IsActive.eq(active));
        }
        match self.verified {
            Some(true) => matches.add(user::Column::EmailVerifiedAt.is_not_null()),
            Some(false) => matches.add(user::Column::EmailVerifiedAt.is_null()),
            None => matches,
        }
    }
}

/// Users matching the filter, with their role (one query per page plus the count).
pub async fn list_users(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    page: u64,
    per_page: u64,
) -> Result<Page<UserRow>, DbErr> {
    let mut query = user::Entity::find().filter(filter.condition());
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
    crate::services::fetch_page(paginator, page).await
}

/// The account `user_id` when every permission it holds (through its role, its inclusions and
/// its own grants) is among `held`: the rule for every change to another account.
/// `refusal(username, missing)` words the refusal.
pub(super) async fn account_within(
    txn: &impl ConnectionTrait,
    held: &std::collections::BTreeSet<Permission>,
    user_id: i32,
    refusal: impl FnOnce(&str, &str) -> String,
) -> Result<user::Model, ServiceError> {
    let target = user::Entity::find_by_id(user_id)
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let holds = attainable(txn, &target).await?;
    within(held, &holds, |missing| refusal(&target.username, missing))?;
    Ok(target)
}

/// Mails `user_id` a link to choose a new password, audited as sent by `actor` (who needs
/// "manage users" and every permission of the account's role, and never sees nor sets the
/// password); a few an hour at most.
pub async fn send_reset_link(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    user_id: i32,
) -> Result<user::Model, ServiceError> {
    actor.require(Permission::ManageUsers)?;
    // Under the admin lock like every change here: the role's permissions cannot grow between
    // the check and the mail.
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageUsers).await?;
    // The accounts one may change are those one may send a reset link to.
    let target = account_within(&txn, &held, user_id, |name, missing| {
        format!(
            "You cannot send {name} a reset link: their role has permissions you do not hold ({missing})."
        )
    })
    .await?;
    if !target.is_active {
        return Err(ServiceError::conflict(
            "This account is deactivated: activate it first.",
        ));
    }
    if !crate::services::accounts::links::may_send_reset(&txn, target.id).await? {
        return Err(ServiceError::conflict(
            "Several reset links went to this account in the last hour: it should use one.",
        ));
    }
    crate::services::accounts::links::send_reset(&txn, &target, &Actor::of(actor, ip)).await?;
    txn.commit().await?;
    Ok(target)
}

/// Changes a user's role and active flag. A change to either ends that user's sessions.
pub async fn update_user(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    user_id: i32,
    changes: UserChanges,
    plan: &Plan,
) -> Result<Planned<user::Model>, ServiceError> {
    let UserChanges {
        role_id,
        is_active,
        opened_at,
    } = changes;
    actor.require(Permission::ManageUsers)?;
    let txn = begin_admin_change(db).await?;
    let Acting { held, .. } = acting(&txn, actor, Permission::ManageUsers).await?;
    let target = account_within(&txn, &held, user_id, |name, missing| {
        format!(
            "You cannot change {name}'s account: their role has permissions you do not hold ({missing})."
        )
    })
    .await?;
    crate::services::precondition::still_at(opened_at.as_deref(), &account_version(&target))?;
    let changed = target.role_id != role_id || target.is_active != is_active;
    let scope = Scope::users([target.id]);
    if !changed {
        let preview = compare(
            &txn,
            (&Holdings::default(), &RoleGraph::default()),
            (&Holdings::default(), &RoleGraph::default()),
            &json!([target.id, target.role_id, target.is_active]),
        )
        .await?;
        return finish(txn, plan, preview, target).await;
    }
    if target.id == actor.id {
        return Err(refused(
            "You cannot change your own role or deactivate yourself; ask another administrator."
                .into(),
        ));
    }
    let new_role = role::Entity::find_by_id(role_id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::invalid("role_id", "Choose one of the listed roles."))?;
    let graph = RoleGraph::load(&txn).await?;
    if target.role_id != role_id {
        within(&held, &graph.permissions(role_id), |missing| {
            format!(
                "You cannot assign the role “{}”: it has permissions you do not hold ({missing}).",
                new_role.name
            )
        })?;
    }
    let before = json!({ "role_id": target.role_id, "is_active": target.is_active });
    let accounts = Holdings::read(&txn, &scope).await?;
    let version = target.session_version + 1;
    let mut active: user::ActiveModel = target.into();
    active.role_id = Set(role_id);
    active.is_active = Set(is_active);
    active.session_version = Set(version);
    let updated = active.update(&txn).await?;
    crate::services::accounts::sessions::end_all(&txn, user_id, None).await?;
    ensure_role_managers_remain(&txn).await?;
    let actor_ref = Actor {
        id: Some(actor.id),
        ip,
    };
    let after = json!({ "role_id": role_id, "role": new_role.name, "is_active": is_active });
    let preview = compare(
        &txn,
        (&accounts, &graph),
        (&Holdings::read(&txn, &scope).await?, &graph),
        &json!([user_id, before, after]),
    )
    .await?;
    audit::record(
        &txn,
        &actor_ref,
        "user.update",
        "user",
        user_id,
        Some(before),
        Some(after),
    )
    .await?;
    finish(txn, plan, preview, updated).await
}

/// `marquee user set-role`: the operator's way to change a role (audited with no actor). The
/// operator has the machine and the database, so holds every permission: the subset rule is
/// met by definition. Still refuses to leave nobody able to manage roles, and takes the same
/// admin lock as the web forms.
pub async fn set_role_by_name(
    db: &(impl ConnectionTrait + TransactionTrait),
    username: &str,
    role_name: &str,
) -> Result<(), ServiceError> {
    let txn = begin_admin_change(db).await?;
    let target = user::Entity::find_by_username(username.trim().to_lowercase())
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("username", format!("No user is called “{username}”."))
        })?;
    let new_role = role::Entity::find_by_name(role_name.trim().to_lowercase())
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ServiceError::invalid("role", format!("No role is called “{role_name}”."))
        })?;
    if target.role_id == new_role.id {
        return Ok(());
    }
    let before = json!({ "role_id": target.role_id });
    let version = target.session_version + 1;
    let mut active: user::ActiveModel = target.into();
    active.role_id = Set(new_role.id);
    active.session_version = Set(version);
    let updated = active.update(&txn).await?;
    crate::services::accounts::sessions::end_all(&txn, updated.id, None).await?;
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

/// An account with its role, for an administrator.
pub async fn account_with_role(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<UserRow>, DbErr> {
    user::Entity::find_by_id(user_id)
        .find_also_related(role::Entity)
        .one(db)
        .await
}
