//! Queries and mutations, and every rule of the site: who may see and change what, what values
//! are accepted, what guard rails hold. Functions take `&impl ConnectionTrait` (and the acting
//! [`CurrentUser`](crate::domain::CurrentUser) where a rule depends on who asks), return
//! [`ServiceError`] and know nothing of actix or HTML, so both faces of the site (the pages and
//! the JSON API in `api`) call the same rules.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod blog;
pub mod error;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod home;
pub mod mail;
pub mod movies;
pub mod precondition;
pub mod sitemap;

pub use crate::domain::{FieldErrors, ServiceError};
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{DbErr, ExprTrait, SqliteTransactionMode, TransactionOptions, TransactionTrait};

/// Starts a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is
/// taken up front, so the transaction waits on the busy timeout instead of failing with
/// "database is locked" when it upgrades from reading to writing. The other back-ends ignore
/// the mode. Inside a transaction this opens a savepoint.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Starts a change to shown content: a write transaction whose first statement bumps the
/// content version ([`content_changed`]). The version row's lock, taken first, puts content
/// writers one after another on PostgreSQL and MySQL (SQLite has one writer anyway), so no two
/// of them wait on each other's rows (a deadlock), and what one reads and recounts (the
/// maintained post counts, review aggregates and facets) is as of every change committed
/// before it.
pub async fn begin_content_change<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    let txn = begin_write(db).await?;
    content_changed(&txn).await?;
    Ok(txn)
}

/// True when `error` says the database is busy rather than that the request is wrong: no
/// connection free in time, a SQLite lock not had within the busy timeout, a deadlock or a
/// serialization failure. The request may simply be tried again (a 503 with `Retry-After`).
pub fn is_transient(error: &DbErr) -> bool {
    use sea_orm::{ConnAcquireErr, RuntimeErr};
    let runtime = match error {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => return true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx_error) = runtime else {
        return false;
    };
    match sqlx_error.as_ref() {
        sea_orm::sqlx::Error::PoolTimedOut => true,
        sea_orm::sqlx::Error::Database(db) => {
            // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes. PostgreSQL and
            // MySQL/MariaDB: serialization failure or deadlock (SQLSTATE 40001, 40P01) and lock
            // not available (55P03); MySQL's lock wait timeout (1205) has the generic HY000.
            matches!(
                db.code().as_deref(),
                Some("5" | "6" | "261" | "262" | "517" | "773" | "40001" | "40P01" | "55P03")
            ) || db.message().contains("Lock wait timeout exceeded")
        }
        _ => false,
    }
}

/// `lower(expr) LIKE '%text%'`, case-insensitive on every back-end, with `%` and `_` in `text`
/// taken literally (escaped with `!`, which needs no quoting on any back-end, unlike `\`).
pub fn contains_text(expr: impl Into<Expr>, text: &str) -> Expr {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Expr::expr(Func::lower(expr.into())).like(LikeExpr::new(pattern).escape('!'))
}

/// A user as lists show them: id and name, never the password hash or the email address.
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "entity::user::Entity")]
pub struct UserRef {
    pub id: i32,
    pub username: String,
}

/// A `find_also_related` reduced to the columns of the partial models `M` and `N`, with the
/// `A_` / `B_` prefixes SeaORM's pair decoder reads. (SeaORM's own
/// `SelectTwo::into_partial_model` selects the columns without them, so no row decodes.)
pub fn partial_pair_select<E, F, M, N>(select: sea_orm::SelectTwo<E, F>) -> sea_orm::SelectTwo<E, F>
where
    E: sea_orm::EntityTrait,
    F: sea_orm::EntityTrait,
    M: sea_orm::PartialModelTrait,
    N: sea_orm::PartialModelTrait,
{
    let select = sea_orm::QuerySelect::select_only(select);
    let select = M::select_cols_nested(select, Some("A_"), None);
    N::select_cols_nested(select, Some("B_"), None)
}

/// [`partial_pair_select`], decoded as `(M, Option<N>)` pairs.
pub fn partial_pair<E, F, M, N>(
    select: sea_orm::SelectTwo<E, F>,
) -> sea_orm::Selector<sea_orm::SelectTwoModel<M, N>>
where
    E: sea_orm::EntityTrait,
    F: sea_orm::EntityTrait,
    M: sea_orm::PartialModelTrait,
    N: sea_orm::PartialModelTrait,
{
    partial_pair_select::<E, F, M, N>(select).into_model::<M, N>()
}

/// One page of `(M, Option<N>)` pairs of a `find_also_related`, with the total counted by
/// `COUNT(*) OVER ()` in the same statement (every back-end has window functions). Past the last
/// page no row carries the total: the page then says 0, and pagers show nothing.
pub async fn pair_page<E, F, M, N>(
    db: &impl sea_orm::ConnectionTrait,
    select: sea_orm::SelectTwo<E, F>,
    number: u64,
    per_page: u64,
) -> Result<Page<(M, Option<N>)>, DbErr>
where
    E: sea_orm::EntityTrait,
    F: sea_orm::EntityTrait,
    M: sea_orm::PartialModelTrait,
    N: sea_orm::PartialModelTrait,
{
    use sea_orm::{QuerySelect, QueryTrait};
    let number = number.clamp(1, MAX_PAGE);
    let backend = db.get_database_backend();
    let select = partial_pair_select::<E, F, M, N>(select)
        .expr_as(Expr::cust("COUNT(*) OVER ()"), "total_rows")
        .limit(per_page)
        .offset(offset(number, per_page));
    let rows = db.query_all_raw(select.build(backend)).await?;
    let mut total = 0u64;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        total = u64::try_from(row.try_get::<i64>("", "total_rows")?).unwrap_or(0);
        items.push((
            M::from_query_result(&row, "A_")?,
            N::from_query_result_optional(&row, "B_")?,
        ));
    }
    Ok(Page {
        items,
        number,
        pages: total.div_ceil(std::cmp::max(per_page, 1)),
        total,
    })
}

