//! How many movies there are for each (MPA rating, year, in theatres) combination, kept in the
//! transaction of every movie change; the catalogue's filter counts are sums over these rows.
//! `mpa` is the rating's code, or `""` for unrated movies.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "movie_facet")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub mpa: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub theatre: bool,
    /// The year's decade (1990 for 1994), leading the key so counts group by it in key order.
    #[sea_orm(primary_key, auto_increment = false)]
    pub decade: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    #[sea_orm(default_value = 0)]
    pub movies: i32,
}

impl ActiveModelBehavior for ActiveModel {}
