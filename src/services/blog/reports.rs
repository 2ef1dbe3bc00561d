//! Reports over the blog (the dashboard's top authors).

use chrono::{Duration, Utc};
use entity::enums::PostStatus;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

#[derive(Clone, Debug, FromQueryResult)]
pub struct TopAuthor {
    pub username: String,
    pub posts: i64,
    pub comments: i64,
}

/// Authors with the most posts published in the last 30 days, with the comments those posts
/// received. One hand-written SQL statement for all three backends; only the identifier
/// quote and placeholder style differ.
pub async fn top_authors(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<TopAuthor>, DbErr> {
    let backend = db.get_database_backend();
    let (q, p1, p2, p3) = match backend {
        DbBackend::Postgres => ('"', "$1", "$2", "$3"),
        DbBackend::MySql => ('`', "?", "?", "?"),
        _ => ('"', "?", "?", "?"),
    };
    let sql = format!(
        "SELECT u.{q}username{q} AS username, \
                COUNT(DISTINCT p.{q}id{q}) AS posts, \
                COUNT(c.{q}id{q}) AS comments \
         FROM {q}post{q} p \
         JOIN {q}user{q} u ON u.{q}id{q} = p.{q}author_id{q} \
         LEFT JOIN {q}comment{q} c ON c.{q}post_id{q} = p.{q}id{q} AND c.{q}is_hidden{q} = {false_literal} \
         WHERE p.{q}status{q} = {p1} AND p.{q}published_at{q} >= {p2} \
         GROUP BY u.{q}id{q}, u.{q}username{q} \
         ORDER BY posts DESC, comments DESC, username ASC \
         LIMIT {p3}",
        false_literal = if backend == DbBackend::Postgres {
            "FALSE"
        } else {
            "0"
        },
    );
    let since = Utc::now() - Duration::days(30);
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [
            PostStatus::Published.as_str().into(),
            since.into(),
            sea_orm::Value::BigInt(Some(i64::try_from(limit).unwrap_or(10))),
        ],
    );
    TopAuthor::find_by_statement(statement).all(db).await
}
