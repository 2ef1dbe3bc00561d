//! Pictures in the database: stored once by hash, read one size at a time, and removed when
//! nothing refers to them any more, in the transaction that lets go of them.

use chrono::Utc;
use entity::{movie, person, picture, picture_file, user};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use super::encode::{Encoded, Size};

/// Stores `encoded` unless a picture with its hash is stored already (the same picture
/// uploaded again). Safe against a concurrent upload of the same picture: both inserts skip
/// rows that are there.
pub async fn store(db: &impl ConnectionTrait, encoded: &Encoded) -> Result<(), DbErr> {
    let stored = picture_file::Entity::find()
        .filter(picture_file::Column::Hash.eq(encoded.hash.as_str()))
        .count(db)
        .await?;
    if stored >= u64::try_from(encoded.files.len()).unwrap_or(u64::MAX) {
        return Ok(());
    }
    picture::Entity::insert(picture::ActiveModel {
        hash: Set(encoded.hash.clone()),
        created_at: Set(Utc::now()),
    })
    // Another upload of the same picture may have stored it meanwhile: a no-op update then.
    .on_conflict(
        OnConflict::column(picture::Column::Hash)
            .update_column(picture::Column::Hash)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    picture_file::Entity::insert_many(encoded.files.iter().map(|file| picture_file::ActiveModel {
        hash: Set(encoded.hash.clone()),
        size: Set(file.size.as_str().to_owned()),
        content_type: Set(file.content_type.to_owned()),
        width: Set(i32::try_from(file.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(file.height).unwrap_or(i32::MAX)),
        bytes: Set(file.bytes.clone()),
    }))
    .on_conflict(
        OnConflict::columns([picture_file::Column::Hash, picture_file::Column::Size])
            .update_column(picture_file::Column::Hash)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One stored size of a picture, as served.
#[derive(Clone, Debug)]
pub struct MediaFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The bytes of `hash` in `size` (one statement), if stored.
pub async fn file(
    db: &impl ConnectionTrait,
    hash: &str,
    size: Size,
) -> Result<Option<MediaFile>, DbErr> {
    let found: Option<(String, Vec<u8>)> = picture_file::Entity::find()
        .select_only()
        .columns([
            picture_file::Column::ContentType,
            picture_file::Column::Bytes,
        ])
        .filter(picture_file::Column::Hash.eq(hash))
        .filter(picture_file::Column::Size.eq(size.as_str()))
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.map(|(content_type, bytes)| MediaFile {
        content_type,
        bytes,
    }))
}

/// Removes picture `hash` with its sizes when no row refers to it any more (call it in the
/// transaction that let go of it).
pub async fn release(db: &impl ConnectionTrait, hash: &str) -> Result<(), DbErr> {
    let posters = movie::Entity::find()
        .filter(movie::Column::Poster.eq(hash))
        .count(db)
        .await?;
    let portraits = person::Entity::find()
        .filter(person::Column::Portrait.eq(hash))
        .count(db)
        .await?;
    let avatars = user::Entity::find()
        .filter(user::Column::Avatar.eq(hash))
        .count(db)
        .await?;
    if posters + portraits + avatars > 0 {
        return Ok(());
    }
    picture_file::Entity::delete_many()
        .filter(picture_file::Column::Hash.eq(hash))
        .exec(db)
        .await?;
    picture::Entity::delete_by_id(hash.to_owned())
        .exec(db)
        .await?;
    Ok(())
}
