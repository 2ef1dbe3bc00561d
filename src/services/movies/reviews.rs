//! Reviews: one per user and movie (decided by the unique key), and the movie's rating
//! aggregates, kept in each review's transaction.

use chrono::Utc;
use entity::{movie, review, user};
use sea_orm::sea_query::{Expr, Func, Query, QueryStatementBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};

use entity::enums::Permission;

use crate::domain::{CommentBody, CurrentUser, Rating};
use crate::services::error::on_table;
use crate::services::{Page, ServiceError};

use super::REVIEWS_PER_PAGE;

pub type ReviewRow = (review::Model, Option<crate::services::UserRef>);

/// A movie as a member's reviews name it.
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "movie::Entity")]
pub struct MovieRef {
    pub id: i32,
    pub title: String,
    pub year: i32,
    pub poster: Option<String>,
}

/// A member's review with the movie it is of.
pub type MemberReviewRow = (review::Model, Option<MovieRef>);

/// The reviews member `user_id` wrote, newest first, with their movies and total (one
/// statement).
pub async fn reviews_by(
    db: &impl ConnectionTrait,
    user_id: i32,
    page: u64,
) -> Result<Page<MemberReviewRow>, DbErr> {
    crate::services::pair_page::<_, _, review::Model, MovieRef>(
        db,
        review::Entity::find()
            .filter(review::Column::UserId.eq(user_id))
            .order_by_desc(review::Column::CreatedAt)
            .order_by_desc(review::Column::Id)
            .find_also_related(movie::Entity),
        page,
        REVIEWS_PER_PAGE,
    )
    .await
}

/// Reviews of a movie, newest first, with their total (one statement).
pub async fn reviews(
    db: &impl ConnectionTrait,
    movie_id: i32,
    page: u64,
) -> Result<Page<ReviewRow>, DbErr> {
    crate::services::pair_page::<_, _, review::Model, crate::services::UserRef>(
        db,
        review::Entity::find()
            .filter(review::Column::MovieId.eq(movie_id))
            .order_by_desc(review::Column::CreatedAt)
            .order_by_desc(review::Column::Id)
            .find_also_related(user::Entity),
        page,
        REVIEWS_PER_PAGE,
    )
    .await
}

