//! Ordered link between a movie and a director: `position` 0 is the first credited director.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "movie_director")]
pub struct Model {
    #[sea_orm(
        primary_key,
        auto_increment = false,
        unique_key = "movie_director_position"
    )]
    pub movie_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i32,
    #[sea_orm(unique_key = "movie_director_position")]
    pub position: i32,
    #[sea_orm(belongs_to, from = "movie_id", to = "id", on_delete = "Cascade")]
    pub movie: BelongsTo<super::movie::Entity>,
    #[sea_orm(belongs_to, from = "person_id", to = "id", on_delete = "Cascade")]
    pub person: BelongsTo<super::person::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
