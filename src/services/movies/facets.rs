//! The filter sidebar's counts: read from the maintained facet tables where the filter allows,
//! else counted over the movies; kept in every movie change's transaction.

use std::collections::HashMap;

use entity::enums::MpaRating;
use entity::{movie, movie_decade_facet, movie_facet};
use sea_orm::sea_query::{Expr, Func, OnConflict, Query, QueryStatementBuilder, SimpleExpr};
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, DbErr, EntityTrait, ExprTrait};

use super::{FIRST_DECADE, filter::*};

/// Counts for the filter sidebar. Each facet counts with every *other* filter applied, so the
/// numbers say what choosing that value would give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub total: u64,
    pub mpa: Vec<(Option<MpaRating>, u64)>,
    pub decades: Vec<(i32, u64)>,
    pub theatre: (u64, u64),
}

pub(super) fn count_when(condition: Condition) -> SimpleExpr {
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
pub(super) struct FacetCell {
    mpa: String,
    theatre: u8,
    decade: i32,
    movies: i64,
    in_years: i64,
}

/// `expr` as a 64-bit integer on every backend (MySQL sums to DECIMAL, PostgreSQL's
/// `integer` columns are 32-bit).
pub(super) fn as_integer(db: &impl ConnectionTrait, expr: Expr) -> Expr {
    let integer = match db.get_database_backend() {
        sea_orm::DatabaseBackend::MySql => "SIGNED",
        _ => "BIGINT",
    };
    Expr::expr(Func::cast_as(expr, sea_orm::sea_query::Alias::new(integer)))
}

/// `SUM` of an integer column as a 64-bit integer on every backend.
pub(super) fn sum_as_integer(db: &impl ConnectionTrait, expr: Expr) -> Expr {
    as_integer(db, Func::sum(expr).into())
}

/// The maintained per-decade counts (`movie_decade_facet`, a row per rating, in-theatres flag
/// and decade), each with the movies within the year filter: the whole decade when the filter
/// takes it whole, none when it leaves it out, and a sum over the per-year rows
/// (`movie_facet`) only for the decades it cuts. One statement, reading a hundred-odd rows
/// and answering them as one JSON array in one row: each row a driver hands over costs a
/// round of its channel (on SQLite a wake-up of the connection's thread and the request's
/// task), and this page's hundred-odd cells were most of its rows.
pub(super) async fn facet_cells(
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
    let theatre = crate::services::json_flag(Expr::col((
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
        .expr_as(
            crate::services::json_rows(db.get_database_backend(), fields),
            "cells",
        )
        .from_subquery(cells, cell)
        .take();
    let Some(row) = db.query_one(&query).await? else {
        return Ok(Vec::new());
    };
    crate::services::from_json_rows(row.try_get::<Option<String>>("", "cells")?, "facet cells")
}

impl Facets {
    /// The facets from the maintained counts: each facet with every *other* filter applied.
    pub(super) fn from_cells(cells: &[FacetCell], filter: &MovieFilter) -> Facets {
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
pub(super) fn decade_of(year: i32) -> i32 {
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
pub(super) async fn facets_by_scan(
    db: &impl ConnectionTrait,
    filter: &MovieFilter,
) -> Result<Facets, DbErr> {
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
