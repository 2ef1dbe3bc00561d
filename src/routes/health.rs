//! `GET /healthz`: JSON status; 503 when the database does not answer.

use actix_web::{HttpResponse, web};
use sea_orm::DatabaseConnection;

use crate::services::health;

pub async fn healthz(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match health::check_database(db.get_ref()).await {
        Ok(()) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({ "status": "ok", "database": "ok" })),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Cache-Control", "no-store"))
                .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }))
        }
    }
}

/// `GET /metrics`: counters in the Prometheus text format (SQL statements run so far).
pub async fn metrics(counter: web::Data<crate::startup::StatementCounter>) -> HttpResponse {
    let statements = counter.0.load(std::sync::atomic::Ordering::Relaxed);
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .content_type("text/plain; version=0.0.4")
        .body(format!(
            "# HELP marquee_sql_statements_total SQL statements run by this instance.\n# TYPE marquee_sql_statements_total counter\nmarquee_sql_statements_total {statements}\n"
        ))
}
