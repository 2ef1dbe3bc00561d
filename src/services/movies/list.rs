//! The list of movies and the cards it shows: one statement for a page of movies with their
//! rating aggregates and directors.

use std::collections::HashMap;

use entity::enums::MpaRating;
use entity::{movie, movie_director, person};
use sea_orm::sea_query::{Expr, Func, NullOrdering, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, ExprTrait, FromQueryResult, Order,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use crate::services::Page;

use super::{MOVIES_PER_PAGE, filter::*};

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
    /// The poster's picture hash, if it has one (`/media/{hash}/{size}`).
    pub poster: Option<String>,
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

pub(super) fn movie_rows() -> sea_orm::Select<movie::Entity> {
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
        .column(movie::Column::Poster)
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
pub(super) fn list_query(
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
            .offset(crate::services::offset(page, MOVIES_PER_PAGE))
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
pub(super) enum SortKey {
    Title,
    Id,
    Year,
    Rating,
}

impl SortKey {
    pub(super) fn column(self) -> Expr {
        col(match self {
            SortKey::Title => movie::Column::Title,
            SortKey::Id => movie::Column::Id,
            SortKey::Year => movie::Column::Year,
            SortKey::Rating => movie::Column::RatingAvg,
        })
    }

    /// The column's name in [`movie_rows`].
    pub(super) fn alias(self) -> &'static str {
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
pub(super) struct CardCell {
    id: i32,
    title: String,
    year: i32,
    theatre: u8,
    synopsis: String,
    mpa: Option<String>,
    avg_rating: Option<f64>,
    review_count: i32,
    director_list: Option<String>,
    poster: Option<String>,
    place: i64,
}

/// The movies `rows` selects (filtered, ordered by `keys`, limited) with their directors, in
/// one statement and one row: the page as a derived table, numbered in its order (a derived
/// table's order is not kept), answered as one JSON array. The directors come stored with each
/// movie (`movie.director_list`, migration 20); only movies written by other means, without
/// one, have them looked up, in a second statement.
pub(super) async fn cards(
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
        crate::services::json_flag(field("theatre")),
        field("synopsis"),
        field("mpa"),
        field("avg_rating"),
        field("review_count"),
        field("director_list"),
        field("poster"),
        field("place"),
    ];
    let query = Query::select()
        .expr_as(
            crate::services::json_rows(db.get_database_backend(), fields),
            "cards",
        )
        .from_subquery(numbered, card())
        .take();
    let Some(row) = db.query_one(&query).await? else {
        return Ok(Vec::new());
    };
    let mut cells: Vec<CardCell> = crate::services::from_json_rows(
        row.try_get::<Option<String>>("", "cards")?,
        "movie cards",
    )?;
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
                poster: cell.poster,
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
