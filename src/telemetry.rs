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
        use actix_web::HttpMessage;
        // The fields of `tracing_actix_web::root_span!`, but the target has the secrets of
        // mailed links cut out: a password-reset link in a log is a password in a log.
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let request_id = request
            .extensions()
            .get::<tracing_actix_web::RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let target = crate::request::loggable_target(
            request.uri().path_and_query().map_or("", |p| p.as_str()),
        );
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.flavor = ?request.version(),
            http.client_ip = %request.connection_info().realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %target,
            http.status_code = tracing::field::Empty,
            otel.name = %format!("{} {}", request.method(), route),
            otel.kind = "server",
            otel.status_code = tracing::field::Empty,
            trace_id = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
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
            // A middleware's refusal (a stale CSRF token, a bad byte in the query) is the
            // client's mistake: it is not an ERROR line, which is kept for the server's own.
            Err(error) => {
                let status = error.as_response_error().status_code();
                if is_servers_fault(status) {
                    tracing::error!(%error, status = status.as_u16(), "request failed")
                } else {
                    tracing::info!(%error, status = status.as_u16(), "request refused")
                }
            }
        }
    }
}

/// Whether a response with `status` is the server's fault (logged as an error) rather than the
/// client's (a 4xx, logged at info).
fn is_servers_fault(status: actix_web::http::StatusCode) -> bool {
    status.is_server_error()
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;
    use actix_web::http::StatusCode;

    use super::is_servers_fault;
    use crate::routes::error::AppError;

    #[test]
    fn a_refused_csrf_token_or_bad_input_is_the_clients_mistake_and_a_crash_is_the_servers() {
        let csrf = AppError::CsrfRejected.status_code();
        assert_eq!(csrf, StatusCode::FORBIDDEN);
        assert!(!is_servers_fault(csrf));
        assert!(!is_servers_fault(
            AppError::BadRequest("x".into()).status_code()
        ));
        assert!(is_servers_fault(
            AppError::Internal(anyhow::anyhow!("boom")).status_code()
        ));
    }
}
