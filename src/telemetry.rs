//! Tracing set-up: human-readable logs on stderr, filtered by the configured level.
//!
//! SQL statements are logged by sqlx at `debug` only, so `info` (the default) shows requests
//! and application events but no SQL. `RUST_LOG`, when set, wins over the setting.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (tests) are ignored.
pub fn init(level: &str) {
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
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
