//! The movie catalogue: a faceted list (facet counts and the total in one statement, the rows
//! with their rating aggregates in another, directors in a third), movie and person pages,
//! reviews (one per user and movie, decided by the unique key), and managing movies with their
//! ordered directors in one transaction.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use entity::enums::MpaRating;
use entity::{movie, movie_director, person, review, user};
use sea_orm::sea_query::{Expr, Func, OnConflict, Query, QueryStatementBuilder, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, ExprTrait, FromQueryResult, Order, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::Page;
use super::accounts::unique_violation;
use super::audit::{self, Actor};

pub const MOVIES_PER_PAGE: u64 = 24;
pub const REVIEWS_PER_PAGE: u64 = 10;
pub const FIRST_YEAR: i32 = 1888;
/// Decades shown as facets: the 1880s up to this decade.
pub const FIRST_DECADE: i32 = 1880;

pub fn last_year() -> i32 {
    Utc::now().year() + 1
}

fn current_decade() -> i32 {
    Utc::now().year() / 10 * 10
}

/// How the catalogue is filtered; every field comes from the query string.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MovieFilter {
    pub q: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Selected ratings; `None` inside means "unrated".
    pub mpa: Vec<Option<MpaRating>>,
    pub theatre: Option<bool>,
    pub director: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MovieSort {
    #[default]
    Title,
    Year,
    Rating,
}

impl MovieSort {
    pub fn parse(raw: &str) -> MovieSort {
        match raw {
            "year" => MovieSort::Year,
            "rating" => MovieSort::Rating,
            _ => MovieSort::Title,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MovieSort::Title => "title",
            MovieSort::Year => "year",
            MovieSort::Rating => "rating",
        }
    }
}

fn col(c: movie::Column) -> Expr {
    Expr::col((movie::Entity, c))
}

impl MovieFilter {
    fn text(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            condition = condition.add(super::contains_text(col(movie::Column::Title), q));
        }
        if let Some(name) = self
            .director
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            condition = condition.add(
                col(movie::Column::Id).in_subquery(
                    Query::select()
                        .column((movie_director::Entity, movie_director::Column::MovieId))
                        .from(movie_director::Entity)
                        .inner_join(
                            person::Entity,
                            Expr::col((person::Entity, person::Column::Id))
                                .equals((movie_director::Entity, movie_director::Column::PersonId)),
                        )
                        .and_where(super::contains_text(
                            Expr::col((person::Entity, person::Column::Name)),
                            name,
                        ))
                        .to_owned(),
                ),
            );
        }
        condition
    }

    fn years(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(from) = self.year_from {
            condition = condition.add(col(movie::Column::Year).gte(from));
        }
        if let Some(to) = self.year_to {
            condition = condition.add(col(movie::Column::Year).lte(to));
        }
        condition
    }

    fn ratings(&self) -> Condition {
        if self.mpa.is_empty() {
            return Condition::all();
        }
        let mut any = Condition::any();
        let rated: Vec<&'static str> = self.mpa.iter().flatten().map(|r| r.as_str()).collect();
        if !rated.is_empty() {
            any = any.add(col(movie::Column::Mpa).is_in(rated));
        }
        if self.mpa.contains(&None) {
            any = any.add(col(movie::Column::Mpa).is_null());
        }
        any
    }

    fn theatres(&self) -> Condition {
        match self.theatre {
            Some(flag) => Condition::all().add(col(movie::Column::Theatre).eq(flag)),
            None => Condition::all(),
        }
    }

    fn all(&self) -> Condition {
        Condition::all()
            .add(self.text())
            .add(self.years())
            .add(self.ratings())
            .add(self.theatres())
    }
}

/// Counts for the filter sidebar. Each facet counts with every *other* filter applied, so the
/// numbers say what choosing that value would give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub total: u64,
    pub mpa: Vec<(Option<MpaRating>, u64)>,
    pub decades: Vec<(i32, u64)>,
    pub theatre: (u64, u64),
}

fn count_when(condition: Condition) -> SimpleExpr {
    Expr::case(condition, Expr::val(1))
        .finally(Expr::null())
        .into()
}

