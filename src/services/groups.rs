//! Groups: everybody sees them and their members; signed-in users join and leave; admins with
//! `manage_groups` create, rename and delete them and remove members (audited).

use std::collections::HashMap;

use chrono::Utc;
use entity::{group, user, user_group};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use entity::enums::Permission;

use super::audit::{self, Actor};
use super::error::{is_unique_violation, on_table};
use super::{Page, ServiceError};
use crate::domain::{CurrentUser, Description, FieldErrors, Name};

/// The checked values of the group form.
#[derive(Clone, Debug)]
pub struct GroupInput {
    pub name: Name,
    pub description: Description,
}

pub struct GroupRow {
    pub group: group::Model,
    pub members: u64,
}

/// Groups on a `/groups` page.
pub const GROUPS_PER_PAGE: u64 = 50;

/// A page of groups by name with their member counts (three statements: the page, its total,
/// and the counts of its groups only).
pub async fn list(db: &impl ConnectionTrait, number: u64) -> Result<Page<GroupRow>, DbErr> {
    let page = super::fetch_page(
        group::Entity::find()
            .order_by_asc(group::Column::Name)
            .order_by_asc(group::Column::Id)
            .paginate(db, GROUPS_PER_PAGE),
        number,
    )
    .await?;
    let ids: Vec<i32> = page.items.iter().map(|g| g.id).collect();
    let counts: HashMap<i32, i64> = if ids.is_empty() {
        HashMap::new()
    } else {
        user_group::Entity::find()
            .select_only()
            .column(user_group::Column::GroupId)
            .column_as(user_group::Column::UserId.count(), "n")
            .filter(user_group::Column::GroupId.is_in(ids))
            .group_by(user_group::Column::GroupId)
            .into_tuple::<(i32, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|group| GroupRow {
                members: u64::try_from(counts.get(&group.id).copied().unwrap_or(0)).unwrap_or(0),
                group,
            })
            .collect(),
        number: page.number,
        pages: page.pages,
        total: page.total,
    })
}

pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<group::Model>, DbErr> {
    group::Entity::find_by_id(id).one(db).await
}

/// Members, longest-standing first, with the date they joined.
pub async fn members(
    db: &impl ConnectionTrait,
    group_id: i32,
    page: u64,
    per_page: u64,
) -> Result<Page<(user_group::Model, Option<super::UserRef>)>, DbErr> {
    let paginator = super::partial_pair::<_, _, user_group::Model, super::UserRef>(
        user_group::Entity::find()
            .filter(user_group::Column::GroupId.eq(group_id))
            .order_by_asc(user_group::Column::JoinedAt)
            .order_by_asc(user_group::Column::UserId)
            .find_also_related(user::Entity),
    )
    .paginate(db, per_page);
    super::fetch_page(paginator, page).await
}

pub async fn is_member(
    db: &impl ConnectionTrait,
    group_id: i32,
    user_id: i32,
) -> Result<bool, DbErr> {
    Ok(user_group::Entity::find_by_id((user_id, group_id))
        .count(db)
        .await?
        > 0)
}

/// Joins a group; joining twice (even at once) is harmless. Returns the group.
pub async fn join(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    group_id: i32,
) -> Result<group::Model, ServiceError> {
    let group = find(db, group_id).await?.ok_or(ServiceError::NotFound)?;
    add_member(db, group_id, user.id).await?;
    Ok(group)
}

async fn add_member(db: &impl ConnectionTrait, group_id: i32, user_id: i32) -> Result<(), DbErr> {
    if is_member(db, group_id, user_id).await? {
        return Ok(());
    }
    let inserted = user_group::ActiveModel {
        user_id: Set(user_id),
        group_id: Set(group_id),
        joined_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(error) if is_unique_violation(&error) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Leaves a group (leaving one you are not in is harmless). Returns the group.
pub async fn leave(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    group_id: i32,
) -> Result<group::Model, ServiceError> {
    let group = find(db, group_id).await?.ok_or(ServiceError::NotFound)?;
    user_group::Entity::delete_by_id((user.id, group_id))
        .exec(db)
        .await?;
    Ok(group)
}

fn name_taken() -> ServiceError {
    ServiceError::Conflict(FieldErrors::one(
        "name",
        "A group with this name exists already.",
    ))
}

/// Creates a group (`manage_groups`; audited).
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    input: GroupInput,
) -> Result<group::Model, ServiceError> {
    user.require(Permission::ManageGroups)?;
    if group::Entity::find_by_name(input.name.as_str())
        .one(db)
        .await?
        .is_some()
    {
        return Err(name_taken());
    }
    let txn = super::begin_write(db).await?;
    let created = group::ActiveModel {
        name: Set(input.name.into_inner()),
        description: Set(input.description.into_inner()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(on_table("group"))?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "group.create",
        "group",
        created.id,
        None,
        Some(json!({ "name": created.name, "description": created.description })),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Renames a group or changes its description (`manage_groups`; audited).
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    input: GroupInput,
) -> Result<group::Model, ServiceError> {
    user.require(Permission::ManageGroups)?;
    let txn = super::begin_write(db).await?;
    let existing = group::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if input.name.as_str() != existing.name
        && group::Entity::find_by_name(input.name.as_str())
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(name_taken());
    }
    let before = json!({ "name": existing.name, "description": existing.description });
    let mut active: group::ActiveModel = existing.into();
    active.name = Set(input.name.into_inner());
    active.description = Set(input.description.into_inner());
    let updated = active.update(&txn).await.map_err(on_table("group"))?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "group.update",
        "group",
        id,
        Some(before),
        Some(json!({ "name": updated.name, "description": updated.description })),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a group and its memberships (`manage_groups`; audited); returns how many members
/// it had.
pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
) -> Result<u64, ServiceError> {
    user.require(Permission::ManageGroups)?;
    let txn = super::begin_write(db).await?;
    let existing = group::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let members = user_group::Entity::find()
        .filter(user_group::Column::GroupId.eq(id))
        .count(&txn)
        .await?;
    group::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "group.delete",
        "group",
        id,
        Some(json!({ "name": existing.name, "description": existing.description, "members": members })),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(members)
}

/// Removes `member_id` from group `group_id` (`manage_groups`; audited): 404 when there is no
/// such group or they are not in it.
pub async fn remove_member(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    group_id: i32,
    member_id: i32,
) -> Result<group::Model, ServiceError> {
    user.require(Permission::ManageGroups)?;
    let txn = super::begin_write(db).await?;
    let group = find(&txn, group_id).await?.ok_or(ServiceError::NotFound)?;
    let removed = user_group::Entity::delete_by_id((member_id, group_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "group.remove_member",
        "group",
        group_id,
        Some(json!({ "member_id": member_id })),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(group)
}
