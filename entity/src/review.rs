//! A user's review of a movie: one per user and movie (unique together), rating 1 to 10.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "review_movie_user")]
    pub movie_id: i32,
    #[sea_orm(unique_key = "review_movie_user")]
    pub user_id: i32,
    pub rating: i32,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "movie_id", to = "id", on_delete = "Cascade")]
    pub movie: BelongsTo<super::movie::Entity>,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
