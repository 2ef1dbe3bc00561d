//! The search itself: each kind in one statement (its page of results, ranked, with the
//! number found), over every kind at once or a page of one kind.
//!
//! Posts and movies are found by each backend's full-text engine (migration 28) and ranked by
//! it: a title outweighs tags or directors, which outweigh the text, and words side by side
//! outrank scattered ones. Drafts are found only by those who may see them (their author and
//! moderators). People and members are found by name: every word in the name, an exact name
//! first, then names that begin with the search.

use chrono::{DateTime, Utc};
use entity::enums::PostStatus;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

use super::engine;
use super::marks::{Segment, highlight, snippet};
use crate::domain::{SearchQuery, Viewer};
use crate::services::blog::is_moderator;
use crate::services::{MAX_PAGE, ServiceError, offset};

/// Results of each kind shown when searching every kind.
pub const OVERVIEW_PER_KIND: u64 = 5;
/// Results on a page of one kind.
pub const RESULTS_PER_PAGE: u64 = 20;
/// Posts or movies ranked at most: when a search matches more (a common word), the newest
/// this many matches are ranked and the group says it was capped. Ranking every match of a
/// word found in most of 100,000 posts cost each engine a pass over all of them.
pub const RANKED_WINDOW: u64 = 1_000;

/// What a search looks through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Posts,
    Movies,
    People,
    Members,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Posts, Kind::Movies, Kind::People, Kind::Members];

    /// `posts`, `movies`, `people` or `members`; empty for every kind.
    pub fn parse(raw: &str) -> Result<Option<Kind>, String> {
        match raw.trim() {
            "" | "all" => Ok(None),
            other => Kind::ALL
                .into_iter()
                .find(|k| k.as_str() == other)
                .map(Some)
                .ok_or_else(|| "Search posts, movies, people or members.".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Posts => "posts",
            Kind::Movies => "movies",
            Kind::People => "people",
            Kind::Members => "members",
        }
    }
}

/// What a result is, beside its title.
#[derive(Clone, Debug)]
pub enum About {
    Post {
        author: String,
        published_at: Option<DateTime<Utc>>,
        draft: bool,
    },
    Movie {
        year: i32,
        directors: Option<Vec<Segment>>,
        poster: Option<String>,
    },
    Person {
        movies: i64,
        portrait: Option<String>,
    },
    Member {
        joined: DateTime<Utc>,
        avatar: Option<String>,
    },
}

/// One result: `key` finds it (a post's slug, a movie's or person's id, a username).
#[derive(Clone, Debug)]
pub struct Hit {
    pub key: String,
    pub title: Vec<Segment>,
    pub snippet: Vec<Segment>,
    pub about: About,
}

/// The results of one kind: how many were found, and those shown.
#[derive(Clone, Debug)]
pub struct Group {
    pub kind: Kind,
    /// Found and ranked; with `capped`, among the newest [`RANKED_WINDOW`] matches only.
    pub total: u64,
    pub capped: bool,
    pub hits: Vec<Hit>,
}

/// A search's results: every kind's first few, or a page of one kind (`number` of `pages`).
#[derive(Clone, Debug)]
pub struct Results {
    pub groups: Vec<Group>,
    pub number: u64,
    pub pages: u64,
}

impl Results {
    /// Results found of every kind together.
    pub fn total(&self) -> u64 {
        self.groups.iter().map(|g| g.total).sum()
    }
}

/// Searches for `query` as `viewer`: the first [`OVERVIEW_PER_KIND`] of every kind (one
/// statement a kind), or page `number` of one `kind` (one statement).
pub async fn search(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    query: &SearchQuery,
    kind: Option<Kind>,
    number: u64,
) -> Result<Results, ServiceError> {
    let Some(kind) = kind else {
        let mut groups = Vec::with_capacity(Kind::ALL.len());
        for kind in Kind::ALL {
            groups.push(find(db, viewer, query, kind, OVERVIEW_PER_KIND, 0).await?);
        }
        return Ok(Results {
            groups,
            number: 1,
            pages: 1,
        });
    };
    let number = number.clamp(1, MAX_PAGE);
    let group = find(
        db,
        viewer,
        query,
        kind,
        RESULTS_PER_PAGE,
        offset(number, RESULTS_PER_PAGE),
    )
    .await?;
    Ok(Results {
        pages: group.total.div_ceil(RESULTS_PER_PAGE),
        groups: vec![group],
        number,
    })
}

