//! Pictures attached to a post, which its Markdown shows (`![alt](/media/HASH/full)`): whoever
//! may edit the post attaches them (decoded, refused when hostile, re-encoded in its own shape
//! like every upload) and removes them. The post keeps a picture stored while it has it; its
//! text shows them with their dimensions and sizes (`markup::to_safe_html_with`), so the
//! stored rendering is made again when one is attached. A picture the text still shows is not
//! removed: the text would show a hole. Audited as `post_picture.attach` and `…detach` on the
//! post, apart from its versions (`post.*`), which a picture does not change.

use chrono::Utc;
use entity::{post, post_picture};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait,
};
use serde_json::json;

use crate::domain::CurrentUser;
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};
use crate::services::pictures::{self, Kind};

use super::posts::editable_post;

/// The most pictures one post holds.
pub const PICTURES_PER_POST: u64 = 24;

/// The form field (and problem field) a post's picture comes in.
pub const FIELD: &str = "picture";

/// The pictures attached to post `post_id`, oldest first, with their dimensions (two
/// statements).
pub async fn post_pictures(
    db: &impl ConnectionTrait,
    post_id: i32,
) -> Result<Vec<markup::Picture>, DbErr> {
    let hashes: Vec<String> = post_picture::Entity::find()
        .select_only()
        .column(post_picture::Column::Hash)
        .filter(post_picture::Column::PostId.eq(post_id))
        .order_by_asc(post_picture::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    pictures::dimensions(db, &hashes).await
}

/// Whether `body` (a post's Markdown) shows picture `hash`.
pub fn shows(body: &str, hash: &str) -> bool {
    body.contains(&format!("/media/{hash}/"))
}

/// The post `slug` as `user` may see its pictures: only who may edit it.
pub async fn pictures_of(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    slug: &str,
) -> Result<(post::Model, Vec<markup::Picture>), ServiceError> {
    let post = editable_post(db, slug, user).await?;
    let attached = post_pictures(db, post.id).await?;
    Ok((post, attached))
}

/// Attaches the picture `upload` holds to post `slug` (whoever may edit it); returns it.
/// Attaching a picture the post has already changes nothing.
pub async fn attach_picture(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
    upload: Vec<u8>,
) -> Result<markup::Picture, ServiceError> {
    let post = editable_post(db, slug, user).await?;
    // Counted before the picture is encoded too, so a full post costs no decoding.
    full(db, post.id).await?;
    let encoded = pictures::prepare(upload, Kind::Illustration, FIELD).await?;
    let hash = encoded.hash.clone();
    let txn = crate::services::begin_content_change(db).await?;
    let post = post::Entity::find_by_id(post.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let had = post_picture::Entity::find()
        .filter(post_picture::Column::PostId.eq(post.id))
        .filter(post_picture::Column::Hash.eq(hash.as_str()))
        .count(&txn)
        .await?;
    if had == 0 {
        full(&txn, post.id).await?;
        pictures::store(&txn, &encoded).await?;
        post_picture::Entity::insert(post_picture::ActiveModel {
            post_id: Set(post.id),
            hash: Set(hash.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        })
        // Attached meanwhile by a second request: a no-op update then.
        .on_conflict(
            OnConflict::columns([post_picture::Column::PostId, post_picture::Column::Hash])
                .update_column(post_picture::Column::Hash)
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        rerender(&txn, &post).await?;
        audit::record(
            &txn,
            &Actor::of(user, ip),
            "post_picture.attach",
            "post",
            post.id,
            None,
            Some(json!({ FIELD: hash })),
        )
        .await?;
    }
    let picture = pictures::dimensions(&txn, std::slice::from_ref(&hash))
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)?;
    txn.commit().await?;
    Ok(picture)
}

/// Removes picture `hash` from post `slug` (whoever may edit it), and the stored picture when
/// nothing else refers to it. Refused while the post's text shows it.
pub async fn detach_picture(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
    hash: &str,
) -> Result<(), ServiceError> {
    let post = editable_post(db, slug, user).await?;
    let txn = crate::services::begin_content_change(db).await?;
    let post = post::Entity::find_by_id(post.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let attached = post_picture::Entity::find()
        .filter(post_picture::Column::PostId.eq(post.id))
        .filter(post_picture::Column::Hash.eq(hash))
        .count(&txn)
        .await?;
    if attached == 0 {
        return Err(ServiceError::NotFound);
    }
    if shows(&post.body, hash) {
        return Err(ServiceError::conflict(
            "The post’s text still shows this picture: take it out of the text and save the post first.",
        ));
    }
    post_picture::Entity::delete_many()
        .filter(post_picture::Column::PostId.eq(post.id))
        .filter(post_picture::Column::Hash.eq(hash))
        .exec(&txn)
        .await?;
    pictures::release(&txn, hash).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "post_picture.detach",
        "post",
        post.id,
        Some(json!({ FIELD: hash })),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Lets go of every picture of post `post_id` (about to be deleted): the stored pictures
/// nothing else refers to are removed. Call it in the deleting transaction, before the post
/// goes.
pub(crate) async fn release_all(db: &impl ConnectionTrait, post_id: i32) -> Result<(), DbErr> {
    let hashes: Vec<String> = post_picture::Entity::find()
        .select_only()
        .column(post_picture::Column::Hash)
        .filter(post_picture::Column::PostId.eq(post_id))
        .into_tuple()
        .all(db)
        .await?;
    post_picture::Entity::delete_many()
        .filter(post_picture::Column::PostId.eq(post_id))
        .exec(db)
        .await?;
    for hash in hashes {
        pictures::release(db, &hash).await?;
    }
    Ok(())
}

/// Refused when post `post_id` holds as many pictures as a post may.
async fn full(db: &impl ConnectionTrait, post_id: i32) -> Result<(), ServiceError> {
    let held = post_picture::Entity::find()
        .filter(post_picture::Column::PostId.eq(post_id))
        .count(db)
        .await?;
    if held >= PICTURES_PER_POST {
        return Err(ServiceError::conflict(format!(
            "A post holds at most {PICTURES_PER_POST} pictures: remove one it no longer shows first."
        )));
    }
    Ok(())
}

/// Renders `post`'s stored HTML again with its pictures (one its text already showed gains
/// its dimensions).
async fn rerender(db: &impl ConnectionTrait, post: &post::Model) -> Result<(), DbErr> {
    let attached = post_pictures(db, post.id).await?;
    if !attached.iter().any(|p| shows(&post.body, &p.hash)) {
        return Ok(());
    }
    post::Entity::update_many()
        .col_expr(
            post::Column::BodyHtml,
            Expr::value(markup::to_safe_html_with(&post.body, &attached)),
        )
        .filter(post::Column::Id.eq(post.id))
        .exec(db)
        .await?;
    Ok(())
}
