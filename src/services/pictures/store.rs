//! Pictures in the database: stored once by hash, read one size at a time, and removed when
//! nothing refers to them any more, in the transaction that lets go of them.

use chrono::{DateTime, Utc};
use entity::{movie, person, picture, picture_file, post_picture, user};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use super::encode::{Encoded, Size};

/// Stores `encoded` unless a picture with its hash is stored already (the same picture
/// uploaded again). Safe against a concurrent upload of the same picture: both inserts skip
/// rows that are there. The picture's time is set to now either way: [`sweep`] leaves alone
/// what was stored lately, so a picture a transaction is about to refer to is not swept
/// meanwhile.
pub async fn store(db: &impl ConnectionTrait, encoded: &Encoded) -> Result<(), DbErr> {
    picture::Entity::insert(picture::ActiveModel {
        hash: Set(encoded.hash.clone()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(picture::Column::Hash)
            .update_column(picture::Column::CreatedAt)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let stored = picture_file::Entity::find()
        .filter(picture_file::Column::Hash.eq(encoded.hash.as_str()))
        .count(db)
        .await?;
    if stored >= u64::try_from(encoded.files.len()).unwrap_or(u64::MAX) {
        return Ok(());
    }
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
    let in_posts = post_picture::Entity::find()
        .filter(post_picture::Column::Hash.eq(hash))
        .count(db)
        .await?;
    if posters + portraits + avatars + in_posts > 0 {
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

/// The `card` and `full` dimensions of the stored pictures among `hashes` (one statement), as
/// a text that shows them needs them; in the order of `hashes`.
pub async fn dimensions(
    db: &impl ConnectionTrait,
    hashes: &[String],
) -> Result<Vec<markup::Picture>, DbErr> {
    if hashes.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, i32, i32)> = picture_file::Entity::find()
        .select_only()
        .columns([
            picture_file::Column::Hash,
            picture_file::Column::Size,
            picture_file::Column::Width,
            picture_file::Column::Height,
        ])
        .filter(picture_file::Column::Hash.is_in(hashes.iter().map(String::as_str)))
        .filter(picture_file::Column::Size.is_in([Size::Card.as_str(), Size::Full.as_str()]))
        .into_tuple()
        .all(db)
        .await?;
    let side = |value: i32| u32::try_from(value).unwrap_or(0);
    Ok(hashes
        .iter()
        .filter_map(|hash| {
            let of = |size: Size| {
                rows.iter()
                    .find(|(h, s, _, _)| h == hash && s == size.as_str())
                    .map(|(_, _, w, h)| (side(*w), side(*h)))
            };
            Some(markup::Picture {
                hash: hash.clone(),
                card: of(Size::Card)?,
                full_width: of(Size::Full)?.0,
            })
        })
        .collect())
}

/// Removes the pictures nothing refers to that were last stored before `before` (their sizes
/// go with them); returns how many. Marquee's own changes remove a picture in the transaction
/// that lets go of it; this finds those left by rows deleted some other way. One statement,
/// whose conditions are checked again on each row it deletes: a picture stored again
/// meanwhile is left alone.
pub async fn sweep(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let referred = |table: &str, column: &str| {
        Query::select()
            .column(Alias::new(column))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new(column)).is_not_null())
            .to_owned()
    };
    let removed = picture::Entity::delete_many()
        .filter(picture::Column::CreatedAt.lt(before))
        .filter(picture::Column::Hash.not_in_subquery(referred("movie", "poster")))
        .filter(picture::Column::Hash.not_in_subquery(referred("person", "portrait")))
        .filter(picture::Column::Hash.not_in_subquery(referred("user", "avatar")))
        .filter(picture::Column::Hash.not_in_subquery(referred("post_picture", "hash")))
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}
