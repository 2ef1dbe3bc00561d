//! A film on a member's watchlist: wanted (`seen_on` empty) or seen on a day. One a member and
//! film; goes with its member or film. Numbered in the order added.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "watchlist_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique_key = "watchlist_entry_user_movie")]
    pub user_id: i32,
    #[sea_orm(unique_key = "watchlist_entry_user_movie")]
    pub movie_id: i32,
    pub seen_on: Option<Date>,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
    #[sea_orm(belongs_to, from = "movie_id", to = "id", on_delete = "Cascade")]
    pub movie: BelongsTo<super::movie::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