pub async fn review_of(
    db: &impl ConnectionTrait,
    movie_id: i32,
    user_id: i32,
) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find()
        .filter(review::Column::MovieId.eq(movie_id))
        .filter(review::Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// The checked values of the review form.
#[derive(Clone, Debug)]
pub struct ReviewInput {
    pub rating: Rating,
    pub body: CommentBody,
}

pub(super) fn already_reviewed() -> ServiceError {
    ServiceError::conflict("You have already reviewed this movie; edit your review instead.")
}

/// The review `review_id` of movie `movie_id`, if it is `user`'s (403 when it is someone
/// else's, 404 when there is none).
pub async fn own_review(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    movie_id: i32,
    review_id: i32,
) -> Result<review::Model, ServiceError> {
    let review = review::Entity::find_by_id(review_id)
        .one(db)
        .await?
        .filter(|r| r.movie_id == movie_id)
        .ok_or(ServiceError::NotFound)?;
    if review.user_id == user.id {
        Ok(review)
    } else {
        Err(ServiceError::forbidden())
    }
}

/// Recomputes the maintained review aggregates (`review_count`, `rating_sum`, `rating_avg`)
/// of these movies, or of every movie, from their reviews (one statement).
pub async fn refresh_ratings(
    db: &impl ConnectionTrait,
    movie_ids: Option<Vec<i32>>,
) -> Result<(), DbErr> {
    let of_movie = |expr: Expr| -> Expr {
        Expr::SubQuery(
            None,
            Box::new(
                Query::select()
                    .expr(expr)
                    .from(review::Entity)
                    .and_where(
                        Expr::col((review::Entity, review::Column::MovieId))
                            .equals((movie::Entity, movie::Column::Id)),
                    )
                    .to_owned()
                    .into_sub_query_statement(),
            ),
        )
    };
    let rating = || Expr::col((review::Entity, review::Column::Rating));
    let mut update = movie::Entity::update_many()
        .col_expr(
            movie::Column::ReviewCount,
            of_movie(Expr::col((review::Entity, review::Column::Id)).count()),
        )
        .col_expr(
            movie::Column::RatingSum,
            of_movie(Func::coalesce([rating().sum(), Expr::val(0)]).into()),
        )
        // AVG of no rows is NULL: an unreviewed movie has no average.
        .col_expr(
            movie::Column::RatingAvg,
            of_movie(rating().mul(Expr::val(1.0)).avg()),
        );
    if let Some(ids) = movie_ids {
        update = update.filter(movie::Column::Id.is_in(ids));
    }
    update.exec(db).await.map(|_| ())
}

/// Starts a review change: a content change (see `begin_content_change`) that also holds the
/// movie's row lock, so the movie cannot be deleted under the review.
/// A movie that is gone (deleted meanwhile) is a 404.
pub(super) async fn begin_review_change<C: TransactionTrait>(
    db: &C,
    movie_id: i32,
) -> Result<C::Transaction, ServiceError> {
    let txn = crate::services::begin_content_change(db).await?;
    lock_movie(&txn, movie_id).await?;
    Ok(txn)
}

/// Holds film `movie_id`'s row lock for the rest of the transaction (a 404 when it is gone).
pub(super) async fn lock_movie(
    txn: &impl ConnectionTrait,
    movie_id: i32,
) -> Result<(), ServiceError> {
    movie::Entity::find_by_id(movie_id)
        .select_only()
        .column(movie::Column::Id)
        .lock_exclusive()
        .into_tuple::<i32>()
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(())
}

/// Adds `user`'s review (`review_movies`) and updates the movie's aggregates in one
/// transaction; a second review by the same user is a conflict, also when two arrive at once
/// (the unique key on (movie, user) decides).
pub async fn add_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    movie_id: i32,
    input: ReviewInput,
) -> Result<review::Model, ServiceError> {
    user.require(Permission::ReviewMovies)?;
    let txn = begin_review_change(db, movie_id).await?;
    if review_of(&txn, movie_id, user.id).await?.is_some() {
        return Err(already_reviewed());
    }
    let created = review::ActiveModel {
        movie_id: Set(movie_id),
        user_id: Set(user.id),
        rating: Set(input.rating.get()),
        body: Set(input.body.into_inner()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(on_table("review"))?;
    refresh_ratings(&txn, Some(vec![movie_id])).await?;
    // Members with the film on their watchlist are told of a review of it.
    let watching = entity::watchlist_entry::Entity::find()
        .filter(entity::watchlist_entry::Column::MovieId.eq(movie_id))
        .select_only()
        .column(entity::watchlist_entry::Column::UserId)
        .into_tuple::<i32>()
        .all(&txn)
        .await?;
    if !watching.is_empty() {
        let title = movie::Entity::find_by_id(movie_id)
            .select_only()
            .column(movie::Column::Title)
            .into_tuple::<String>()
            .one(&txn)
            .await?
            .unwrap_or_default();
        crate::services::notifications::notify(
            &txn,
            watching,
            crate::services::notifications::Event {
                kind: crate::services::notifications::Kind::WatchlistReview,
                actor: user,
                subject: title,
                link: format!("/movies/{movie_id}#review-{}", created.id),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(created)
}

/// The version of a review its edit form was opened at (two tabs of the same member can
/// otherwise overwrite each other).
pub fn review_version(review: &review::Model) -> String {
    crate::services::precondition::form_version(&serde_json::json!([review.rating, review.body]))
}

/// Saves `user`'s own review and updates the movie's aggregates in one transaction. With
/// `expected` (the [`review_version`] the form was opened at), only while the review is still
/// that version ([`ServiceError::Stale`] otherwise).
pub async fn update_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    movie_id: i32,
    review_id: i32,
    input: ReviewInput,
    expected: Option<&str>,
) -> Result<review::Model, ServiceError> {
    let existing = own_review(db, user, movie_id, review_id).await?;
    let txn = begin_review_change(db, movie_id).await?;
    // Read again inside the change (the movie's row is locked): what this change replaces.
    let existing = review::Entity::find_by_id(existing.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    crate::services::precondition::still_at(expected, &review_version(&existing))?;
    let mut active: review::ActiveModel = existing.into();
    active.rating = Set(input.rating.get());
    active.body = Set(input.body.into_inner());
    let updated = active.update(&txn).await?;
    refresh_ratings(&txn, Some(vec![movie_id])).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes `user`'s own review and updates the movie's aggregates in one transaction.
pub async fn delete_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    movie_id: i32,
    review_id: i32,
) -> Result<(), ServiceError> {
    let existing = own_review(db, user, movie_id, review_id).await?;
    let txn = begin_review_change(db, existing.movie_id).await?;
    review::Entity::delete_by_id(existing.id).exec(&txn).await?;
    refresh_ratings(&txn, Some(vec![existing.movie_id])).await?;
    txn.commit().await?;
    Ok(())
}
