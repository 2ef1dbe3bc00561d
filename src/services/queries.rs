//! Query pieces the areas share: portable text search, a user as id and name, pairs read
//! with partial columns, JSON rows for one-statement pages, and numbered pages.

use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{DbErr, ExprTrait};

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

/// A user as lists show them: id, name and avatar, never the password hash or the email
/// address.
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "entity::user::Entity")]
pub struct UserRef {
    pub id: i32,
    pub username: String,
    /// Their avatar's picture hash, if they set one.
    pub avatar: Option<String>,
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
    Ok(Page::counted(items, number, total, per_page))
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
    /// Page `number` (clamped to `1..=MAX_PAGE`) holding `items`, of `total` rows in pages of
    /// `per_page`.
    pub fn counted(items: Vec<T>, number: u64, total: u64, per_page: u64) -> Page<T> {
        Page {
            items,
            number: number.clamp(1, MAX_PAGE),
            pages: total.div_ceil(std::cmp::max(per_page, 1)),
            total,
        }
    }

    /// Clamps a requested 1-based page number to `1..=MAX_PAGE`.
    pub fn index(requested: Option<u64>) -> u64 {
        requested.unwrap_or(1).clamp(1, MAX_PAGE)
    }
}

/// A statement written with `?` for each value, in the backend's form: PostgreSQL numbers its
/// placeholders (`$1`, `$2`…); SQLite and MySQL take `?` as it is. The text must hold no `?`
/// but placeholders (values are never written into it).
pub fn placeholders(backend: sea_orm::DbBackend, text: &str) -> String {
    if backend != sea_orm::DbBackend::Postgres {
        return text.to_owned();
    }
    let mut numbered = String::with_capacity(text.len());
    let mut n: u32 = 0;
    for c in text.chars() {
        if c == '?' {
            n = n.saturating_add(1);
            numbered.push('$');
            numbered.push_str(&n.to_string());
        } else {
            numbered.push(c);
        }
    }
    numbered
}