/// The total and every facet count in a single statement (conditional aggregation).
pub async fn facets(db: &impl ConnectionTrait, filter: &MovieFilter) -> Result<Facets, DbErr> {
    let ratings: Vec<Option<MpaRating>> = MpaRating::all()
        .into_iter()
        .map(Some)
        .chain([None])
        .collect();
    let decades: Vec<i32> = (FIRST_DECADE..=current_decade()).step_by(10).collect();
    let mut query = Query::select();
    query.from(movie::Entity).cond_where(filter.text());
    query.expr_as(
        Expr::expr(count_when(
            Condition::all()
                .add(filter.years())
                .add(filter.ratings())
                .add(filter.theatres()),
        ))
        .count(),
        "total",
    );
    let others_for_mpa = Condition::all().add(filter.years()).add(filter.theatres());
    for (i, rating) in ratings.iter().enumerate() {
        let value = match rating {
            Some(r) => Condition::all().add(col(movie::Column::Mpa).eq(r.as_str())),
            None => Condition::all().add(col(movie::Column::Mpa).is_null()),
        };
        query.expr_as(
            Expr::expr(count_when(others_for_mpa.clone().add(value))).count(),
            format!("mpa{i}"),
        );
    }
    let others_for_decade = Condition::all()
        .add(filter.ratings())
        .add(filter.theatres());
    for decade in &decades {
        let value = Condition::all().add(col(movie::Column::Year).between(*decade, decade + 9));
        query.expr_as(
            Expr::expr(count_when(others_for_decade.clone().add(value))).count(),
            format!("d{decade}"),
        );
    }
    let others_for_theatre = Condition::all().add(filter.years()).add(filter.ratings());
    for (name, flag) in [("theatre_yes", true), ("theatre_no", false)] {
        let value = Condition::all().add(col(movie::Column::Theatre).eq(flag));
        query.expr_as(
            Expr::expr(count_when(others_for_theatre.clone().add(value))).count(),
            name,
        );
    }
    let Some(row) = db.query_one(&query).await? else {
        return Ok(Facets::default());
    };
    let get = |name: &str| -> Result<u64, DbErr> {
        let n: i64 = row.try_get("", name)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(Facets {
        total: get("total")?,
        mpa: ratings
            .iter()
            .enumerate()
            .map(|(i, r)| Ok((*r, get(&format!("mpa{i}"))?)))
            .collect::<Result<_, DbErr>>()?,
        decades: decades
            .iter()
            .map(|d| Ok((*d, get(&format!("d{d}"))?)))
            .collect::<Result<Vec<_>, DbErr>>()?
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect(),
        theatre: (get("theatre_yes")?, get("theatre_no")?),
    })
}

/// A movie with its rating aggregates, computed by the database.
#[derive(Clone, Debug, FromQueryResult)]
pub struct MovieRow {
    pub id: i32,
    pub title: String,
    pub year: i32,
    pub theatre: bool,
    pub synopsis: String,
    pub mpa: Option<MpaRating>,
    pub avg_rating: Option<f64>,
    pub review_count: i32,
}

impl MovieRow {
    /// The average as people read it: one decimal.
    pub fn average(&self) -> Option<String> {
        self.avg_rating.map(|a| format!("{a:.1}"))
    }
}

#[derive(Clone, Debug)]
pub struct MovieCard {
    pub row: MovieRow,
    pub directors: Vec<(i32, String)>,
}

fn movie_rows() -> sea_orm::Select<movie::Entity> {
    movie::Entity::find()
        .select_only()
        .columns([
            movie::Column::Id,
            movie::Column::Title,
            movie::Column::Year,
            movie::Column::Theatre,
            movie::Column::Synopsis,
            movie::Column::Mpa,
        ])
        .column_as(movie::Column::RatingAvg, "avg_rating")
        .column_as(movie::Column::ReviewCount, "review_count")
}

/// One page of the catalogue (two statements: rows, then directors; the count comes with the
/// facets).
pub async fn list_movies(
    db: &impl ConnectionTrait,
    filter: &MovieFilter,
    sort: MovieSort,
    descending: bool,
    page: u64,
    total: u64,
) -> Result<Page<MovieCard>, DbErr> {
    let order = if descending { Order::Desc } else { Order::Asc };
    let mut query = movie_rows().filter(filter.all());
    query = match sort {
        MovieSort::Title => query.order_by(col(movie::Column::Title), order.clone()),
        MovieSort::Year => query.order_by(col(movie::Column::Year), order.clone()),
        // Unrated movies last either way.
        MovieSort::Rating => query
            .order_by(col(movie::Column::RatingAvg).is_null(), Order::Asc)
            .order_by(col(movie::Column::RatingAvg), order.clone()),
    };
    let rows = query
        .order_by(col(movie::Column::Title), Order::Asc)
        .order_by(col(movie::Column::Id), Order::Asc)
        .limit(MOVIES_PER_PAGE)
        .offset(super::offset(page, MOVIES_PER_PAGE))
        .into_model::<MovieRow>()
        .all(db)
        .await?;
    let mut directors = directors_of(db, rows.iter().map(|r| r.id).collect()).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|row| MovieCard {
                directors: directors.remove(&row.id).unwrap_or_default(),
                row,
            })
            .collect(),
        number: page,
        pages: total.div_ceil(MOVIES_PER_PAGE),
        total,
    })
}