async fn find(
    db: &impl ConnectionTrait,
    viewer: Viewer<'_>,
    query: &SearchQuery,
    kind: Kind,
    limit: u64,
    skip: u64,
) -> Result<Group, ServiceError> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    match kind {
        Kind::Posts => posts_statement(&mut sql, viewer, query),
        Kind::Movies => movies_statement(&mut sql, query),
        Kind::People => people_statement(&mut sql, query),
        Kind::Members => members_statement(&mut sql, query),
    }
    let (text, values) = sql.finish(limit, skip);
    let statement = Statement::from_sql_and_values(backend, text, values);
    let mut total = 0;
    let mut capped = false;
    let mut hits = Vec::new();
    macro_rules! read {
        ($row:ty, $hit:expr) => {{
            for row in <$row>::find_by_statement(statement).all(db).await? {
                total = u64::try_from(row.total).unwrap_or(0);
                capped = row.capped > 0;
                hits.push(($hit)(row));
            }
        }};
    }
    match kind {
        Kind::Posts => read!(PostRow, |r: PostRow| Hit {
            title: highlight(&r.title, query),
            snippet: snippet(&markup::excerpt(&r.body, usize::MAX), query),
            key: r.slug,
            about: About::Post {
                author: r.username,
                published_at: r.published_at,
                draft: r.status == PostStatus::Draft,
            },
        }),
        Kind::Movies => read!(MovieRow, |r: MovieRow| Hit {
            title: highlight(&r.title, query),
            snippet: snippet(&r.synopsis, query),
            key: r.id.to_string(),
            about: About::Movie {
                year: r.year,
                directors: director_names(r.director_list.as_deref()).map(|d| highlight(&d, query)),
                poster: r.poster,
            },
        }),
        Kind::People => read!(PersonRow, |r: PersonRow| Hit {
            title: highlight(&r.name, query),
            snippet: Vec::new(),
            key: r.id.to_string(),
            about: About::Person {
                movies: r.movies,
                portrait: r.portrait,
            },
        }),
        Kind::Members => read!(MemberRow, |r: MemberRow| Hit {
            title: highlight(&r.username, query),
            snippet: Vec::new(),
            key: r.username,
            about: About::Member {
                joined: r.created_at,
                avatar: r.avatar,
            },
        }),
    }
    Ok(Group {
        kind,
        total,
        capped,
        hits,
    })
}

