//! Groups: everybody sees them and their members; signed-in users join and leave; admins with
//! `manage_groups` create, rename and delete them (audited).

use std::collections::HashMap;

use chrono::Utc;
use entity::{group, user, user_group};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::Page;
use super::accounts::unique_violation;
use super::admin::AdminError;
use super::audit::{self, Actor};

pub struct GroupRow {
    pub group: group::Model,
    pub members: u64,
}

/// Every group with its member count (two queries).
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<GroupRow>, DbErr> {
    let groups = group::Entity::find()
        .order_by_asc(group::Column::Name)
        .all(db)
        .await?;
    let counts: HashMap<i32, i64> = user_group::Entity::find()
        .select_only()
        .column(user_group::Column::GroupId)
        .column_as(user_group::Column::UserId.count(), "n")
        .group_by(user_group::Column::GroupId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(groups
        .into_iter()
        .map(|group| GroupRow {
            members: counts.get(&group.id).copied().unwrap_or(0).max(0) as u64,
            group,
        })
        .collect())
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

/// Joins a group; joining twice (even at once) is harmless.
pub async fn join(db: &impl ConnectionTrait, group_id: i32, user_id: i32) -> Result<(), DbErr> {
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
        Err(error) if unique_violation(&error).is_some() => Ok(()),
        Err(error) => Err(error),
    }
}

pub async fn leave(db: &impl ConnectionTrait, group_id: i32, user_id: i32) -> Result<(), DbErr> {
    user_group::Entity::delete_by_id((user_id, group_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Checks a group name and description from a form.
pub fn parse(
    name: &str,
    description: &str,
) -> Result<(String, String), Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let name = name.trim().to_owned();
    if name.is_empty() {
        errors.push(("name", "Give the group a name.".to_owned()));
    } else if name.chars().count() > 64 {
        errors.push((
            "name",
            "Group names are at most 64 characters long.".to_owned(),
        ));
    }
    let description = description.trim().to_owned();
    if description.chars().count() > 255 {
        errors.push((
            "description",
            "Keep the description under 255 characters.".to_owned(),
        ));
    }
    if errors.is_empty() {
        Ok((name, description))
    } else {
        Err(errors)
    }
}

fn taken(error: DbErr) -> AdminError {
    match unique_violation(&error) {
        Some(_) => AdminError::Field("name", "A group with this name exists already.".into()),
        None => AdminError::Db(error),
    }
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    name: String,
    description: String,
) -> Result<group::Model, AdminError> {
    if group::Entity::find_by_name(name.as_str())
        .one(db)
        .await?
        .is_some()
    {
        return Err(AdminError::Field(
            "name",
            "A group with this name exists already.".into(),
        ));
    }
    let txn = super::begin_write(db).await?;
    let created = group::ActiveModel {
        name: Set(name),
        description: Set(description),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(taken)?;
    audit::record(
        &txn,
        actor,
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

pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i32,
    name: String,
    description: String,
) -> Result<group::Model, AdminError> {
    let txn = super::begin_write(db).await?;
    let existing = group::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    if name != existing.name
        && group::Entity::find_by_name(name.as_str())
            .one(&txn)
            .await?
            .is_some()
    {
        return Err(AdminError::Field(
            "name",
            "A group with this name exists already.".into(),
        ));
    }
    let before = json!({ "name": existing.name, "description": existing.description });
    let mut active: group::ActiveModel = existing.into();
    active.name = Set(name);
    active.description = Set(description);
    let updated = active.update(&txn).await.map_err(taken)?;
    audit::record(
        &txn,
        actor,
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

pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i32,
) -> Result<u64, AdminError> {
    let txn = super::begin_write(db).await?;
    let existing = group::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let members = user_group::Entity::find()
        .filter(user_group::Column::GroupId.eq(id))
        .count(&txn)
        .await?;
    group::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
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