/// Directors (id, name) per movie, in credited order, in one query.
pub async fn directors_of(
    db: &impl ConnectionTrait,
    movie_ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<(i32, String)>>, DbErr> {
    let mut by_movie: HashMap<i32, Vec<(i32, String)>> = HashMap::new();
    if movie_ids.is_empty() {
        return Ok(by_movie);
    }
    let links = movie_director::Entity::find()
        .filter(movie_director::Column::MovieId.is_in(movie_ids))
        .order_by_asc(movie_director::Column::MovieId)
        .order_by_asc(movie_director::Column::Position)
        .find_also_related(person::Entity)
        .all(db)
        .await?;
    for (link, person) in links {
        if let Some(person) = person {
            by_movie
                .entry(link.movie_id)
                .or_default()
                .push((person.id, person.name));
        }
    }
    Ok(by_movie)
}

/// A movie with its aggregates and directors.
pub async fn movie(db: &impl ConnectionTrait, id: i32) -> Result<Option<MovieCard>, DbErr> {
    let Some(row) = movie_rows()
        .filter(col(movie::Column::Id).eq(id))
        .into_model::<MovieRow>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let directors = directors_of(db, vec![id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some(MovieCard { row, directors }))
}

pub type ReviewRow = (review::Model, Option<super::UserRef>);

/// Reviews of a movie, newest first, with their total (one statement).
pub async fn reviews(
    db: &impl ConnectionTrait,
    movie_id: i32,
    page: u64,
) -> Result<Page<ReviewRow>, DbErr> {
    super::pair_page::<_, _, review::Model, super::UserRef>(
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

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("You have already reviewed this movie; edit your review instead.")]
    AlreadyReviewed,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Adds a review; a second one by the same user is refused, also when two arrive at once (the
/// unique key on (movie, user) decides).
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

/// Starts a review change: a write transaction holding the movie's row lock first (MySQL
/// would otherwise deadlock two reviews of one movie between the review's unique key and the
/// movie's aggregates; SQLite has one writer anyway).
async fn begin_review_change<C: TransactionTrait>(
    db: &C,
    movie_id: i32,
) -> Result<C::Transaction, DbErr> {
    let txn = super::begin_write(db).await?;
    movie::Entity::find_by_id(movie_id)
        .select_only()
        .column(movie::Column::Id)
        .lock_exclusive()
        .into_tuple::<i32>()
        .one(&txn)
        .await?;
    Ok(txn)
}

/// Adds a review and updates the movie's aggregates in one transaction.
pub async fn add_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    movie_id: i32,
    user_id: i32,
    rating: i32,
    body: String,
) -> Result<review::Model, ReviewError> {
    let txn = begin_review_change(db, movie_id).await?;
    if review_of(&txn, movie_id, user_id).await?.is_some() {
        return Err(ReviewError::AlreadyReviewed);
    }
    let created = review::ActiveModel {
        movie_id: Set(movie_id),
        user_id: Set(user_id),
        rating: Set(rating),
        body: Set(body),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if unique_violation(&e).is_some() {
            ReviewError::AlreadyReviewed
        } else {
            ReviewError::Db(e)
        }
    })?;
    refresh_ratings(&txn, Some(vec![movie_id])).await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

/// Saves a review and updates the movie's aggregates in one transaction.
pub async fn update_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    existing: review::Model,
    rating: i32,
    body: String,
) -> Result<review::Model, DbErr> {
    let movie_id = existing.movie_id;
    let txn = begin_review_change(db, movie_id).await?;
    let mut active: review::ActiveModel = existing.into();
    active.rating = Set(rating);
    active.body = Set(body);
    let updated = active.update(&txn).await?;
    refresh_ratings(&txn, Some(vec![movie_id])).await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a review and updates the movie's aggregates in one transaction.
pub async fn delete_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    existing: &review::Model,
) -> Result<(), DbErr> {
    let txn = begin_review_change(db, existing.movie_id).await?;
    review::Entity::delete_by_id(existing.id).exec(&txn).await?;
    refresh_ratings(&txn, Some(vec![existing.movie_id])).await?;
    super::content_changed(&txn).await?;
    txn.commit().await
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

/// Checked values of the movie form.
#[derive(Clone, Debug)]
pub struct MovieInput {
    pub title: String,
    pub year: i32,
    pub mpa: Option<MpaRating>,
    pub theatre: bool,
    pub synopsis: String,
    /// In credited order, without duplicates.
    pub directors: Vec<String>,
}

/// Splits the directors field (one name per line, or separated by commas) keeping the order.
pub fn parse_directors(raw: &str) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    for part in raw.split(['\n', ',']) {
        let name = part.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > 200 {
            return Err("Director names are at most 200 characters long.".into());
        }
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    if names.len() > 20 {
        return Err("List at most 20 directors.".into());
    }
    Ok(names)
}

async fn set_directors(
    db: &impl ConnectionTrait,
    movie_id: i32,
    names: &[String],
) -> Result<(), DbErr> {
    movie_director::Entity::delete_many()
        .filter(movie_director::Column::MovieId.eq(movie_id))
        .exec(db)
        .await?;
    if names.is_empty() {
        return Ok(());
    }
    // Existing people are reused, new ones created; the "update to itself" upsert is portable.
    person::Entity::insert_many(names.iter().map(|name| person::ActiveModel {
        name: Set(name.clone()),
        ..Default::default()
    }))
    .on_conflict(
        OnConflict::column(person::Column::Name)
            .update_column(person::Column::Name)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let people: HashMap<String, i32> = person::Entity::find()
        .filter(person::Column::Name.is_in(names.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.name.to_lowercase(), p.id))
        .collect();
    let links: Vec<movie_director::ActiveModel> = names
        .iter()
        .enumerate()
        .filter_map(|(position, name)| {
            people
                .get(&name.to_lowercase())
                .map(|person_id| movie_director::ActiveModel {
                    movie_id: Set(movie_id),
                    person_id: Set(*person_id),
                    position: Set(position as i32),
                })
        })
        .collect();
    if !links.is_empty() {
        movie_director::Entity::insert_many(links)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn movie_json(movie: &movie::Model, directors: &[String]) -> serde_json::Value {
    serde_json::json!({
        "title": movie.title,
        "year": movie.year,
        "mpa": movie.mpa.map(|r| r.as_str()),
        "theatre": movie.theatre,
        "directors": directors,
    })
}

/// Creates a movie with its directors in one transaction, audited.
pub async fn create_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    input: MovieInput,
    actor: &Actor,
) -> Result<movie::Model, DbErr> {
    let txn = super::begin_write(db).await?;
    let created = movie::ActiveModel {
        title: Set(input.title),
        year: Set(input.year),
        theatre: Set(input.theatre),
        synopsis: Set(input.synopsis),
        created_at: Set(Utc::now()),
        mpa: Set(input.mpa),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_directors(&txn, created.id, &input.directors).await?;
    let after = movie_json(&created, &input.directors);
    audit::record(
        &txn,
        actor,
        "movie.create",
        "movie",
        created.id,
        None,
        Some(after),
    )
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

/// Saves a movie and replaces its director list (order kept) in one transaction, audited.
pub async fn update_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    existing: movie::Model,
    input: MovieInput,
    actor: &Actor,
) -> Result<movie::Model, DbErr> {
    let txn = super::begin_write(db).await?;
    let id = existing.id;
    let before = movie_json(&existing, &[]);
    let mut active: movie::ActiveModel = existing.into();
    active.title = Set(input.title);
    active.year = Set(input.year);
    active.theatre = Set(input.theatre);
    active.synopsis = Set(input.synopsis);
    active.mpa = Set(input.mpa);
    let updated = active.update(&txn).await?;
    set_directors(&txn, id, &input.directors).await?;
    let after = movie_json(&updated, &input.directors);
    audit::record(
        &txn,
        actor,
        "movie.update",
        "movie",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a movie, audited; its director links and reviews go with it (ON DELETE CASCADE).
pub async fn delete_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    movie: &movie::Model,
    actor: &Actor,
) -> Result<(), DbErr> {
    let txn = super::begin_write(db).await?;
    movie::Entity::delete_by_id(movie.id).exec(&txn).await?;
    let before = movie_json(movie, &[]);
    audit::record(
        &txn,
        actor,
        "movie.delete",
        "movie",
        movie.id,
        Some(before),
        None,
    )
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directors_keep_their_order_and_lose_duplicates() {
        assert_eq!(
            parse_directors("Lana Wachowski\n  Lilly   Wachowski \nlana wachowski, Someone Else")
                .unwrap(),
            vec!["Lana Wachowski", "Lilly Wachowski", "Someone Else"]
        );
        assert!(parse_directors(&"x".repeat(201)).is_err());
        assert!(parse_directors("").unwrap().is_empty());
    }
}
