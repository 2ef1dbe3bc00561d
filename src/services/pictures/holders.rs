//! The rows a picture belongs to: a movie's poster and a person's portrait (`manage_movies`),
//! a member's avatar (the member, once their address is confirmed; moderators may remove
//! one). Setting or removing one is one transaction: the picture stored (once, by hash), the
//! row pointed at it, the picture it lets go of removed when nothing else refers to it, and an
//! audit entry with the hashes before and after.

use entity::enums::Permission;
use entity::{movie, person, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, TransactionSession,
    TransactionTrait,
};
use serde_json::json;

use super::encode::{Encoded, Kind, encode};
use super::store::{release, store};
use crate::domain::{CurrentUser, UNVERIFIED};
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};

/// A row that may hold a picture, by its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A movie's poster.
    Poster(i32),
    /// A person's portrait.
    Portrait(i32),
    /// A member's avatar.
    Avatar(i32),
}

impl Holder {
    pub fn kind(self) -> Kind {
        match self {
            Holder::Poster(_) => Kind::Poster,
            Holder::Portrait(_) => Kind::Portrait,
            Holder::Avatar(_) => Kind::Avatar,
        }
    }

    /// The form field (and problem field) an upload for it comes in.
    pub fn field(self) -> &'static str {
        match self {
            Holder::Poster(_) => "poster",
            Holder::Portrait(_) => "portrait",
            Holder::Avatar(_) => "avatar",
        }
    }

    fn audit(self) -> (&'static str, &'static str, i32) {
        match self {
            Holder::Poster(id) => ("movie.poster", "movie", id),
            Holder::Portrait(id) => ("person.portrait", "person", id),
            Holder::Avatar(id) => ("user.avatar", "user", id),
        }
    }

    fn may_set(self, actor: &CurrentUser) -> Result<(), ServiceError> {
        match self {
            Holder::Poster(_) | Holder::Portrait(_) => actor.require(Permission::ManageMovies),
            // An avatar is public: nothing is shown before the address is confirmed.
            Holder::Avatar(id) if id == actor.id && actor.verified => Ok(()),
            Holder::Avatar(id) if id == actor.id => Err(ServiceError::Refused(UNVERIFIED.into())),
            Holder::Avatar(_) => Err(ServiceError::forbidden()),
        }
    }

    fn may_remove(self, actor: &CurrentUser) -> Result<(), ServiceError> {
        match self {
            Holder::Avatar(id) if id == actor.id => Ok(()),
            Holder::Avatar(_) => actor.require(Permission::ModerateComments),
            _ => self.may_set(actor),
        }
    }

    /// The row's picture hash, its row locked (`None`: no such row).
    async fn current(self, db: &impl ConnectionTrait) -> Result<Option<Option<String>>, DbErr> {
        match self {
            Holder::Poster(id) => {
                movie::Entity::find_by_id(id)
                    .select_only()
                    .column(movie::Column::Poster)
                    .lock_exclusive()
                    .into_tuple()
                    .one(db)
                    .await
            }
            Holder::Portrait(id) => {
                person::Entity::find_by_id(id)
                    .select_only()
                    .column(person::Column::Portrait)
                    .lock_exclusive()
                    .into_tuple()
                    .one(db)
                    .await
            }
            Holder::Avatar(id) => {
                user::Entity::find_by_id(id)
                    .select_only()
                    .column(user::Column::Avatar)
                    .lock_exclusive()
                    .into_tuple()
                    .one(db)
                    .await
            }
        }
    }

    async fn point(self, db: &impl ConnectionTrait, hash: Option<String>) -> Result<(), DbErr> {
        match self {
            Holder::Poster(id) => {
                movie::Entity::update_many()
                    .col_expr(movie::Column::Poster, Expr::value(hash))
                    .filter(movie::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
            Holder::Portrait(id) => {
                person::Entity::update_many()
                    .col_expr(person::Column::Portrait, Expr::value(hash))
                    .filter(person::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
            Holder::Avatar(id) => {
                user::Entity::update_many()
                    .col_expr(user::Column::Avatar, Expr::value(hash))
                    .filter(user::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Sets `holder`'s picture to the one `upload` holds; returns its hash. Refused, with the
/// reason on the holder's field, when it is not a picture Marquee takes.
pub async fn set_picture(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    holder: Holder,
    upload: Vec<u8>,
) -> Result<String, ServiceError> {
    holder.may_set(actor)?;
    let encoded = prepare(upload, holder.kind(), holder.field()).await?;
    let hash = encoded.hash.clone();
    change(db, actor, ip, holder, Some(encoded)).await?;
    Ok(hash)
}

/// How many uploads are decoded and encoded at once: each may take a core and, for a large
/// picture, a few hundred MiB while it is decoded; more wait their turn.
static ENCODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// `upload` decoded and encoded as `kind`, off the request threads and a few at a time;
/// refused with the reason on `field` when it is not a picture Marquee takes.
pub async fn prepare(
    upload: Vec<u8>,
    kind: Kind,
    field: &'static str,
) -> Result<Encoded, ServiceError> {
    let _turn = ENCODING
        .acquire()
        .await
        .map_err(|e| ServiceError::Db(DbErr::Custom(format!("picture encoding: {e}"))))?;
    tokio::task::spawn_blocking(move || encode(&upload, kind))
        .await
        .map_err(|e| ServiceError::Db(DbErr::Custom(format!("picture encoding: {e}"))))?
        .map_err(|reason| ServiceError::invalid(field, reason))
}

/// Removes `holder`'s picture (nothing to do when it has none).
pub async fn remove_picture(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    holder: Holder,
) -> Result<(), ServiceError> {
    holder.may_remove(actor)?;
    change(db, actor, ip, holder, None).await
}

async fn change(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &CurrentUser,
    ip: Option<String>,
    holder: Holder,
    picture: Option<Encoded>,
) -> Result<(), ServiceError> {
    // Pictures show on cached pages: a content change, so that they are made again.
    let txn = crate::services::begin_content_change(db).await?;
    let before = holder.current(&txn).await?.ok_or(ServiceError::NotFound)?;
    let after = picture.as_ref().map(|p| p.hash.clone());
    if before == after {
        return Ok(());
    }
    if let Some(picture) = &picture {
        store(&txn, picture).await?;
    }
    holder.point(&txn, after.clone()).await?;
    if let Some(old) = &before {
        release(&txn, old).await?;
    }
    let (action, subject, id) = holder.audit();
    audit::record(
        &txn,
        &Actor::of(actor, ip),
        action,
        subject,
        id,
        Some(json!({ holder.field(): before })),
        Some(json!({ holder.field(): after })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
