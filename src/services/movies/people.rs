//! A person's page: the person and the movies they directed.

use entity::{movie, movie_director, person};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, Order, QueryFilter, QueryOrder,
};

use super::{filter::*, list::*};

/// The person with this id.
pub async fn person(db: &impl ConnectionTrait, id: i32) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find_by_id(id).one(db).await
}

/// A person and the movies they directed, newest first.
pub async fn person_with_movies(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<(person::Model, Vec<MovieCard>)>, DbErr> {
    let Some(found) = person::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let rows = movie_rows()
        .filter(
            col(movie::Column::Id).in_subquery(
                Query::select()
                    .column(movie_director::Column::MovieId)
                    .from(movie_director::Entity)
                    .and_where(movie_director::Column::PersonId.eq(id))
                    .to_owned(),
            ),
        )
        .order_by(col(movie::Column::Year), Order::Desc)
        .order_by(col(movie::Column::Title), Order::Asc)
        .into_model::<MovieRow>()
        .all(db)
        .await?;
    let mut directors = directors_of(db, rows.iter().map(|r| r.id).collect()).await?;
    let movies = rows
        .into_iter()
        .map(|row| MovieCard {
            directors: directors.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect();
    Ok(Some((found, movies)))
}
