//! A person credited on movies (as director).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    /// The portrait's picture hash (`picture.hash`), if there is one.
    pub portrait: Option<String>,
    #[sea_orm(has_many)]
    pub director_links: HasMany<super::movie_director::Entity>,
    #[sea_orm(has_many, via = "movie_director")]
    pub movies: HasMany<super::movie::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
