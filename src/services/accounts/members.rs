//! Members: registration, signing in, the signed-in user, profiles and the account page.

use chrono::Utc;
use entity::{comment, country, group, movie, post, profile, review, role, user, user_group};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    ExprTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::links;
use super::permissions::held_permissions;
use super::sessions::{self, SignedIn};
use crate::domain::{CurrentUser, DisplayName, Email, Username};
use crate::services::audit::{self, Actor};
use crate::services::error::on_table;
use crate::services::{FieldErrors, ServiceError};

/// The account with this username (usernames are stored lowercase).
pub async fn user_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<user::Model, ServiceError> {
    user::Entity::find_by_username(username.to_lowercase())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The id of the default role.
pub async fn default_role_id(db: &impl ConnectionTrait) -> Result<i32, DbErr> {
    role::Entity::find()
        .filter(role::Column::IsDefault.eq(true))
        .one(db)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| DbErr::Custom("no role is marked as the default".into()))
}

/// Whether a new account's address counts as confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Address {
    /// Vouched for (an operator's `user create`): the account holds its role's permissions.
    Confirmed,
    /// To be confirmed through the link mailed now; until then the account holds none.
    ToConfirm,
}

/// Creates an account (with its profile) in the default role, or in `role_id` when given.
/// A taken username or email, found up front or by the unique index under a race, is
/// reported per field.
pub async fn register(
    db: &(impl ConnectionTrait + TransactionTrait),
    username: &Username,
    email: &Email,
    password_hash: String,
    role_id: Option<i32>,
    address: Address,
) -> Result<user::Model, ServiceError> {
    let mut taken = FieldErrors::default();
    if user::Entity::find_by_username(username.as_str())
        .one(db)
        .await?
        .is_some()
    {
        taken.add("username", "This username is taken.");
    }
    if user::Entity::find_by_email(email.as_str())
        .one(db)
        .await?
        .is_some()
    {
        taken.add("email", "An account with this email exists already.");
    }
    if !taken.is_empty() {
        return Err(ServiceError::Conflict(taken));
    }
    let role_id = match role_id {
        Some(id) => id,
        None => default_role_id(db).await?,
    };
    let txn = crate::services::begin_write(db).await?;
    let created = user::ActiveModel {
        username: Set(username.as_str().to_owned()),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password_hash),
        role_id: Set(role_id),
        country_id: Set(None),
        is_active: Set(true),
        created_at: Set(Utc::now()),
        last_seen_at: Set(None),
        session_version: Set(0),
        email_verified_at: Set((address == Address::Confirmed).then(Utc::now)),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(on_table("user"))?;
    if address == Address::ToConfirm {
        links::send_verification(&txn, &created).await?;
    }
    profile::ActiveModel {
        user_id: Set(created.id),
        display_name: Set(created.username.clone()),
        bio: Set(String::new()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// The account a login name (username or email) refers to.
pub async fn find_by_login(
    db: &impl ConnectionTrait,
    login: &str,
) -> Result<Option<user::Model>, DbErr> {
    let login = login.trim().to_lowercase();
    if login.is_empty() {
        return Ok(None);
    }
    let column = if login.contains('@') {
        user::Column::Email
    } else {
        user::Column::Username
    };
    user::Entity::find().filter(column.eq(login)).one(db).await
}

/// A successful sign-in: `last_seen_at` and the audit log, in one transaction. `refreshed` is
/// the password's hash with today's parameters when the stored one (`account`'s) was made
/// with older ones: it replaces it unless the password was changed in the meantime.
pub async fn logged_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    account: &user::Model,
    refreshed: Option<String>,
    ip: Option<String>,
) -> Result<(), DbErr> {
    let user_id = account.id;
    let txn = crate::services::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastSeenAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    if let Some(hash) = refreshed {
        user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash))
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::PasswordHash.eq(account.password_hash.as_str()))
            .exec(&txn)
            .await?;
    }
    let actor = Actor {
        id: Some(user_id),
        ip,
    };
    audit::record(&txn, &actor, "auth.login", "user", user_id, None, None).await?;
    txn.commit().await
}

