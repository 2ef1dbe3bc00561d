//! People: the list of everyone credited (searchable, a page at a time) and a person's page
//! with the movies they directed.

use entity::{movie, movie_director, person};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, FromQueryResult, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::services::{Page, contains_text, fetch_page, offset};

/// People on a `/people` page.
pub const PEOPLE_PER_PAGE: u64 = 50;

/// A person in the list: their portrait and how many movies they directed.
#[derive(Clone, Debug, FromQueryResult)]
pub struct PersonCard {
    pub id: i32,
    pub name: String,
    pub portrait: Option<String>,
    pub movies: i64,
}

/// How many movies the row's person directed: each row's count by its own index look-up
/// (`movie_director` by person), so a page counts the movies of its own people only (and a
/// list's total counts people alone).
fn directed_count() -> Expr {
    Expr::cust("(SELECT COUNT(*) FROM movie_director WHERE movie_director.person_id = person.id)")
}

/// Everyone credited, by name, with their number of movies; only those whose name contains
/// `search` (case-insensitively) when it is not empty (two statements).
pub async fn people(
    db: &impl ConnectionTrait,
    search: &str,
    number: u64,
) -> Result<Page<PersonCard>, DbErr> {
    let mut select = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::Name,
            person::Column::Portrait,
        ])
        .column_as(directed_count(), "movies")
        .order_by_asc(person::Column::Name);
    let search = search.trim();
    if !search.is_empty() {
        select = select.filter(contains_text(Expr::col(person::Column::Name), search));
    }
    fetch_page(
        select
            .into_model::<PersonCard>()
            .paginate(db, PEOPLE_PER_PAGE),
        number,
    )
    .await
}

use super::{filter::*, list::*};

/// The person with this id.
pub async fn person(db: &impl ConnectionTrait, id: i32) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find_by_id(id).one(db).await
}

/// Movies on a person's page.
pub const PERSON_MOVIES_PER_PAGE: u64 = 50;

/// A person (with how many movies they directed) and a page of those movies, newest first
/// (three statements: the person with the count, the page, their directors).
pub async fn person_with_movies(
    db: &impl ConnectionTrait,
    id: i32,
    number: u64,
) -> Result<Option<(PersonCard, Page<MovieCard>)>, DbErr> {
    let Some(found) = person::Entity::find_by_id(id)
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::Name,
            person::Column::Portrait,
        ])
        .column_as(directed_count(), "movies")
        .into_model::<PersonCard>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let number = number.clamp(1, crate::services::MAX_PAGE);
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
        .order_by(col(movie::Column::Id), Order::Asc)
        .limit(PERSON_MOVIES_PER_PAGE)
        .offset(offset(number, PERSON_MOVIES_PER_PAGE))
        .into_model::<MovieRow>()
        .all(db)
        .await?;
    let mut directors = directors_of(db, rows.iter().map(|r| r.id).collect()).await?;
    let items = rows
        .into_iter()
        .map(|row| MovieCard {
            directors: directors.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect();
    let total = u64::try_from(found.movies).unwrap_or(0);
    Ok(Some((
        found,
        Page {
            items,
            number,
            pages: total.div_ceil(PERSON_MOVIES_PER_PAGE),
            total,
        },
    )))
}
