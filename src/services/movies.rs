//! The movie catalogue: a faceted list (facet counts and the total in one statement, the page
//! of movies with their rating aggregates and directors in another), movie and person pages,
//! reviews (one per user and movie, decided by the unique key), and managing movies with their
//! ordered directors in one transaction.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use entity::enums::MpaRating;
use entity::{movie, movie_decade_facet, movie_director, movie_facet, person, review, user};
use sea_orm::sea_query::{
    Expr, Func, NullOrdering, OnConflict, Query, QueryStatementBuilder, SimpleExpr,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, ExprTrait, FromQueryResult, Order, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, TransactionSession, TransactionTrait,
};

use entity::enums::Permission;

use super::audit::{self, Actor};
use super::error::on_table;
use super::{Page, ServiceError};
use crate::domain::{CommentBody, CurrentUser, Directors, Rating, Synopsis, Title, Viewer, Year};
pub use crate::domain::{FIRST_YEAR, last_year};

pub const MOVIES_PER_PAGE: u64 = 24;
pub const REVIEWS_PER_PAGE: u64 = 10;
/// Decades shown as facets: the 1880s up to this decade.
pub const FIRST_DECADE: i32 = 1880;

/// Whether `viewer` may add, edit and delete movies.
pub fn can_manage(viewer: Viewer<'_>) -> bool {
    viewer.is_some_and(|u| u.can(Permission::ManageMovies))
}

/// Whether `viewer` may review movies.
pub fn can_review(viewer: Viewer<'_>) -> bool {
    viewer.is_some_and(|u| u.can(Permission::ReviewMovies))
}

/// The movie with this id.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<movie::Model, ServiceError> {
    movie::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
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