/// A failed sign-in, for the audit log: the account when the name matched one (the name typed
/// is not stored: people type passwords into the wrong field).
pub async fn login_failed(
    db: &impl ConnectionTrait,
    account: Option<i32>,
    ip: Option<String>,
) -> Result<(), DbErr> {
    let subject = account.map_or_else(|| "unknown".to_owned(), |id| id.to_string());
    let actor = Actor { id: None, ip };
    audit::record(db, &actor, "auth.login_failed", "user", subject, None, None).await
}

/// The signed-in user for a session, or `None` when the server-side session has ended or
/// expired, the account is gone or inactive, or the session's version is out of date. Three
/// queries: the session row, the user with their role and their unread conversations and
/// notifications (for the navigation, counts over their own rows), the permissions.
pub async fn current_user(
    db: &impl ConnectionTrait,
    signed_in: &SignedIn,
    lifetimes: sessions::Lifetimes,
) -> Result<Option<CurrentUser>, DbErr> {
    use sea_orm::QueryTrait;
    if !sessions::check(db, &signed_in.token, signed_in.user_id, lifetimes).await? {
        return Ok(None);
    }
    let select = user::Entity::find_by_id(signed_in.user_id)
        .find_also_related(role::Entity)
        .expr_as(
            crate::services::messages::unread_expr(signed_in.user_id),
            "unread_messages",
        )
        .expr_as(
            crate::services::notifications::unread_expr(signed_in.user_id),
            "unread_notifications",
        )
        .build(db.get_database_backend());
    let Some(row) = db.query_one_raw(select).await? else {
        return Ok(None);
    };
    let user = user::Model::from_query_result(&row, "A_")?;
    let Some(role) = role::Model::from_query_result_optional(&row, "B_")? else {
        return Ok(None);
    };
    let unread = row.try_get::<i64>("", "unread_messages")?;
    let notices = row.try_get::<i64>("", "unread_notifications")?;
    if !user.is_active || user.session_version != signed_in.version {
        sessions::end(db, &signed_in.token).await?;
        return Ok(None);
    }
    let permissions = held_permissions(db, &user, |_| true).await?;
    let mut current = CurrentUser::new(user, role, permissions);
    current.unread_messages = u64::try_from(unread).unwrap_or(0);
    current.unread_notifications = u64::try_from(notices).unwrap_or(0);
    Ok(Some(current))
}

/// Everything the public profile page shows.
pub struct ProfileView {
    pub user: user::Model,
    pub profile: Option<profile::Model>,
    pub role: Option<role::Model>,
    pub country: Option<country::Model>,
    /// The groups the member is in (`text` the name, `link_id` the group), by name.
    pub groups: Vec<Activity>,
    pub recent_posts: Vec<Activity>,
    pub recent_comments: Vec<Activity>,
    pub recent_reviews: Vec<Activity>,
}

/// One line of a profile's lists: a published post (`text` its title), a comment (`text` its
/// body, `subject` the post's title), a review (`text` its body, `subject` the movie's title,
/// with its rating) or a group membership (`text` the group's name). `slug` is the post's,
/// `link_id` the movie's or the group's.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Activity {
    pub kind: String,
    pub text: String,
    pub subject: String,
    pub slug: String,
    pub link_id: i32,
    pub rating: i32,
    pub at: Option<chrono::DateTime<Utc>>,
}

/// How many of each kind of activity a profile shows.
const RECENT: u64 = 5;

