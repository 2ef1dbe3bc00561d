//! Movie posters (`manage_movies`): set from an upload, or removed; the picture a movie lets
//! go of is removed in the same transaction when nothing else refers to it. Audited as
//! `movie.poster` with the hashes before and after.

use entity::enums::Permission;
use entity::movie;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QuerySelect,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use super::encode::{Kind, encode};
use super::store::{release, store};
use crate::domain::CurrentUser;
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};

/// Sets movie `movie_id`'s poster to the picture `upload` holds (refused, with the reason on
/// the field `poster`, when it is not one Marquee takes).
pub async fn set_poster(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    movie_id: i32,
    upload: Vec<u8>,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    if movie::Entity::find_by_id(movie_id).one(db).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    // Decoding and encoding take the CPU for a while: off the request threads.
    let encoded = tokio::task::spawn_blocking(move || encode(&upload, Kind::Poster))
        .await
        .map_err(|e| ServiceError::Db(DbErr::Custom(format!("picture encoding: {e}"))))?
        .map_err(|reason| ServiceError::invalid("poster", reason))?;
    change(db, user, ip, movie_id, Some(encoded)).await
}

/// Removes movie `movie_id`'s poster (a no-op when it has none).
pub async fn remove_poster(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    movie_id: i32,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    change(db, user, ip, movie_id, None).await
}

async fn change(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    movie_id: i32,
    picture: Option<super::Encoded>,
) -> Result<movie::Model, ServiceError> {
    let txn = crate::services::begin_content_change(db).await?;
    let existing = movie::Entity::find_by_id(movie_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = existing.poster.clone();
    let after = picture.as_ref().map(|p| p.hash.clone());
    if before == after {
        return Ok(existing);
    }
    if let Some(picture) = &picture {
        store(&txn, picture).await?;
    }
    let mut active: movie::ActiveModel = existing.into();
    active.poster = Set(after.clone());
    let updated = active.update(&txn).await?;
    if let Some(old) = &before {
        release(&txn, old).await?;
    }
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "movie.poster",
        "movie",
        movie_id,
        Some(json!({ "poster": before })),
        Some(json!({ "poster": after })),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
