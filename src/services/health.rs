//! Liveness of the database for `/healthz`.

use sea_orm::{ConnectionTrait, DbErr, Statement};

/// Runs `SELECT 1` on the database.
pub async fn check_database(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    db.query_one_raw(Statement::from_string(backend, "SELECT 1"))
        .await
        .map(|_| ())
}
