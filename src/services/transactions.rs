//! Write transactions (`BEGIN IMMEDIATE` on SQLite), the content version every content change
//! bumps, and which database errors are only the database being busy.

use sea_orm::sea_query::Expr;
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
