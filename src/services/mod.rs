//! Queries and mutations. Functions take `&impl ConnectionTrait` and know nothing of actix.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod blog;
pub mod groups;
pub mod health;
pub mod home;
pub mod movies;

use sea_orm::{DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};

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
    let counts = paginator.num_items_and_pages().await?;
    let items = paginator.fetch_page(number.saturating_sub(1)).await?;
    Ok(Page {
        items,
        number,
        pages: counts.number_of_pages,
        total: counts.number_of_items,
    })
}

impl<T> Page<T> {
    /// Clamps a requested 1-based page number to at least 1.
    pub fn index(requested: Option<u64>) -> u64 {
        requested.unwrap_or(1).max(1)
    }
}
