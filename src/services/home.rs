//! What the home page shows besides recent posts (see `blog`): the newest movies with their
//! directors, loaded in bulk (two statements whatever the list length).

use entity::enums::MpaRating;
use entity::movie;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

const RECENT_POSTS: u64 = 8;
const NEWEST_MOVIES: u64 = 8;

/// What every visitor sees on the home page.
pub struct HomeData {
    pub posts: Vec<super::blog::PostCard>,
    pub movies: Vec<MovieSummary>,
}

/// The home page's recent posts and newest movies (three statements).
pub async fn home_data(db: &impl ConnectionTrait) -> Result<HomeData, DbErr> {
    Ok(HomeData {
        posts: super::blog::recent_posts(db, RECENT_POSTS).await?,
        movies: newest_movies(db, NEWEST_MOVIES).await?,
    })
}

#[derive(Clone, Debug)]
pub struct MovieSummary {
    pub id: i32,
    pub title: String,
    pub year: i32,
    pub mpa: Option<MpaRating>,
    pub theatre: bool,
    pub directors: Vec<String>,
    pub poster: Option<String>,
}

/// The `limit` newest movies (by release year) with their directors in credited order
/// (two queries: movies, then all their director links joined to people).
pub async fn newest_movies(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<MovieSummary>, DbErr> {
    let movies = movie::Entity::find()
        .order_by_desc(movie::Column::Year)
        .order_by_asc(movie::Column::Title)
        .limit(limit)
        .all(db)
        .await?;
    let mut directors =
        super::movies::directors_of(db, movies.iter().map(|m| m.id).collect()).await?;
    Ok(movies
        .into_iter()
        .map(|m| MovieSummary {
            directors: directors
                .remove(&m.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, name)| name)
                .collect(),
            id: m.id,
            title: m.title,
            year: m.year,
            mpa: m.mpa,
            theatre: m.theatre,
            poster: m.poster,
        })
        .collect())
}
