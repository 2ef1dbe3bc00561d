//! The members' directory: active accounts by name, searchable, a page at a time. Only what a
//! profile shows anyway (name, avatar, when they joined); never an address.

use chrono::{DateTime, Utc};
use entity::user;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::services::{Page, contains_text, fetch_page};

/// Members on a `/members` page.
pub const MEMBERS_PER_PAGE: u64 = 50;

/// A member in the directory.
#[derive(Clone, Debug, FromQueryResult)]
pub struct MemberCard {
    pub username: String,
    pub avatar: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Active members by name; only those whose name contains `search` when it is not empty (two
/// statements). Deactivated accounts are left out.
pub async fn members(
    db: &impl ConnectionTrait,
    search: &str,
    number: u64,
) -> Result<Page<MemberCard>, DbErr> {
    let mut select = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Username,
            user::Column::Avatar,
            user::Column::CreatedAt,
        ])
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::Username);
    let search = search.trim();
    if !search.is_empty() {
        select = select.filter(contains_text(Expr::col(user::Column::Username), search));
    }
    fetch_page(
        select
            .into_model::<MemberCard>()
            .paginate(db, MEMBERS_PER_PAGE),
        number,
    )
    .await
}
