//! A movie. Directors are an ordered many-to-many through `movie_director` (the portable
//! replacement for a PostgreSQL-only array), copied to `director_list` for the list; `mpa`
//! was added by a later migration.

use sea_orm::entity::prelude::*;

use crate::enums::MpaRating;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "movie")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    pub year: i32,
    #[sea_orm(default_value = true)]
    pub theatre: bool,
    #[sea_orm(column_type = "Text")]
    pub synopsis: String,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    pub mpa: Option<MpaRating>,
    /// Maintained in the transaction of every review change.
    #[sea_orm(default_value = 0)]
    pub review_count: i32,
    #[sea_orm(default_value = 0)]
    pub rating_sum: i32,
    pub rating_avg: Option<f64>,
    /// The directors as a list card shows them, JSON `[[person id, "name"], …]` in credited
    /// order; written with the links (`services::movies`). `None` for a row written by other
    /// means: the list then looks them up.
    #[sea_orm(column_type = "Text", nullable)]
    pub director_list: Option<String>,
    /// The poster's picture hash (`picture.hash`), if it has one: pages build its addresses
    /// from it (`/media/{hash}/{size}`) without reading the picture.
    pub poster: Option<String>,
    #[sea_orm(has_many)]
    pub director_links: HasMany<super::movie_director::Entity>,
    #[sea_orm(has_many, via = "movie_director")]
    pub directors: HasMany<super::person::Entity>,
    #[sea_orm(has_many)]
    pub reviews: HasMany<super::review::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