/// The names in a stored director list (`[[id, "name"], …]`), comma-separated.
fn director_names(list: Option<&str>) -> Option<String> {
    let directors: Vec<(i32, String)> = serde_json::from_str(list?).ok()?;
    let names: Vec<String> = directors.into_iter().map(|(_, name)| name).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

#[derive(FromQueryResult)]
struct PostRow {
    slug: String,
    title: String,
    body: String,
    status: PostStatus,
    published_at: Option<DateTime<Utc>>,
    username: String,
    total: i64,
    capped: i64,
}

#[derive(FromQueryResult)]
struct MovieRow {
    id: i32,
    title: String,
    year: i32,
    synopsis: String,
    director_list: Option<String>,
    poster: Option<String>,
    total: i64,
    capped: i64,
}

#[derive(FromQueryResult)]
struct PersonRow {
    id: i32,
    name: String,
    portrait: Option<String>,
    movies: i64,
    total: i64,
    capped: i64,
}

#[derive(FromQueryResult)]
struct MemberRow {
    username: String,
    avatar: Option<String>,
    created_at: DateTime<Utc>,
    total: i64,
    capped: i64,
}

/// A statement written once for every backend: `{q}` quotes a name, `{zero}` is a 64-bit 0,
/// `?` is a value.
struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DbBackend) -> Sql {
        Sql {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    fn push(&mut self, text: &str, values: impl IntoIterator<Item = Value>) {
        let quote = if self.backend == DbBackend::MySql {
            "`"
        } else {
            "\""
        };
        // A 64-bit zero, as `count(*)` is on every backend.
        let zero = match self.backend {
            DbBackend::Postgres => "CAST(0 AS BIGINT)",
            DbBackend::MySql => "CAST(0 AS SIGNED)",
            _ => "0",
        };
        self.text
            .push_str(&text.replace("{q}", quote).replace("{zero}", zero));
        self.values.extend(values);
    }

    /// The statement with `LIMIT limit OFFSET skip` where the text says `{page}`, and its
    /// placeholders in the backend's form.
    fn finish(mut self, limit: u64, skip: u64) -> (String, Vec<Value>) {
        let text = std::mem::take(&mut self.text);
        let (before, after) = text.split_once("{page}").unwrap_or((&text, ""));
        let mut values = std::mem::take(&mut self.values);
        let text = format!("{before}LIMIT ? OFFSET ?{after}");
        // The page's two values go where their placeholders are: after every value before
        // `{page}`, before those after it.
        let before_count = before.matches('?').count();
        let page = [
            Value::BigInt(Some(i64::try_from(limit).unwrap_or(i64::MAX))),
            Value::BigInt(Some(i64::try_from(skip).unwrap_or(i64::MAX))),
        ];
        let tail = values.split_off(before_count.min(values.len()));
        values.extend(page);
        values.extend(tail);
        (crate::services::placeholders(self.backend, &text), values)
    }
}

/// Who sees drafts: `""` for moderators (everyone's), the author's own for others.
fn visible_posts(sql: &mut Sql, viewer: Viewer<'_>) {
    let published = Value::from(PostStatus::Published.as_str());
    match viewer {
        Some(user) if is_moderator(user) => {}
        Some(user) => sql.push(
            " AND (p.{q}status{q} = ? OR p.{q}author_id{q} = ?)",
            [published, Value::from(user.id)],
        ),
        None => sql.push(" AND p.{q}status{q} = ?", [published]),
    }
}

/// The ranked ids (`ranked`: id, score, total) of `table`'s rows matching `query`; `alias` is
/// the table's alias, `columns` its three searched columns (title first), `visible` adds the
/// rows' conditions.
fn ranked(
    sql: &mut Sql,
    query: &SearchQuery,
    table: &str,
    columns: [&str; 3],
    visible: impl FnOnce(&mut Sql),
) {
    let [title, middle, text] = columns;
    // The first match past the window: rows newer than it are ranked, and its presence says
    // the group was capped (exactly `RANKED_WINDOW` matches are all ranked).
    let past = RANKED_WINDOW;
    match sql.backend {
        // `bm25()` cannot sit beside a window function; the `rank` column, set to it, can.
        DbBackend::Sqlite => {
            sql.push(
                &format!(
                    "WITH bound AS (SELECT rowid AS r FROM {table}_text WHERE {table}_text MATCH ? \
                     ORDER BY rowid DESC LIMIT 1 OFFSET {past}), \
                     ranked AS (SELECT p.id AS id, -{table}_text.rank AS score, \
                     COUNT(*) OVER () AS total, (SELECT count(*) FROM bound) AS capped \
                     FROM {table}_text JOIN {table} p ON p.id = {table}_text.rowid \
                     WHERE {table}_text MATCH ? AND {table}_text.rank MATCH 'bm25(10.0, 4.0, 1.0)' \
                     AND {table}_text.rowid > coalesce((SELECT r FROM bound), 0)"
                ),
                [
                    Value::from(engine::fts5(query)),
                    Value::from(engine::fts5(query)),
                ],
            );
        }
        DbBackend::Postgres => {
            let (words, prefixes) = engine::postgres(query);
            let tsquery = match (words.is_empty(), prefixes.is_empty()) {
                (false, false) => {
                    "(websearch_to_tsquery('english', ?) && to_tsquery('english', ?))"
                }
                (false, true) => "websearch_to_tsquery('english', ?)",
                _ => "to_tsquery('english', ?)",
            };
            let values = [words, prefixes]
                .into_iter()
                .filter(|v| !v.is_empty())
                .map(Value::from);
            sql.push(
                &format!(
                    "WITH tsq AS (SELECT {tsquery} AS q), \
                     bound AS (SELECT p.id AS r FROM {table} p, tsq WHERE p.search_vector @@ tsq.q \
                     ORDER BY p.id DESC OFFSET {past} LIMIT 1), \
                     ranked AS (SELECT p.id AS id, \
                     ts_rank_cd(p.search_vector, tsq.q) AS score, COUNT(*) OVER () AS total, \
                     (SELECT count(*) FROM bound) AS capped \
                     FROM {table} p, tsq WHERE p.search_vector @@ tsq.q \
                     AND p.id > coalesce((SELECT r FROM bound), 0)"
                ),
                values,
            );
        }
        _ => match engine::mysql(query) {
            Some((required, optional)) => sql.push(
                &format!(
                    "WITH bound AS (SELECT p.id AS r FROM {table} p \
                     WHERE MATCH(p.{title}, p.{middle}, p.{text}) AGAINST (? IN BOOLEAN MODE) \
                     ORDER BY p.id DESC LIMIT 1 OFFSET {past}), \
                     ranked AS (SELECT p.id AS id, \
                     MATCH(p.{title}) AGAINST (? IN BOOLEAN MODE) * 4 + \
                     MATCH(p.{title}, p.{middle}, p.{text}) AGAINST (? IN BOOLEAN MODE) AS score, \
                     COUNT(*) OVER () AS total, (SELECT count(*) FROM bound) AS capped \
                     FROM {table} p \
                     WHERE MATCH(p.{title}, p.{middle}, p.{text}) AGAINST (? IN BOOLEAN MODE) \
                     AND p.id > coalesce((SELECT r FROM bound), 0)"
                ),
                [
                    required.clone().into(),
                    optional.into(),
                    required.clone().into(),
                    required.into(),
                ],
            ),
            // Only words InnoDB does not index (under three letters, stop words): the title.
            None => {
                sql.push(
                    &format!(
                        "WITH ranked AS (SELECT p.id AS id, 0 AS score, COUNT(*) OVER () AS total, \
                         {{zero}} AS capped FROM {table} p WHERE 1 = 1"
                    ),
                    [],
                );
                for word in query.words() {
                    sql.push(
                        &format!(" AND lower(p.{title}) LIKE ?"),
                        [Value::from(format!("%{word}%"))],
                    );
                }
            }
        },
    }
    visible(sql);
    sql.push(" ORDER BY score DESC, p.id DESC {page})", []);
}

fn posts_statement(sql: &mut Sql, viewer: Viewer<'_>, query: &SearchQuery) {
    ranked(sql, query, "post", ["title", "tag_names", "body"], |sql| {
        visible_posts(sql, viewer)
    });
    sql.push(
        " SELECT p.slug, p.title, p.body, p.status, p.published_at, u.username, ranked.total, ranked.capped \
         FROM ranked JOIN post p ON p.id = ranked.id JOIN {q}user{q} u ON u.id = p.author_id \
         ORDER BY ranked.score DESC, p.id DESC",
        [],
    );
}

fn movies_statement(sql: &mut Sql, query: &SearchQuery) {
    ranked(
        sql,
        query,
        "movie",
        ["title", "director_list", "synopsis"],
        |_| {},
    );
    sql.push(
        " SELECT p.id, p.title, p.year, p.synopsis, p.director_list, p.poster, ranked.total, ranked.capped \
         FROM ranked JOIN movie p ON p.id = ranked.id ORDER BY ranked.score DESC, p.id DESC",
        [],
    );
}

/// Rows whose `column` holds every word of `query`, an exact name first, then those that
/// begin with the first word, then by name.
fn by_name(sql: &mut Sql, query: &SearchQuery, column: &str) {
    for word in query.words() {
        sql.push(
            &format!(" AND lower(x.{column}) LIKE ?"),
            [Value::from(format!("%{word}%"))],
        );
    }
    let whole = query.words().collect::<Vec<_>>().join(" ");
    let first = query.words().next().unwrap_or_default().to_owned();
    sql.push(
        &format!(
            " ORDER BY CASE WHEN lower(x.{column}) = ? THEN 0 WHEN lower(x.{column}) LIKE ? \
             THEN 1 ELSE 2 END, x.{column}, x.id {{page}}"
        ),
        [Value::from(whole), Value::from(format!("{first}%"))],
    );
}

fn people_statement(sql: &mut Sql, query: &SearchQuery) {
    sql.push(
        "SELECT x.id, x.name, x.portrait, (SELECT COUNT(*) FROM movie_director md \
         WHERE md.person_id = x.id) AS movies, COUNT(*) OVER () AS total, {zero} AS capped \
         FROM person x WHERE 1 = 1",
        [],
    );
    by_name(sql, query, "name");
}

fn members_statement(sql: &mut Sql, query: &SearchQuery) {
    sql.push(
        "SELECT x.username, x.avatar, x.created_at, COUNT(*) OVER () AS total, {zero} AS capped \
         FROM {q}user{q} x WHERE x.is_active = ?",
        [Value::from(true)],
    );
    by_name(sql, query, "username");
}
