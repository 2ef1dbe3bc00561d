//! Tracing set-up (human-readable logs on stderr, filtered by the configured level) and the
//! statement counter behind `/metrics`.
//!
//! SQL statements are logged by sqlx at `debug` only, so `info` (the default) shows requests
//! and application events but no SQL. `RUST_LOG`, when set, wins over the setting.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tracing_subscriber::EnvFilter;

/// The number of SQL statements run through the server's pool (shared with `/metrics`).
#[derive(Clone, Default)]
pub struct StatementCounter(pub Arc<AtomicU64>);

/// Installs the global subscriber once (JSON lines when `json` is set); later calls (tests) are
/// ignored.
pub fn init(level: &str, json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{level},sqlx={sql},sea_orm={sql},sea_orm_migration=warn,actix_server=warn",
            sql = if level.eq_ignore_ascii_case("debug") || level.eq_ignore_ascii_case("trace") {
                "debug"
            } else {
                "warn"
            }
        ))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// Root span for every request (`tracing-actix-web`): the default fields (request id, method,
/// route, status), plus one `info` line when the request ends so that each request is logged
/// with its request id.
pub struct RequestSpan;

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        tracing_actix_web::root_span!(request)
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span.clone(), outcome);
        let _entered = span.enter();
        match outcome {
            Ok(response) if response.status().is_server_error() => {
                tracing::error!(status = response.status().as_u16(), "request failed")
            }
            Ok(response) => tracing::info!(status = response.status().as_u16(), "request done"),
            Err(error) => tracing::error!(%error, "request failed"),
        }
    }
}
