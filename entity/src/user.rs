//! An account. Profile, comments and reviews go with it; posts block its deletion.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub username: String,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub role_id: i32,
    pub country_id: Option<i32>,
    #[sea_orm(default_value = true)]
    pub is_active: bool,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    pub last_seen_at: Option<DateTimeUtc>,
    /// Bumped to end every existing session of this user.
    #[sea_orm(default_value = 0)]
    pub session_version: i32,
    /// When the address was confirmed (a mailed link, an administrator's `user create`);
    /// until then the account holds no permissions.
    pub email_verified_at: Option<DateTimeUtc>,
    /// The avatar's picture hash (`picture.hash`), if the member set one.
    pub avatar: Option<String>,
    #[sea_orm(belongs_to, from = "role_id", to = "id", on_delete = "Restrict")]
    pub role: BelongsTo<super::role::Entity>,
    #[sea_orm(belongs_to, from = "country_id", to = "id", on_delete = "SetNull")]
    pub country: BelongsTo<Option<super::country::Entity>>,
    #[sea_orm(has_one)]
    pub profile: HasOne<super::profile::Entity>,
    #[sea_orm(has_many)]
    pub posts: HasMany<super::post::Entity>,
    #[sea_orm(has_many)]
    pub comments: HasMany<super::comment::Entity>,
    #[sea_orm(has_many)]
    pub reviews: HasMany<super::review::Entity>,
    #[sea_orm(has_many)]
    pub audit_logs: HasMany<super::audit_log::Entity>,
    #[sea_orm(has_many)]
    pub sessions: HasMany<super::user_session::Entity>,
    #[sea_orm(has_many)]
    pub api_tokens: HasMany<super::api_token::Entity>,
    #[sea_orm(has_many)]
    pub account_links: HasMany<super::account_link::Entity>,
    #[sea_orm(has_many, via = "user_group")]
    pub groups: HasMany<super::group::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
