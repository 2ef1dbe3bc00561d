//! How the catalogue is filtered and sorted, and the SQL conditions a filter becomes.

use chrono::{Datelike, Utc};
use entity::enums::MpaRating;
use entity::{movie, movie_director, person};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{Condition, DbBackend, ExprTrait};

pub(super) fn current_decade() -> i32 {
    Utc::now().year() / 10 * 10
}

/// How the catalogue is filtered; every field comes from the query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct MovieFilter {
    pub q: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Selected ratings; `None` inside means "unrated".
    pub mpa: Vec<Option<MpaRating>>,
    pub theatre: Option<bool>,
    pub director: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MovieSort {
    #[default]
    Title,
    Year,
    Rating,
}

impl MovieSort {
    const ALL: [MovieSort; 3] = [MovieSort::Title, MovieSort::Year, MovieSort::Rating];

    /// The sort with this name ([`MovieSort::as_str`]), `None` for an unknown one (the API
    /// refuses it).
    pub fn named(raw: &str) -> Option<MovieSort> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == raw)
    }

    /// The sort with this name, the default for an unknown one (the page ignores it).
    pub fn parse(raw: &str) -> MovieSort {
        Self::named(raw).unwrap_or_default()
    }

    /// Whether the list runs descending: as asked (`Some(true)` for descending), else titles
    /// ascending and years and ratings descending, since those read best highest first.
    pub fn descending(self, asked: Option<bool>) -> bool {
        asked.unwrap_or(self != MovieSort::Title)
    }

    /// The sort's name in query strings; also the name table [`MovieSort::named`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            MovieSort::Title => "title",
            MovieSort::Year => "year",
            MovieSort::Rating => "rating",
        }
    }
}

pub(super) fn col(c: movie::Column) -> Expr {
    Expr::col((movie::Entity, c))
}

/// `+expr` on SQLite: the same value, which no index serves (SQLite's way to steer its planner
/// away from an index; a column's collation is kept). SQLite only: it is written with
/// SQLite's `?` placeholder for the expression.
pub(super) fn unindexed(expr: Expr) -> Expr {
    Expr::cust_with_expr("+?", expr)
}

impl MovieFilter {
    pub(super) fn text(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            condition = condition.add(crate::services::contains_text(col(movie::Column::Title), q));
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
                        .and_where(crate::services::contains_text(
                            Expr::col((person::Entity, person::Column::Name)),
                            name,
                        ))
                        .to_owned(),
                ),
            );
        }
        condition
    }

    pub(super) fn years(&self) -> Condition {
        self.years_of(col(movie::Column::Year))
    }

    pub(super) fn years_of(&self, year: Expr) -> Condition {
        let mut condition = Condition::all();
        if let Some(from) = self.year_from {
            condition = condition.add(year.clone().gte(from));
        }
        if let Some(to) = self.year_to {
            condition = condition.add(year.lte(to));
        }
        condition
    }

    pub(super) fn ratings(&self) -> Condition {
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

    pub(super) fn theatres(&self) -> Condition {
        match self.theatre {
            Some(flag) => Condition::all().add(col(movie::Column::Theatre).eq(flag)),
            None => Condition::all(),
        }
    }

    /// The list's rating, theatre and year filters (years tested on `year`). On SQLite they are
    /// written in one statement shape whatever the selection (see [`MovieFilter::one_shape`]);
    /// elsewhere as they read, which PostgreSQL plans better (in alternating runs the single
    /// shape was slower there and faster on SQLite).
    pub(super) fn list_conditions(&self, year: Expr, backend: DbBackend) -> Condition {
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
    pub(super) fn one_shape(&self, year: Expr) -> Condition {
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
    pub(super) fn few_conditions(&self) -> Condition {
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

    pub(super) fn has_text(&self) -> bool {
        let given = |v: &Option<String>| v.as_deref().is_some_and(|t| !t.trim().is_empty());
        given(&self.q) || given(&self.director)
    }
}