/// The member's newest posts, comments and reviews, and their groups, in one statement: selects
/// of one shape under `UNION ALL` (each inside a derived table, as SQLite requires for a
/// per-branch `LIMIT`). Only published posts, and comments on them, are shown to everyone.
async fn profile_lists(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Activity>, DbErr> {
    use sea_orm::sea_query::{Alias, Asterisk, Query, UnionType};
    let published = || {
        Expr::col((post::Entity, post::Column::Status))
            .eq(entity::enums::PostStatus::Published.as_str())
    };
    let mut posts = activity_select(
        "post",
        [
            Expr::col((post::Entity, post::Column::Title)),
            Expr::val(""),
            Expr::col((post::Entity, post::Column::Slug)),
            Expr::val(0),
            Expr::val(0),
            Expr::col((post::Entity, post::Column::PublishedAt)),
        ],
    );
    posts
        .from(post::Entity)
        .and_where(Expr::col((post::Entity, post::Column::AuthorId)).eq(user_id))
        .and_where(published())
        .order_by(
            (post::Entity, post::Column::PublishedAt),
            sea_orm::Order::Desc,
        )
        .limit(RECENT);
    let mut comments = activity_select(
        "comment",
        [
            Expr::col((comment::Entity, comment::Column::Body)),
            Expr::col((post::Entity, post::Column::Title)),
            Expr::col((post::Entity, post::Column::Slug)),
            Expr::val(0),
            Expr::val(0),
            Expr::col((comment::Entity, comment::Column::CreatedAt)),
        ],
    );
    comments
        .from(comment::Entity)
        .inner_join(
            post::Entity,
            Expr::col((post::Entity, post::Column::Id))
                .equals((comment::Entity, comment::Column::PostId)),
        )
        .and_where(Expr::col((comment::Entity, comment::Column::AuthorId)).eq(user_id))
        .and_where(Expr::col((comment::Entity, comment::Column::IsHidden)).eq(false))
        .and_where(published())
        .order_by(
            (comment::Entity, comment::Column::CreatedAt),
            sea_orm::Order::Desc,
        )
        .limit(RECENT);
    let mut reviews = activity_select(
        "review",
        [
            Expr::col((review::Entity, review::Column::Body)),
            Expr::col((movie::Entity, movie::Column::Title)),
            Expr::val(""),
            Expr::col((movie::Entity, movie::Column::Id)),
            Expr::col((review::Entity, review::Column::Rating)),
            Expr::col((review::Entity, review::Column::CreatedAt)),
        ],
    );
    reviews
        .from(review::Entity)
        .inner_join(
            movie::Entity,
            Expr::col((movie::Entity, movie::Column::Id))
                .equals((review::Entity, review::Column::MovieId)),
        )
        .and_where(Expr::col((review::Entity, review::Column::UserId)).eq(user_id))
        .order_by(
            (review::Entity, review::Column::CreatedAt),
            sea_orm::Order::Desc,
        )
        .limit(RECENT);
    let mut groups = activity_select(
        "group",
        [
            Expr::col((group::Entity, group::Column::Name)),
            Expr::val(""),
            Expr::val(""),
            Expr::col((group::Entity, group::Column::Id)),
            Expr::val(0),
            Expr::col((user_group::Entity, user_group::Column::JoinedAt)),
        ],
    );
    groups
        .from(user_group::Entity)
        .inner_join(
            group::Entity,
            Expr::col((group::Entity, group::Column::Id))
                .equals((user_group::Entity, user_group::Column::GroupId)),
        )
        .and_where(Expr::col((user_group::Entity, user_group::Column::UserId)).eq(user_id));
    let branch = |select: sea_orm::sea_query::SelectStatement, alias: &str| {
        Query::select()
            .column(Asterisk)
            .from_subquery(select, Alias::new(alias))
            .to_owned()
    };
    let union = branch(posts, "recent_posts")
        .union(UnionType::All, branch(comments, "recent_comments"))
        .union(UnionType::All, branch(reviews, "recent_reviews"))
        .union(UnionType::All, branch(groups, "memberships"))
        .to_owned();
    Activity::find_by_statement(db.get_database_backend().build(&union))
        .all(db)
        .await
}

/// A branch of [`profile_lists`]: `kind` and the six other columns of [`Activity`], named and
/// in the one order `UNION ALL` needs (text, subject, slug, link_id, rating, at).
fn activity_select(kind: &str, columns: [Expr; 6]) -> sea_orm::sea_query::SelectStatement {
    const NAMES: [&str; 6] = ["text", "subject", "slug", "link_id", "rating", "at"];
    let mut select = sea_orm::sea_query::Query::select();
    select.expr_as(Expr::val(kind), "kind");
    for (column, name) in columns.into_iter().zip(NAMES) {
        select.expr_as(column, name);
    }
    select
}

pub async fn profile_view(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<ProfileView>, DbErr> {
    let Some(found) = user::Entity::load()
        .filter(user::Column::Username.eq(username.to_lowercase()))
        .with(profile::Entity)
        .with(role::Entity)
        .with(country::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut recent_posts = Vec::new();
    let mut recent_comments = Vec::new();
    let mut recent_reviews = Vec::new();
    let mut groups = Vec::new();
    for line in profile_lists(db, found.id).await? {
        match line.kind.as_str() {
            "post" => recent_posts.push(line),
            "comment" => recent_comments.push(line),
            "review" => recent_reviews.push(line),
            _ => groups.push(line),
        }
    }
    // Each branch came ordered; a union keeps no order of its own.
    for list in [&mut recent_posts, &mut recent_comments, &mut recent_reviews] {
        list.sort_by_key(|line| std::cmp::Reverse(line.at));
    }
    groups.sort_by(|a, b| a.text.cmp(&b.text));
    Ok(Some(ProfileView {
        profile: found.profile.as_ref().map(|p| p.clone().into()),
        role: found.role.as_ref().map(|r| r.clone().into()),
        country: found.country.as_ref().map(|c| c.clone().into()),
        groups,
        user: found.into(),
        recent_posts,
        recent_comments,
        recent_reviews,
    }))
}

/// Checked profile fields.
#[derive(Clone, Debug)]
pub struct ProfileChanges {
    pub display_name: DisplayName,
    pub bio: String,
    pub birth_date: Option<chrono::NaiveDate>,
    pub job: Option<String>,
    pub location: Option<String>,
    pub website: Option<String>,
    pub country_id: Option<i32>,
    /// The [`profile_version`] the form was opened at (none from the API, which has
    /// `If-Match`): a save from a second tab over the first's is refused.
    pub opened_at: Option<String>,
}

/// The version of a profile an edit form was opened at: a fingerprint of everything the form
/// shows.
pub fn profile_version(account: &user::Model, profile: Option<&profile::Model>) -> String {
    crate::services::precondition::form_version(&serde_json::json!([
        account.country_id,
        profile.map(|p| (
            &p.display_name,
            &p.bio,
            p.birth_date,
            &p.job,
            &p.location,
            &p.website
        )),
    ]))
}

/// Saves `user`'s own profile; the country must be one of the list. With `opened_at`, only
/// while the profile is still that version: otherwise nothing is saved
/// ([`ServiceError::Stale`]).
pub async fn update_profile(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    changes: ProfileChanges,
) -> Result<(), ServiceError> {
    // A profile is public (a bio, a website): nothing is published before the address is
    // confirmed, or sign-up bots would fill profiles with links.
    if !user.verified {
        return Err(ServiceError::Refused(crate::domain::UNVERIFIED.into()));
    }
    if let Some(id) = changes.country_id
        && !country_exists(db, id).await?
    {
        return Err(ServiceError::invalid(
            "country_id",
            "Choose a country from the list.",
        ));
    }
    let user_id = user.id;
    let txn = crate::services::begin_write(db).await?;
    // The account row locked first: two saves of one profile run one after the other, so the
    // version read here is the one this save replaces.
    let account = user::Entity::find_by_id(user_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let existing = profile::Entity::find_by_user_id(user_id).one(&txn).await?;
    crate::services::precondition::still_at(
        changes.opened_at.as_deref(),
        &profile_version(&account, existing.as_ref()),
    )?;
    user::Entity::update_many()
        .col_expr(user::Column::CountryId, Expr::value(changes.country_id))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    let mut active = match existing {
        Some(found) => found.into(),
        None => profile::ActiveModel {
            user_id: Set(user_id),
            ..Default::default()
        },
    };
    active.display_name = Set(changes.display_name.into_inner());
    active.bio = Set(changes.bio);
    active.birth_date = Set(changes.birth_date);
    active.job = Set(changes.job);
    active.location = Set(changes.location);
    active.website = Set(changes.website);
    active.save(&txn).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn countries(db: &impl ConnectionTrait) -> Result<Vec<country::Model>, DbErr> {
    country::Entity::find()
        .order_by_asc(country::Column::Name)
        .all(db)
        .await
}

pub async fn country_exists(db: &impl ConnectionTrait, id: i32) -> Result<bool, DbErr> {
    Ok(country::Entity::find_by_id(id).count(db).await? > 0)
}

/// The account and profile of a user, for the edit form.
pub async fn account(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<(user::Model, Option<profile::Model>)>, DbErr> {
    user::Entity::find_by_id(user_id)
        .find_also_related(profile::Entity)
        .one(db)
        .await
}
