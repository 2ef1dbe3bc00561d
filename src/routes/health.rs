//! `GET /healthz`: JSON status; 503 when the database does not answer.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

use crate::services::health;
use crate::state::App;

pub async fn healthz(app: App) -> HttpResponse {
    match health::check_database(&app.db).await {
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

/// The token that opens `/metrics` to other addresses than loopback.
#[derive(Clone, Debug, Default)]
pub struct MetricsToken(pub Option<crate::config::Secret>);

/// `/metrics` answers the machine itself (loopback) or a scraper with the metrics token.
fn may_read_metrics(req: &HttpRequest, token: &MetricsToken) -> bool {
    if super::client_ip_addr(req).is_some_and(|ip| ip.is_loopback()) {
        return true;
    }
    let Some(expected) = &token.0 else {
        return false;
    };
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| {
            crate::auth::csrf::constant_time_eq(
                given.trim().as_bytes(),
                expected.expose().as_bytes(),
            )
        })
}

/// `GET /metrics`: counters in the Prometheus text format (SQL statements run so far), for
/// loopback or the metrics token only (404 otherwise).
pub async fn metrics(req: HttpRequest, app: App) -> HttpResponse {
    if !may_read_metrics(&req, &app.metrics_token) {
        return HttpResponse::NotFound().finish();
    }
    let statements = app.statements.0.load(std::sync::atomic::Ordering::Relaxed);
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .content_type("text/plain; version=0.0.4")
        .body(format!(
            "# HELP marquee_sql_statements_total SQL statements run by this instance.\n# TYPE marquee_sql_statements_total counter\nmarquee_sql_statements_total {statements}\n"
        ))
}
