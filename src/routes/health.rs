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
