//! How many movies there are for each (MPA rating, in theatres, decade) combination: the sums
//! of `movie_facet`'s per-year rows, kept in the same transactions, so the movie list's facets
//! read a hundred-odd rows instead of grouping every year. `mpa` is the rating's code, or `""`
//! for unrated movies.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "movie_decade_facet")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mpa: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theatre: bool,
    #[sea_orm(primary_key, auto_increment = false)]
    pub decade: i32,
    #[sea_orm(default_value = 0)]
    pub movies: i32,
}

impl ActiveModelBehavior for ActiveModel {}