/// `+expr` on SQLite: the same value, which no index serves (SQLite's way to steer its planner
/// away from an index; a column's collation is kept). SQLite only: it is written with
/// SQLite's `?` placeholder for the expression.
fn unindexed(expr: Expr) -> Expr {
    Expr::cust_with_expr("+?", expr)
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
        self.years_of(col(movie::Column::Year))
    }

    fn years_of(&self, year: Expr) -> Condition {
        let mut condition = Condition::all();
        if let Some(from) = self.year_from {
            condition = condition.add(year.clone().gte(from));
        }
        if let Some(to) = self.year_to {
            condition = condition.add(year.lte(to));
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

    /// The list's rating, theatre and year filters (years tested on `year`). On SQLite they are
    /// written in one statement shape whatever the selection (see [`MovieFilter::one_shape`]);
    /// elsewhere as they read, which PostgreSQL plans better (in alternating runs the single
    /// shape was slower there and faster on SQLite).
    fn list_conditions(&self, year: Expr, backend: DbBackend) -> Condition {
        if backend == DbBackend::Sqlite {
            return self.one_shape(year);
        }
        Condition::all()
            .add(self.ratings())
            .add(self.theatres())
            .add(self.years_of(year))
    }

    /// The filters in one shape: the selected rating codes padded to the number of ratings (a
    /// repeat matches nothing new), "unrated" as a bound flag, the theatre flags and both year
    /// bounds always bound. Each sort of the list is then one prepared statement, where one
    /// shape per selection was more than an SQLite connection's statement cache holds, and
    /// most requests parsed and planned their statement again.
    fn one_shape(&self, year: Expr) -> Condition {
        let mut condition = Condition::all();
        if !self.mpa.is_empty() {
            let mut codes: Vec<&'static str> =
                self.mpa.iter().flatten().map(|r| r.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            // No code is the empty string (no rating is NULL).
            let pad = codes.first().copied().unwrap_or("");
            codes.resize(MpaRating::all().len(), pad);
            condition = condition.add(
                Condition::any()
                    .add(col(movie::Column::Mpa).is_in(codes))
                    .add(
                        Condition::all()
                            .add(col(movie::Column::Mpa).is_null())
                            .add(Expr::val(self.mpa.contains(&None))),
                    ),
            );
        }
        let flags = match self.theatre {
            Some(flag) => [flag, flag],
            None => [true, false],
        };
        // `+theatre`: the same test, which the index of migrations 21 and 22 (whose first
        // column it is) cannot serve. Without statistics SQLite would search that index for
        // both flags, that is every movie, and sort them all.
        condition
            .add(unindexed(col(movie::Column::Theatre)).is_in(flags))
            .add(year.clone().gte(self.year_from.unwrap_or(i32::MIN)))
            .add(year.lte(self.year_to.unwrap_or(i32::MAX)))
    }

    /// The rating, theatre and year filters as the index of migrations 21 and 22 is searched
    /// (on SQLite, for a selection read whole): both theatre flags or the chosen one, every
    /// rating or the chosen ones (unrated as `''`, padded to one `IN` list of fixed length),
    /// and both year bounds, always bound: one statement shape per sort.
    fn few_conditions(&self) -> Condition {
        let mut codes: Vec<&'static str> = if self.mpa.is_empty() {
            MpaRating::all()
                .iter()
                .map(|r| r.as_str())
                .chain([""])
                .collect()
        } else {
            self.mpa
                .iter()
                .map(|r| r.map_or("", |r| r.as_str()))
                .collect()
        };
        codes.sort_unstable();
        codes.dedup();
        let pad = codes.first().copied().unwrap_or("");
        codes.resize(MpaRating::all().len().saturating_add(1), pad);
        let flags = match self.theatre {
            Some(flag) => [flag, flag],
            None => [true, false],
        };
        let year = || col(movie::Column::Year);
        Condition::all()
            .add(col(movie::Column::Theatre).is_in(flags))
            // `''` written out, not bound: SQLite matches an indexed expression only when it is
            // the same expression, and a placeholder is not the same as `''`.
            .add(
                Expr::expr(Func::coalesce([col(movie::Column::Mpa), Expr::cust("''")]))
                    .is_in(codes),
            )
            .add(year().gte(self.year_from.unwrap_or(i32::MIN)))
            .add(year().lte(self.year_to.unwrap_or(i32::MAX)))
    }

    fn has_text(&self) -> bool {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
        given(&self.q) || given(&self.director)
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

/// The total and every facet count, in one statement. Without a text search they are sums over
/// the maintained `movie_facet` counts (a few hundred rows, whatever the catalogue's size);
/// with one, a pass over the matching movies.
pub async fn facets(db: &impl ConnectionTrait, filter: &MovieFilter) -> Result<Facets, DbErr> {
    if filter.has_text() {
        return facets_by_scan(db, filter).await;
    }
    let cells = facet_cells(db, filter).await?;
    Ok(Facets::from_cells(&cells, filter))
}

/// The maintained counts of one (rating, in theatres, decade) combination: every movie, and
/// those within the year filter. Read as a JSON array `[mpa, theatre (1 or 0), decade,
/// movies, in_years]` (see [`facet_cells`]).
// serde reads a struct from a JSON array in field order.
#[derive(Clone, Debug, serde::Deserialize)]
struct FacetCell {
    mpa: String,
    theatre: u8,
    decade: i32,
    movies: i64,
    in_years: i64,
}

/// `expr` as a 64-bit integer on every backend (MySQL sums to DECIMAL, PostgreSQL's
/// `integer` columns are 32-bit).
fn as_integer(db: &impl ConnectionTrait, expr: Expr) -> Expr {
    let integer = match db.get_database_backend() {
        sea_orm::DatabaseBackend::MySql => "SIGNED",
        _ => "BIGINT",
    };
    Expr::expr(Func::cast_as(expr, sea_orm::sea_query::Alias::new(integer)))
}

/// `SUM` of an integer column as a 64-bit integer on every backend.
fn sum_as_integer(db: &impl ConnectionTrait, expr: Expr) -> Expr {
    as_integer(db, Func::sum(expr).into())
}

/// The maintained per-decade counts (`movie_decade_facet`, a row per rating, in-theatres flag
/// and decade), each with the movies within the year filter: the whole decade when the filter
/// takes it whole, none when it leaves it out, and a sum over the per-year rows
/// (`movie_facet`) only for the decades it cuts. One statement, reading a hundred-odd rows
/// and answering them as one JSON array in one row: each row a driver hands over costs a
/// round of its channel (on SQLite a wake-up of the connection's thread and the request's
/// task), and this page's hundred-odd cells were most of its rows.
async fn facet_cells(
    db: &impl ConnectionTrait,
    filter: &MovieFilter,
) -> Result<Vec<FacetCell>, DbErr> {
    let decade = || {
        Expr::col((
            movie_decade_facet::Entity,
            movie_decade_facet::Column::Decade,
        ))
    };
    let movies = || {
        Expr::col((
            movie_decade_facet::Entity,
            movie_decade_facet::Column::Movies,
        ))
    };
    let (from, to) = (filter.year_from, filter.year_to);
    let in_years = if from.is_none() && to.is_none() {
        movies()
    } else {
        // A decade is outside when it ends before `from` or starts after `to`, and whole
        // when it starts at or after `from` and ends at or before `to`.
        let mut outside = Condition::any();
        let mut whole = Condition::all();
        if let Some(from) = from {
            outside = outside.add(decade().lt(decade_of(from)));
            whole = whole.add(decade().gte(from));
        }
        if let Some(to) = to {
            outside = outside.add(decade().gt(to));
            whole = whole.add(decade().lte(to.saturating_sub(9)));
        }
        let same = |column: movie_facet::Column, other: movie_decade_facet::Column| {
            Expr::col((movie_facet::Entity, column)).equals((movie_decade_facet::Entity, other))
        };
        let in_years_of_decade = Query::select()
            .expr(sum_as_integer(
                db,
                Expr::col((movie_facet::Entity, movie_facet::Column::Movies)),
            ))
            .from(movie_facet::Entity)
            .and_where(same(
                movie_facet::Column::Mpa,
                movie_decade_facet::Column::Mpa,
            ))
            .and_where(same(
                movie_facet::Column::Theatre,
                movie_decade_facet::Column::Theatre,
            ))
            .and_where(same(
                movie_facet::Column::Decade,
                movie_decade_facet::Column::Decade,
            ))
            .cond_where(
                filter.years_of(Expr::col((movie_facet::Entity, movie_facet::Column::Year))),
            )
            .take();
        Expr::case(outside, Expr::val(0))
            .case(whole, movies())
            .finally(Func::coalesce([
                Expr::SubQuery(
                    None,
                    Box::new(in_years_of_decade.into_sub_query_statement()),
                ),
                Expr::val(0),
            ]))
            .into()
    };
    let theatre = super::json_flag(Expr::col((
        movie_decade_facet::Entity,
        movie_decade_facet::Column::Theatre,
    )));
    let cells = Query::select()
        .column(movie_decade_facet::Column::Mpa)
        .expr_as(theatre, "theatre")
        .column(movie_decade_facet::Column::Decade)
        .expr_as(as_integer(db, movies()), "movies")
        .expr_as(as_integer(db, in_years), "in_years")
        .from(movie_decade_facet::Entity)
        .take();
    let cell = sea_orm::sea_query::Alias::new("cell");
    let fields = ["mpa", "theatre", "decade", "movies", "in_years"]
        .map(|name| Expr::col((cell.clone(), sea_orm::sea_query::Alias::new(name))));
    let query = Query::select()
        .expr_as(super::json_rows(db.get_database_backend(), fields), "cells")
        .from_subquery(cells, cell)
        .take();
    let Some(row) = db.query_one(&query).await? else {
        return Ok(Vec::new());
    };
    super::from_json_rows(row.try_get::<Option<String>>("", "cells")?, "facet cells")
}

impl Facets {
    /// The facets from the maintained counts: each facet with every *other* filter applied.
    fn from_cells(cells: &[FacetCell], filter: &MovieFilter) -> Facets {
        let ratings: Vec<Option<MpaRating>> = MpaRating::all()
            .into_iter()
            .map(Some)
            .chain([None])
            .collect();
        let mut facets = Facets {
            mpa: ratings.iter().map(|r| (*r, 0)).collect(),
            ..Facets::default()
        };
        let mut decades: std::collections::BTreeMap<i32, u64> = Default::default();
        for cell in cells {
            let rating = MpaRating::parse(&cell.mpa);
            // A code no longer known counts as no rating, as the movie list shows it.
            let rating_ok = filter.mpa.is_empty() || filter.mpa.contains(&rating);
            let theatre_ok = filter.theatre.is_none_or(|t| t == (cell.theatre != 0));
            let movies = u64::try_from(cell.movies).unwrap_or(0);
            let in_years = u64::try_from(cell.in_years).unwrap_or(0);
            if rating_ok && theatre_ok {
                facets.total = facets.total.saturating_add(in_years);
                let decade = decades.entry(cell.decade).or_default();
                *decade = decade.saturating_add(movies);
            }
            if theatre_ok && let Some((_, n)) = facets.mpa.iter_mut().find(|(r, _)| *r == rating) {
                *n = n.saturating_add(in_years);
            }
            if rating_ok {
                let side = if cell.theatre != 0 {
                    &mut facets.theatre.0
                } else {
                    &mut facets.theatre.1
                };
                *side = side.saturating_add(in_years);
            }
        }
        facets.decades = decades.into_iter().filter(|(_, n)| *n > 0).collect();
        facets
    }
}

/// The decade a year falls in (1990 for 1994), as the facet counts key it.
fn decade_of(year: i32) -> i32 {
    year.saturating_sub(year.rem_euclid(10))
}

/// The key of a movie in the maintained facet counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FacetKey {
    pub mpa: Option<MpaRating>,
    pub year: i32,
    pub theatre: bool,
}

impl From<&movie::Model> for FacetKey {
    fn from(movie: &movie::Model) -> FacetKey {
        FacetKey {
            mpa: movie.mpa,
            year: movie.year,
            theatre: movie.theatre,
        }
    }
}

/// Adds `delta` movies to each key's maintained count (negative to take them away), in the
/// caller's transaction: one upsert per distinct key.
pub async fn count_in_facets(
    txn: &impl ConnectionTrait,
    changes: impl IntoIterator<Item = (FacetKey, i32)>,
) -> Result<(), DbErr> {
    let mut by_key: HashMap<FacetKey, i32> = HashMap::new();
    for (key, delta) in changes {
        let n = by_key.entry(key).or_default();
        *n = n.saturating_add(delta);
    }
    for (&key, &delta) in by_key.iter().filter(|(_, d)| **d != 0) {
        let decade = decade_of(key.year);
        movie_facet::Entity::insert(movie_facet::ActiveModel {
            mpa: Set(key.mpa.map_or("", |r| r.as_str()).to_owned()),
            year: Set(key.year),
            theatre: Set(key.theatre),
            decade: Set(decade),
            movies: Set(Ord::max(delta, 0)),
        })
        .on_conflict(
            OnConflict::columns([
                movie_facet::Column::Mpa,
                movie_facet::Column::Theatre,
                movie_facet::Column::Decade,
                movie_facet::Column::Year,
            ])
            .value(
                movie_facet::Column::Movies,
                Expr::col((movie_facet::Entity, movie_facet::Column::Movies)).add(delta),
            )
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let mut by_decade: HashMap<(Option<MpaRating>, bool, i32), i32> = HashMap::new();
    for (key, delta) in by_key {
        let decade = decade_of(key.year);
        let n = by_decade.entry((key.mpa, key.theatre, decade)).or_default();
        *n = n.saturating_add(delta);
    }
    for ((mpa, theatre, decade), delta) in by_decade.into_iter().filter(|(_, d)| *d != 0) {
        movie_decade_facet::Entity::insert(movie_decade_facet::ActiveModel {
            mpa: Set(mpa.map_or("", |r| r.as_str()).to_owned()),
            theatre: Set(theatre),
            decade: Set(decade),
            movies: Set(Ord::max(delta, 0)),
        })
        .on_conflict(
            OnConflict::columns([
                movie_decade_facet::Column::Mpa,
                movie_decade_facet::Column::Theatre,
                movie_decade_facet::Column::Decade,
            ])
            .value(
                movie_decade_facet::Column::Movies,
                Expr::col((
                    movie_decade_facet::Entity,
                    movie_decade_facet::Column::Movies,
                ))
                .add(delta),
            )
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// The total and every facet count in one pass over the matching movies (conditional
/// aggregation): the path for text searches, which the maintained counts cannot answer.
async fn facets_by_scan(db: &impl ConnectionTrait, filter: &MovieFilter) -> Result<Facets, DbErr> {
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
        .column(movie::Column::DirectorList)
}

/// A selection without a text search of at most this many movies, at the first page, is read
/// whole on SQLite: its page is found and sorted from the index of migration 22, rather than by
/// reading a sort's index in order (see [`list_select`] and [`reads_whole`]).
pub const FEW_MOVIES: u64 = 256;

/// Whether SQLite finds a page of a selection of `total` movies by reading the whole selection
/// (its ids and sort keys, from one index) and sorting it, rather than by reading a sort's index
/// in order until the page is found. Reading the selection costs about as much for every page
/// of it, growing with its size; reading a sort's index in order passes over every movie the
/// selection leaves out before the page, so it costs less as the selection grows and more as
/// the page deepens. They cost the same where `total²` grows with the page number (timed at
/// 10,020 movies: the same at about 270 movies on page 1 and 500 on page 3), so a selection is
/// read whole up to [`FEW_MOVIES`] × √page movies.
pub fn reads_whole(total: u64, page: u64) -> bool {
    total.saturating_mul(total)
        <= FEW_MOVIES
            .saturating_pow(2)
            .saturating_mul(Ord::max(page, 1))
}

/// One page of the catalogue in one statement, directors included (the count comes with the
/// facets: `total`, which also chooses how the page is read).
pub async fn list_movies(
    db: &impl ConnectionTrait,
    filter: &MovieFilter,
    sort: MovieSort,
    descending: bool,
    page: u64,
    total: u64,
) -> Result<Page<MovieCard>, DbErr> {
    let (query, keys) = list_query(
        db.get_database_backend(),
        filter,
        sort,
        descending,
        page,
        total,
    );
    Ok(Page {
        items: cards(db, query, &keys).await?,
        number: page,
        pages: total.div_ceil(MOVIES_PER_PAGE),
        total,
    })
}

/// The page's rows as [`list_movies`] selects them (without the directors), for reading its
/// plan.
pub fn list_select(
    backend: DbBackend,
    filter: &MovieFilter,
    sort: MovieSort,
    descending: bool,
    page: u64,
    total: u64,
) -> sea_orm::Select<movie::Entity> {
    list_query(backend, filter, sort, descending, page, total).0
}

/// The page's rows and the keys they are ordered by. Each order is what one index of
/// migration 11 holds (years and ratings newest and best first, then title and id), so a page
/// reads the index in order, tests the filters there and stops after a page. That passes over
/// every movie a selection leaves out before the page: for a narrow one on SQLite (no text
/// search, [`reads_whole`]) the page's ids are instead found in a subquery that searches the
/// index of migration 22 as its filters are written, with the sort keys as `+key` (the same
/// values, which no index serves), so SQLite reads only the selected movies' index entries,
/// sorts them there, and reads the table for the page's movies alone. Those rows come back
/// unordered: [`cards`] numbers them by `keys`.
fn list_query(
    backend: DbBackend,
    filter: &MovieFilter,
    sort: MovieSort,
    descending: bool,
    page: u64,
    total: u64,
) -> (sea_orm::Select<movie::Entity>, Vec<(SortKey, Order)>) {
    let order = if descending { Order::Desc } else { Order::Asc };
    let keys = match sort {
        MovieSort::Title => vec![(SortKey::Title, order.clone()), (SortKey::Id, order)],
        MovieSort::Year => vec![
            (SortKey::Year, order),
            (SortKey::Title, Order::Asc),
            (SortKey::Id, Order::Asc),
        ],
        // Unrated movies last either way.
        MovieSort::Rating => vec![
            (SortKey::Rating, order),
            (SortKey::Title, Order::Asc),
            (SortKey::Id, Order::Asc),
        ],
    };
    let page_of = |mut query: sea_orm::Select<movie::Entity>, indexed: bool| {
        for (key, order) in &keys {
            let column = if indexed {
                key.column()
            } else {
                unindexed(key.column())
            };
            query = match key {
                SortKey::Rating => {
                    query.order_by_with_nulls(column, order.clone(), NullOrdering::Last)
                }
                _ => query.order_by(column, order.clone()),
            };
        }
        query
            .limit(MOVIES_PER_PAGE)
            .offset(super::offset(page, MOVIES_PER_PAGE))
    };
    let whole = backend == DbBackend::Sqlite && !filter.has_text() && reads_whole(total, page);
    let query = if whole {
        let ids = movie::Entity::find()
            .select_only()
            .column(movie::Column::Id)
            .filter(filter.few_conditions());
        movie_rows().filter(col(movie::Column::Id).in_subquery(page_of(ids, false).into_query()))
    } else {
        // Sorted by title or rating, the page is cheapest read from that sort's index,
        // checking the year there; offered a bare `year` range, SQLite searches the year
        // index instead and sorts every movie of those years. `year + 0` is the same test
        // without the index.
        let year = match sort {
            MovieSort::Year => col(movie::Column::Year),
            MovieSort::Title | MovieSort::Rating => col(movie::Column::Year).add(0),
        };
        let rows = movie_rows()
            .filter(filter.text())
            .filter(filter.list_conditions(year, backend));
        page_of(rows, true)
    };
    (query, keys)
}

/// What a page of movies is ordered by.
#[derive(Clone, Copy, Debug)]
enum SortKey {
    Title,
    Id,
    Year,
    Rating,
}

impl SortKey {
    fn column(self) -> Expr {
        col(match self {
            SortKey::Title => movie::Column::Title,
            SortKey::Id => movie::Column::Id,
            SortKey::Year => movie::Column::Year,
            SortKey::Rating => movie::Column::RatingAvg,
        })
    }

    /// The column's name in [`movie_rows`].
    fn alias(self) -> &'static str {
        match self {
            SortKey::Title => "title",
            SortKey::Id => "id",
            SortKey::Year => "year",
            SortKey::Rating => "avg_rating",
        }
    }
}

/// One movie of a [`cards`] page, read from a JSON array in field order: the [`MovieRow`]
/// columns (`theatre` as 1 or 0), the stored director list and the movie's place on the page.
#[derive(Debug, serde::Deserialize)]
struct CardCell {
    id: i32,
    title: String,
    year: i32,
    theatre: u8,
    synopsis: String,
    mpa: Option<String>,
    avg_rating: Option<f64>,
    review_count: i32,
    director_list: Option<String>,
    place: i64,
}

/// The movies `rows` selects (filtered, ordered by `keys`, limited) with their directors, in
/// one statement and one row: the page as a derived table, numbered in its order (a derived
/// table's order is not kept), answered as one JSON array. The directors come stored with each
/// movie (`movie.director_list`, migration 20); only movies written by other means, without
/// one, have them looked up, in a second statement.
async fn cards(
    db: &impl ConnectionTrait,
    rows: sea_orm::Select<movie::Entity>,
    keys: &[(SortKey, Order)],
) -> Result<Vec<MovieCard>, DbErr> {
    use sea_orm::sea_query::{Alias, Asterisk, WindowStatement};
    let page = || Alias::new("page");
    let mut order = WindowStatement::new();
    for (key, direction) in keys {
        let column = Expr::col((page(), Alias::new(key.alias())));
        match key {
            SortKey::Rating => {
                order.order_by_expr_with_nulls(column, direction.clone(), NullOrdering::Last)
            }
            _ => order.order_by_expr(column, direction.clone()),
        };
    }
    let numbered = Query::select()
        .column((page(), Asterisk))
        .expr_window_as(Func::cust(Alias::new("ROW_NUMBER")), order, "place")
        .from_subquery(rows.into_query(), page())
        .take();
    let card = || Alias::new("card");
    let field = |name: &str| Expr::col((card(), Alias::new(name)));
    let fields = [
        field("id"),
        field("title"),
        field("year"),
        super::json_flag(field("theatre")),
        field("synopsis"),
        field("mpa"),
        field("avg_rating"),
        field("review_count"),
        field("director_list"),
        field("place"),
    ];
    let query = Query::select()
        .expr_as(super::json_rows(db.get_database_backend(), fields), "cards")
        .from_subquery(numbered, card())
        .take();
    let Some(row) = db.query_one(&query).await? else {
        return Ok(Vec::new());
    };
    let mut cells: Vec<CardCell> =
        super::from_json_rows(row.try_get::<Option<String>>("", "cards")?, "movie cards")?;
    cells.sort_by_key(|cell| cell.place);
    let mut cards = Vec::with_capacity(cells.len());
    let mut unlisted = Vec::new();
    for cell in cells {
        let stored: Option<Vec<(i32, String)>> = cell
            .director_list
            .as_deref()
            .and_then(|list| serde_json::from_str(list).ok());
        if stored.is_none() {
            unlisted.push(cell.id);
        }
        cards.push(MovieCard {
            row: MovieRow {
                id: cell.id,
                title: cell.title,
                year: cell.year,
                theatre: cell.theatre != 0,
                synopsis: cell.synopsis,
                mpa: cell.mpa.as_deref().and_then(MpaRating::parse),
                avg_rating: cell.avg_rating,
                review_count: cell.review_count,
            },
            directors: stored.unwrap_or_default(),
        });
    }
    if !unlisted.is_empty() {
        let mut found = directors_of(db, unlisted).await?;
        for card in &mut cards {
            if let Some(directors) = found.remove(&card.row.id) {
                card.directors = directors;
            }
        }
    }
    Ok(cards)
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

/// A movie with its aggregates and directors (one statement).
pub async fn movie(db: &impl ConnectionTrait, id: i32) -> Result<Option<MovieCard>, DbErr> {
    let rows = movie_rows().filter(col(movie::Column::Id).eq(id));
    Ok(cards(db, rows, &[]).await?.into_iter().next())
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

/// The checked values of the review form.
#[derive(Clone, Debug)]
pub struct ReviewInput {
    pub rating: Rating,
    pub body: CommentBody,
}

fn already_reviewed() -> ServiceError {
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
async fn begin_review_change<C: TransactionTrait>(
    db: &C,
    movie_id: i32,
) -> Result<C::Transaction, ServiceError> {
    let txn = super::begin_content_change(db).await?;
    movie::Entity::find_by_id(movie_id)
        .select_only()
        .column(movie::Column::Id)
        .lock_exclusive()
        .into_tuple::<i32>()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(txn)
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
    txn.commit().await?;
    Ok(created)
}

/// Saves `user`'s own review and updates the movie's aggregates in one transaction.
pub async fn update_review(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    movie_id: i32,
    review_id: i32,
    input: ReviewInput,
) -> Result<review::Model, ServiceError> {
    let existing = own_review(db, user, movie_id, review_id).await?;
    let txn = begin_review_change(db, movie_id).await?;
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
    pub title: Title,
    pub year: Year,
    pub mpa: Option<MpaRating>,
    pub theatre: bool,
    pub synopsis: Synopsis,
    /// In credited order, without duplicates.
    pub directors: Directors,
}

/// Replaces the movie's director links (people reused by name, new ones created) and stores
/// the list its card shows (`movie.director_list`), in the caller's transaction.
async fn set_directors(
    db: &impl ConnectionTrait,
    movie_id: i32,
    names: &[String],
) -> Result<(), DbErr> {
    movie_director::Entity::delete_many()
        .filter(movie_director::Column::MovieId.eq(movie_id))
        .exec(db)
        .await?;
    let mut credited: Vec<(i32, String)> = Vec::new();
    if !names.is_empty() {
        // Existing people are reused, new ones created; the "update to itself" upsert is
        // portable.
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
        let people: HashMap<String, (i32, String)> = person::Entity::find()
            .filter(person::Column::Name.is_in(names.to_vec()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.name.to_lowercase(), (p.id, p.name)))
            .collect();
        credited = names
            .iter()
            .filter_map(|name| people.get(&name.to_lowercase()).cloned())
            .collect();
        let links: Vec<movie_director::ActiveModel> = (0..)
            .zip(&credited)
            .map(|(position, (person_id, _))| movie_director::ActiveModel {
                movie_id: Set(movie_id),
                person_id: Set(*person_id),
                position: Set(position),
            })
            .collect();
        if !links.is_empty() {
            movie_director::Entity::insert_many(links)
                .exec_without_returning(db)
                .await?;
        }
    }
    store_director_lists(db, vec![(movie_id, director_list(&credited)?)]).await
}

/// Stores the director lists of movies whose links were written directly (the seed), from
/// their links.
pub async fn refresh_director_lists(
    db: &impl ConnectionTrait,
    movie_ids: Vec<i32>,
) -> Result<(), DbErr> {
    let found = directors_of(db, movie_ids.clone()).await?;
    let lists = movie_ids
        .into_iter()
        .map(|id| {
            let directors = found.get(&id).map_or(&[][..], Vec::as_slice);
            Ok((id, director_list(directors)?))
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    store_director_lists(db, lists).await
}

/// A movie's directors as its card shows them and `movie.director_list` stores them: JSON
/// `[[person id, "name"], …]` in credited order.
fn director_list(directors: &[(i32, String)]) -> Result<String, DbErr> {
    serde_json::to_string(directors).map_err(|e| DbErr::Json(format!("director list: {e}")))
}

/// Stores director lists (`(movie id, director_list)`).
async fn store_director_lists(
    db: &impl ConnectionTrait,
    lists: Vec<(i32, String)>,
) -> Result<(), DbErr> {
    for (movie_id, list) in lists {
        movie::Entity::update_many()
            .col_expr(movie::Column::DirectorList, Expr::val(list))
            .filter(movie::Column::Id.eq(movie_id))
            .exec(db)
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

/// Creates a movie with its directors in one transaction (`manage_movies`; audited).
pub async fn create_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    input: MovieInput,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let actor = Actor::of(user, ip);
    let txn = super::begin_content_change(db).await?;
    let created = movie::ActiveModel {
        title: Set(input.title.into_inner()),
        year: Set(input.year.get()),
        theatre: Set(input.theatre),
        synopsis: Set(input.synopsis.into_inner()),
        created_at: Set(Utc::now()),
        mpa: Set(input.mpa),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    count_in_facets(&txn, [(FacetKey::from(&created), 1)]).await?;
    set_directors(&txn, created.id, input.directors.names()).await?;
    let after = movie_json(&created, input.directors.names());
    audit::record(
        &txn,
        &actor,
        "movie.create",
        "movie",
        created.id,
        None,
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Saves a movie and replaces its director list (order kept) in one transaction
/// (`manage_movies`; audited).
pub async fn update_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    input: MovieInput,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let actor = Actor::of(user, ip);
    let txn = super::begin_content_change(db).await?;
    // The row as it is now, locked: the facet count to take it out of must be its current one.
    let existing = movie::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let before = movie_json(&existing, &[]);
    let old_key = FacetKey::from(&existing);
    let mut active: movie::ActiveModel = existing.into();
    active.title = Set(input.title.into_inner());
    active.year = Set(input.year.get());
    active.theatre = Set(input.theatre);
    active.synopsis = Set(input.synopsis.into_inner());
    active.mpa = Set(input.mpa);
    let updated = active.update(&txn).await?;
    count_in_facets(&txn, [(old_key, -1), (FacetKey::from(&updated), 1)]).await?;
    set_directors(&txn, id, input.directors.names()).await?;
    let after = movie_json(&updated, input.directors.names());
    audit::record(
        &txn,
        &actor,
        "movie.update",
        "movie",
        id,
        Some(before),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a movie (`manage_movies`; audited); its director links and reviews go with it
/// (ON DELETE CASCADE). Returns the movie as it was.
pub async fn delete_movie(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
) -> Result<movie::Model, ServiceError> {
    user.require(Permission::ManageMovies)?;
    let actor = Actor::of(user, ip);
    let txn = super::begin_content_change(db).await?;
    // Counted out as it is now (locked), and only if this transaction deleted it.
    let current = movie::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    movie::Entity::delete_by_id(id).exec(&txn).await?;
    count_in_facets(&txn, [(FacetKey::from(&current), -1)]).await?;
    let before = movie_json(&current, &[]);
    audit::record(
        &txn,
        &actor,
        "movie.delete",
        "movie",
        id,
        Some(before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::QueryTrait;

    /// The list's filter as SQL (values bound apart) and its values.
    fn filtered(filter: &MovieFilter) -> (String, usize) {
        let statement = movie::Entity::find()
            .filter(filter.list_conditions(col(movie::Column::Year), DbBackend::Sqlite))
            .build(DbBackend::Sqlite);
        let values = statement.values.map_or(0, |v| v.0.len());
        (statement.sql, values)
    }

    /// A selection is read whole up to FEW_MOVIES movies on page 1 and twice as many on page
    /// 4 (√4 = 2), whatever the numbers.
    #[test]
    fn a_selection_is_read_whole_up_to_few_movies_times_the_root_of_the_page() {
        for (total, page, whole) in [
            (0, 1, true),
            (FEW_MOVIES, 1, true),
            (FEW_MOVIES + 1, 1, false),
            (FEW_MOVIES, 0, true),
            (FEW_MOVIES + 1, 0, false),
            (2 * FEW_MOVIES, 4, true),
            (2 * FEW_MOVIES + 1, 4, false),
            (u64::MAX, 1, false),
            (1, u64::MAX, true),
        ] {
            assert_eq!(
                reads_whole(total, page),
                whole,
                "{total} movies, page {page}"
            );
        }
    }

    /// Both ways of reading a page on SQLite: the unindexed terms are `+term`, and every value
    /// has its placeholder (a custom expression written with another backend's placeholder
    /// would bind the values one place off).
    #[test]
    fn on_sqlite_list_statements_bind_every_value_and_write_unindexed_terms_with_a_plus() {
        let filter = MovieFilter {
            mpa: vec![Some(MpaRating::R), None],
            theatre: Some(true),
            year_from: Some(1980),
            ..Default::default()
        };
        for (total, expected) in [
            (
                FEW_MOVIES,
                r#"ORDER BY +"movie"."rating_avg" DESC NULLS LAST, +"movie"."title" ASC"#,
            ),
            // The indexed expression exactly (migration 22), or SQLite cannot search it.
            (
                FEW_MOVIES,
                r#"COALESCE("movie"."mpa", '') IN (?, ?, ?, ?, ?, ?)"#,
            ),
            (FEW_MOVIES * 100, r#"(+"movie"."theatre") IN (?, ?)"#),
        ] {
            let statement = list_select(
                DbBackend::Sqlite,
                &filter,
                MovieSort::Rating,
                true,
                2,
                total,
            )
            .build(DbBackend::Sqlite);
            let values = statement.values.map_or(0, |v| v.0.len());
            assert!(statement.sql.contains(expected), "{}", statement.sql);
            assert!(!statement.sql.contains('$'), "{}", statement.sql);
            assert_eq!(
                statement.sql.matches('?').count(),
                values,
                "{}",
                statement.sql
            );
        }
    }

    #[test]
    fn on_sqlite_every_selection_of_ratings_theatres_and_years_is_one_statement_shape() {
        use MpaRating::*;
        let selections = [
            MovieFilter {
                mpa: vec![Some(R)],
                ..Default::default()
            },
            MovieFilter {
                mpa: vec![Some(R), Some(Pg), None, Some(R), Some(R), Some(R), Some(R)],
                theatre: Some(true),
                year_from: Some(1990),
                ..Default::default()
            },
            MovieFilter {
                mpa: vec![None],
                theatre: Some(false),
                year_to: Some(1999),
                ..Default::default()
            },
            MovieFilter {
                mpa: MpaRating::all()
                    .into_iter()
                    .map(Some)
                    .chain([None])
                    .collect(),
                year_from: Some(1990),
                year_to: Some(1999),
                ..Default::default()
            },
        ];
        let shapes: Vec<(String, usize)> = selections.iter().map(filtered).collect();
        assert!(shapes.iter().all(|s| *s == shapes[0]), "{shapes:#?}");
    }
}
