//! Blocking: a member blocks another, whose messages then never reach them and who cannot start
//! a conversation with them. The blocked member is not told.

use chrono::Utc;
use entity::{user, user_block};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use crate::domain::CurrentUser;
use crate::services::{ServiceError, UserRef};

/// The account called `username` (404 when there is none).
async fn member(db: &impl ConnectionTrait, username: &str) -> Result<i32, ServiceError> {
    user::Entity::find()
        .filter(user::Column::Username.eq(username.trim().to_lowercase()))
        .select_only()
        .column(user::Column::Id)
        .into_tuple::<i32>()
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// `user` blocks `username` (blocking twice is blocking once).
pub async fn block(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    username: &str,
) -> Result<(), ServiceError> {
    let blocked = member(db, username).await?;
    if blocked == user.id {
        return Err(ServiceError::invalid(
            "username",
            "You cannot block yourself.",
        ));
    }
    if blocks(db, user.id, blocked).await? {
        return Ok(());
    }
    let inserted = user_block::ActiveModel {
        user_id: Set(user.id),
        blocked_id: Set(blocked),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // Two clicks at once: the other one blocked them.
        Err(error) if crate::services::error::is_unique_violation(&error) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

/// `user` unblocks `username` (404 when they did not block them).
pub async fn unblock(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    username: &str,
) -> Result<(), ServiceError> {
    let blocked = member(db, username).await?;
    let removed = user_block::Entity::delete_many()
        .filter(user_block::Column::UserId.eq(user.id))
        .filter(user_block::Column::BlockedId.eq(blocked))
        .exec(db)
        .await?;
    match removed.rows_affected {
        0 => Err(ServiceError::NotFound),
        _ => Ok(()),
    }
}

/// The members `user_id` blocks, by username.
pub async fn blocked(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<UserRef>, DbErr> {
    user_block::Entity::find()
        .filter(user_block::Column::UserId.eq(user_id))
        .join(JoinType::InnerJoin, user_block::Relation::Blocked.def())
        .order_by_asc(user::Column::Username)
        .into_partial_model::<UserRef>()
        .all(db)
        .await
}

/// Whether `user_id` blocks `other`.
pub async fn blocks(db: &impl ConnectionTrait, user_id: i32, other: i32) -> Result<bool, DbErr> {
    Ok(user_block::Entity::find()
        .filter(user_block::Column::UserId.eq(user_id))
        .filter(user_block::Column::BlockedId.eq(other))
        .one(db)
        .await?
        .is_some())
}
