//! The one-to-one profile of a user (deleted with the user).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profile")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub user_id: i32,
    pub display_name: String,
    #[sea_orm(column_type = "Text")]
    pub bio: String,
    pub birth_date: Option<Date>,
    pub job: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    /// Whether anyone may see the member's watchlist (only they may, otherwise).
    #[sea_orm(default_value = false)]
    pub watchlist_public: bool,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