/// One JSON array holding an array per row of the query it aggregates (`fields` in order), as
/// text on every backend: `json_group_array(json_array(..))` on SQLite,
/// `json_agg(json_build_array(..))` as `text` on PostgreSQL, `JSON_ARRAYAGG(JSON_ARRAY(..))` as
/// `CHAR` on MySQL/MariaDB. Many rows answered as one: every row a driver hands over costs a
/// round of its channel (sqlx's SQLite channel holds 50 rows). Write flags as 1/0 (PostgreSQL's
/// JSON would write `true`: [`json_flag`]); read the text with [`from_json_rows`].
pub fn json_rows(backend: sea_orm::DbBackend, fields: impl IntoIterator<Item = Expr>) -> Expr {
    use sea_orm::sea_query::Alias;
    let fields: Vec<Expr> = fields.into_iter().collect();
    let json = |array: &str, aggregate: &str| {
        Func::cust(Alias::new(aggregate)).arg(Func::cust(Alias::new(array)).args(fields))
    };
    match backend {
        sea_orm::DbBackend::Sqlite => json("json_array", "json_group_array").into(),
        sea_orm::DbBackend::Postgres => {
            Func::cast_as(json("json_build_array", "json_agg"), Alias::new("text")).into()
        }
        _ => Func::cast_as(json("JSON_ARRAY", "JSON_ARRAYAGG"), Alias::new("CHAR")).into(),
    }
}

/// A boolean column as 1 or 0, for a [`json_rows`] field (PostgreSQL's JSON would write
/// `true`, SQLite's 1).
pub fn json_flag(column: Expr) -> Expr {
    Expr::case(column.eq(true), Expr::val(1))
        .finally(Expr::val(0))
        .into()
}

/// The rows of a [`json_rows`] column (none: `[]` on SQLite, NULL elsewhere); `what` names them
/// in the error.
pub fn from_json_rows<T: serde::de::DeserializeOwned>(
    json: Option<String>,
    what: &str,
) -> Result<Vec<T>, DbErr> {
    match json {
        None => Ok(Vec::new()),
        Some(json) => serde_json::from_str(&json).map_err(|e| DbErr::Json(format!("{what}: {e}"))),
    }
}

/// Bumps the site's content version (in the caller's transaction): every cache on every
/// instance drops what it kept on its next request. Call it in every change to shown content.
pub async fn content_changed(db: &impl sea_orm::ConnectionTrait) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    entity::site_version::Entity::update_many()
        .col_expr(
            entity::site_version::Column::Version,
            Expr::col(entity::site_version::Column::Version).add(1),
        )
        .filter(entity::site_version::Column::Id.eq(1))
        .exec(db)
        .await
        .map(|_| ())
}

/// The site's content version (0 when the row is missing).
pub async fn content_version(db: &impl sea_orm::ConnectionTrait) -> Result<i64, DbErr> {
    use sea_orm::EntityTrait;
    Ok(entity::site_version::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |row| row.version))
}

/// One page of a paginated list; `number` is 1-based as in URLs.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub number: u64,
    pub pages: u64,
    pub total: u64,
}

/// Page `number` (1-based) of a SeaORM paginator, with the totals (two statements).
pub async fn fetch_page<'db, C, S>(
    paginator: sea_orm::Paginator<'db, C, S>,
    number: u64,
) -> Result<Page<S::Item>, sea_orm::DbErr>
where
    C: sea_orm::ConnectionTrait,
    S: sea_orm::SelectorTrait + 'db,
{
    let number = number.clamp(1, MAX_PAGE);
    let counts = paginator.num_items_and_pages().await?;
    let items = paginator.fetch_page(number - 1).await?;
    Ok(Page {
        items,
        number,
        pages: counts.number_of_pages,
        total: counts.number_of_items,
    })
}

/// The highest page number a list will look at. Far beyond any real list, and low enough that
/// `(page - 1) * per_page` can never overflow, nor an OFFSET exceed `i64::MAX` (the SQL binding
/// of an offset that large panics inside the driver).
pub const MAX_PAGE: u64 = 1_000_000;

/// The OFFSET of 1-based page `number` (clamped to `1..=MAX_PAGE`) of `per_page` rows.
pub fn offset(number: u64, per_page: u64) -> u64 {
    (number.clamp(1, MAX_PAGE) - 1).saturating_mul(per_page)
}

impl<T> Page<T> {
    /// Clamps a requested 1-based page number to `1..=MAX_PAGE`.
    pub fn index(requested: Option<u64>) -> u64 {
        requested.unwrap_or(1).clamp(1, MAX_PAGE)
    }
}
