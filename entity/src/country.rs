//! An ISO 3166-1 country (alpha-2 code and English short name).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "country")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique, column_type = "Char(Some(2))")]
    pub code: String,
    #[sea_orm(unique)]
    pub name: String,
    #[sea_orm(has_many)]
    pub users: HasMany<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
