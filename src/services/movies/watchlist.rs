//! Watchlists: the films a member wants to see or has seen (with the day), one entry a member
//! and film, private unless the member makes the list public. Keeping one is part of going to
//! the movies: it takes `review_movies`, so a read-only API token cannot change it.
//!
//! A change to a list is a plain write, not a content change: no page kept for visitors shows
//! a list (a public list's page and a film's page for a member are made per request), so
//! nothing cached has to go when a member clicks "Want to see".

use chrono::Utc;
use entity::enums::Permission;
use entity::{movie, profile, user, watchlist_entry};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};

use crate::domain::{CurrentUser, Viewer, Watch, WatchFilter};
use crate::services::error::on_table;
use crate::services::{Page, ServiceError, UserRef};

use super::reviews::{MovieRef, lock_movie};

/// Entries on a page of a watchlist.
pub const WATCHLIST_PER_PAGE: u64 = 20;

/// An entry with the film it names.
pub type WatchlistRow = (watchlist_entry::Model, Option<MovieRef>);

/// A member's watchlist as a viewer may see it.
#[derive(Clone, Debug)]
pub struct Watchlist {
    pub owner: UserRef,
    pub public: bool,
    /// The viewer is the owner (who may change it and sees it when private).
    pub own: bool,
    pub filter: WatchFilter,
    pub want: u64,
    pub seen: u64,
    pub entries: Page<WatchlistRow>,
}

/// Puts film `movie_id` on `user`'s watchlist as `watch`, or changes its entry (one a member
/// and film). The film's row is locked meanwhile, so two clicks at once leave one entry and a
/// film being deleted takes its entries with it (404 once it is gone).
pub async fn watch(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    movie_id: i32,
    watch: Watch,
) -> Result<watchlist_entry::Model, ServiceError> {
    user.require(Permission::ReviewMovies)?;
    let txn = crate::services::begin_write(db).await?;
    lock_movie(&txn, movie_id).await?;
    let saved = match entry(&txn, user.id, movie_id).await? {
        Some(existing) => {
            let mut active: watchlist_entry::ActiveModel = existing.into();
            active.seen_on = Set(watch.seen_on());
            active.update(&txn).await?
        }
        None => watchlist_entry::ActiveModel {
            user_id: Set(user.id),
            movie_id: Set(movie_id),
            seen_on: Set(watch.seen_on()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(on_table("watchlist_entry"))?,
    };
    txn.commit().await?;
    Ok(saved)
}

/// Takes film `movie_id` off `user`'s watchlist (404 when it is not on it).
pub async fn unwatch(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    movie_id: i32,
) -> Result<(), ServiceError> {
    user.require(Permission::ReviewMovies)?;
    let txn = crate::services::begin_write(db).await?;
    let removed = watchlist_entry::Entity::delete_many()
        .filter(watchlist_entry::Column::UserId.eq(user.id))
        .filter(watchlist_entry::Column::MovieId.eq(movie_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    txn.commit().await?;
    Ok(())
}

/// Makes `user`'s watchlist public or private (`review_movies`, as every change to it).
pub async fn set_public(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    public: bool,
) -> Result<(), ServiceError> {
    user.require(Permission::ReviewMovies)?;
    let txn = crate::services::begin_write(db).await?;
    profile::Entity::update_many()
        .col_expr(profile::Column::WatchlistPublic, Expr::val(public))
        .filter(profile::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Member `user_id`'s entry for film `movie_id`, if the film is on their list.
pub async fn entry(
    db: &impl ConnectionTrait,
    user_id: i32,
    movie_id: i32,
) -> Result<Option<watchlist_entry::Model>, DbErr> {
    watchlist_entry::Entity::find()
        .filter(watchlist_entry::Column::UserId.eq(user_id))
        .filter(watchlist_entry::Column::MovieId.eq(movie_id))
        .one(db)
        .await
}

/// Page `number` of `username`'s watchlist, latest first, as `viewer` may see it: the owner
/// always, anyone else only when it is public (404 otherwise, as for an unknown member).
/// Three statements: the member, the page with its total, the counts of each part.
pub async fn watchlist(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    username: &str,
    filter: WatchFilter,
    number: u64,
) -> Result<Watchlist, ServiceError> {
    let (owner, public) = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .filter(user::Column::IsActive.eq(true))
        .left_join(profile::Entity)
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .column(user::Column::Avatar)
        .column(profile::Column::WatchlistPublic)
        .into_tuple::<(i32, String, Option<String>, Option<bool>)>()
        .one(db)
        .await?
        .map(|(id, username, avatar, public)| {
            (
                UserRef {
                    id,
                    username,
                    avatar,
                },
                public.unwrap_or(false),
            )
        })
        .ok_or(ServiceError::NotFound)?;
    let own = viewer.is_some_and(|v| v.id == owner.id);
    if !public && !own {
        return Err(ServiceError::NotFound);
    }
    let mut select = watchlist_entry::Entity::find()
        .filter(watchlist_entry::Column::UserId.eq(owner.id))
        .order_by_desc(watchlist_entry::Column::Id);
    select = match filter {
        WatchFilter::All => select,
        WatchFilter::Want => select.filter(watchlist_entry::Column::SeenOn.is_null()),
        WatchFilter::Seen => select.filter(watchlist_entry::Column::SeenOn.is_not_null()),
    };
    let entries = crate::services::pair_page::<_, _, watchlist_entry::Model, MovieRef>(
        db,
        select.find_also_related(movie::Entity),
        number,
        WATCHLIST_PER_PAGE,
    )
    .await?;
    let (all, seen) = watchlist_entry::Entity::find()
        .filter(watchlist_entry::Column::UserId.eq(owner.id))
        .select_only()
        .expr(Expr::col(watchlist_entry::Column::Id).count())
        .expr(Expr::col(watchlist_entry::Column::SeenOn).count())
        .into_tuple::<(i64, i64)>()
        .one(db)
        .await?
        .unwrap_or_default();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(Watchlist {
        owner,
        public,
        own,
        filter,
        want: count(all.saturating_sub(seen)),
        seen: count(seen),
        entries,
    })
}
