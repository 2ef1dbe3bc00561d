//! Suggestions, each with its reason: "more like this" on a film's page (films by the same
//! director, films the members who rated this one highly also rated highly, then films of the
//! same decade and MPA rating), and "for you" for a signed-in member (from the films they rated
//! highly). Never a film the member has reviewed or marked seen.
//!
//! Each is one statement walking indexes from the film or the member: the film's directors
//! (`movie_director` by film, then by person), its high ratings' members and their other high
//! ratings (`review` by film, then by member), its decade and rating (`movie` by theatre flag,
//! rating and year: the catalogue's selection index on SQLite). No statement reads every
//! review.

use entity::enums::MpaRating;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};

use crate::domain::Viewer;

use super::reviews::MovieRef;

/// Suggestions shown at most.
pub const SUGGESTIONS: usize = 6;
/// A rating from which a review counts as liking the film.
pub const LIKED: i32 = 8;
/// Films of the same decade and rating a film's suggestions consider: the best rated, read from
/// the selection index, so the films joined and sorted after it stay few however large the
/// decade (a member's exclusions come after, so there are more than the six shown).
const DECADE_CANDIDATES: u64 = 24;
/// The member's own ratings "for you" starts from: their best, at most this many.
const FOR_YOU_SOURCES: u64 = 20;

/// Why a film is suggested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Directed by someone who directed the film it is suggested beside.
    SameDirector { name: String },
    /// Rated highly by `members` members who rated the film highly.
    LikedTogether { members: i64 },
    /// Of the same decade and MPA rating.
    SameDecade { decade: i32, mpa: Option<MpaRating> },
    /// By a director of `title`, which the member rated `rating`.
    DirectorOfYours { title: String, rating: i32 },
    /// Rated highly by members who also rated `title` highly, as the member did (`rating`).
    BecauseYouRated { title: String, rating: i32 },
}

impl Reason {
    /// The reason as a sentence.
    pub fn text(&self) -> String {
        match self {
            Reason::SameDirector { name } => format!("Also directed by {name}"),
            Reason::LikedTogether { members: 1 } => {
                "A member who liked this film liked it too".to_owned()
            }
            Reason::LikedTogether { members } => {
                format!("{members} members who liked this film liked it too")
            }
            Reason::SameDecade { decade, mpa } => match mpa {
                Some(mpa) => format!("Also from the {decade}s, also rated {}", mpa.as_str()),
                None => format!("Also from the {decade}s"),
            },
            Reason::DirectorOfYours { title, rating } => {
                format!("Same director as {title}, which you rated {rating}")
            }
            Reason::BecauseYouRated { title, rating } => {
                format!("Because you rated {title} {rating}")
            }
        }
    }

    /// `same_director`, `liked_together`, `same_decade`, `director_of_yours` or
    /// `because_you_rated`.
    pub fn kind(&self) -> &'static str {
        match self {
            Reason::SameDirector { .. } => "same_director",
            Reason::LikedTogether { .. } => "liked_together",
            Reason::SameDecade { .. } => "same_decade",
            Reason::DirectorOfYours { .. } => "director_of_yours",
            Reason::BecauseYouRated { .. } => "because_you_rated",
        }
    }
}

/// A film suggested, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub movie: MovieRef,
    pub reason: Reason,
}

#[derive(Debug, FromQueryResult)]
struct Candidate {
    id: i32,
    title: String,
    year: i32,
    poster: Option<String>,
    kind: String,
    detail: Option<String>,
    n: i64,
}

/// `expr` as a 64-bit integer, as `COUNT(*)` is on every backend (a column of a `UNION` takes
/// one type, and PostgreSQL and MySQL type integer literals and columns narrower).
fn bigint(backend: DbBackend, expr: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("CAST({expr} AS BIGINT)"),
        DbBackend::MySql => format!("CAST({expr} AS SIGNED)"),
        _ => expr.to_owned(),
    }
}

/// The films `viewer` has reviewed or marked seen, left out of every suggestion (nothing for
/// a visitor).
fn not_theirs(sql: &mut String, values: &mut Vec<Value>, viewer: Viewer<'_>) {
    if let Some(user) = viewer {
        sql.push_str(
            " AND c.id NOT IN (SELECT r.movie_id FROM review r WHERE r.user_id = ?) \
             AND c.id NOT IN (SELECT w.movie_id FROM watchlist_entry w \
             WHERE w.user_id = ? AND w.seen_on IS NOT NULL)",
        );
        values.extend([user.id.into(), user.id.into()]);
    }
}

/// Keeps each film's best reason, in order, up to [`SUGGESTIONS`].
fn best(candidates: Vec<Candidate>, reason: impl Fn(&Candidate) -> Reason) -> Vec<Suggestion> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for c in candidates {
        if out.len() == SUGGESTIONS {
            break;
        }
        if !seen.insert(c.id) {
            continue;
        }
        let reason = reason(&c);
        out.push(Suggestion {
            movie: MovieRef {
                id: c.id,
                title: c.title,
                year: c.year,
                poster: c.poster,
            },
            reason,
        });
    }
    out
}

/// Films like film `movie_id` (of `year`, rated `mpa`), best first (one statement).
pub async fn more_like_this(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    movie_id: i32,
    year: i32,
    mpa: Option<MpaRating>,
) -> Result<Vec<Suggestion>, DbErr> {
    let decade = year.saturating_sub(year.rem_euclid(10));
    let mpa_value = mpa.map(|m| m.as_str().to_owned());
    let mut values: Vec<Value> = vec![
        movie_id.into(),
        movie_id.into(),
        LIKED.into(),
        LIKED.into(),
        false.into(),
        true.into(),
        mpa_value.unwrap_or_default().into(),
        decade.into(),
        decade.saturating_add(9).into(),
        movie_id.into(),
    ];
    let zero = bigint(db.get_database_backend(), "0");
    let mut sql = format!(
        "SELECT c.id, m.title, m.year, m.poster, c.kind, c.detail, c.n FROM ( \
         SELECT md2.movie_id AS id, 'director' AS kind, p.name AS detail, {zero} AS n, 3000.0 AS weight \
         FROM movie_director md1 \
         JOIN movie_director md2 ON md2.person_id = md1.person_id AND md2.movie_id <> md1.movie_id \
         JOIN person p ON p.id = md1.person_id WHERE md1.movie_id = ? \
         UNION ALL \
         SELECT r2.movie_id, 'liked', NULL, COUNT(*), 1000.0 + COUNT(*) \
         FROM review r1 JOIN review r2 ON r2.user_id = r1.user_id AND r2.movie_id <> r1.movie_id \
         WHERE r1.movie_id = ? AND r1.rating >= ? AND r2.rating >= ? GROUP BY r2.movie_id \
         UNION ALL \
         SELECT d.id, 'decade', NULL, {zero}, d.weight FROM ( \
         SELECT m2.id AS id, coalesce(m2.rating_avg, 0.0) AS weight FROM movie m2 \
         WHERE m2.theatre IN (?, ?) AND coalesce(m2.mpa, '') = ? \
         AND m2.year BETWEEN ? AND ? AND m2.id <> ? \
         ORDER BY weight DESC, m2.id LIMIT {DECADE_CANDIDATES}) d \
         ) c JOIN movie m ON m.id = c.id WHERE 1 = 1"
    );
    not_theirs(&mut sql, &mut values, viewer);
    sql.push_str(" ORDER BY c.weight DESC, m.review_count DESC, m.id LIMIT 40");
    let backend = db.get_database_backend();
    let rows = Candidate::find_by_statement(Statement::from_sql_and_values(
        backend,
        crate::services::placeholders(backend, &sql),
        values,
    ))
    .all(db)
    .await?;
    Ok(best(rows, |c| match c.kind.as_str() {
        "director" => Reason::SameDirector {
            name: c.detail.clone().unwrap_or_default(),
        },
        "liked" => Reason::LikedTogether { members: c.n },
        _ => Reason::SameDecade { decade, mpa },
    }))
}

/// Films for member `viewer`, from the films they rated highly: by the same directors, and
/// rated highly by the members who rated those highly too (one statement).
pub async fn for_you(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
) -> Result<Vec<Suggestion>, DbErr> {
    let Some(user) = viewer else {
        return Ok(Vec::new());
    };
    // The member's best ratings (at most `FOR_YOU_SOURCES`), with their films' titles.
    let mine = format!(
        "(SELECT r.movie_id, r.rating, s.title FROM review r JOIN movie s ON s.id = r.movie_id \
         WHERE r.user_id = ? AND r.rating >= ? ORDER BY r.rating DESC, r.id DESC \
         LIMIT {FOR_YOU_SOURCES})"
    );
    let mut values: Vec<Value> = vec![
        user.id.into(),
        LIKED.into(),
        user.id.into(),
        LIKED.into(),
        LIKED.into(),
        LIKED.into(),
    ];
    let rating = bigint(db.get_database_backend(), "mine.rating");
    let mut sql = format!(
        "SELECT c.id, m.title, m.year, m.poster, c.kind, c.detail, c.n FROM ( \
         SELECT md2.movie_id AS id, 'director' AS kind, mine.title AS detail, {rating} AS n, \
         2000.0 + mine.rating AS weight \
         FROM {mine} mine \
         JOIN movie_director md1 ON md1.movie_id = mine.movie_id \
         JOIN movie_director md2 ON md2.person_id = md1.person_id AND md2.movie_id <> md1.movie_id \
         UNION ALL \
         SELECT r2.movie_id, 'liked', mine.title, {rating}, 1000.0 + mine.rating * 10 + COUNT(*) \
         FROM {mine} mine \
         JOIN review r1 ON r1.movie_id = mine.movie_id AND r1.rating >= ? \
         JOIN review r2 ON r2.user_id = r1.user_id AND r2.movie_id <> r1.movie_id \
         AND r2.rating >= ? \
         GROUP BY r2.movie_id, mine.title, mine.rating \
         ) c JOIN movie m ON m.id = c.id WHERE 1 = 1"
    );
    not_theirs(&mut sql, &mut values, viewer);
    sql.push_str(" ORDER BY c.weight DESC, m.review_count DESC, m.id LIMIT 40");
    let backend = db.get_database_backend();
    let rows = Candidate::find_by_statement(Statement::from_sql_and_values(
        backend,
        crate::services::placeholders(backend, &sql),
        values,
    ))
    .all(db)
    .await?;
    let rating = |n: i64| i32::try_from(n).unwrap_or_default();
    Ok(best(rows, |c| match c.kind.as_str() {
        "director" => Reason::DirectorOfYours {
            title: c.detail.clone().unwrap_or_default(),
            rating: rating(c.n),
        },
        _ => Reason::BecauseYouRated {
            title: c.detail.clone().unwrap_or_default(),
            rating: rating(c.n),
        },
    }))
}
