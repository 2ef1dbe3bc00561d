//! One typed `Settings`, read from flags or the environment by clap. Tests build it directly
//! with [`Settings::for_tests`] instead of touching the process environment.
//!
//! The secret key never appears in `Debug` output or logs.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// A secret setting (the session key, the metrics token, the SMTP password): its `Debug` never
/// shows the value. Keys and tokens must also be long enough: see [`long_secret`].
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call only where it is used, never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The shortest key or token accepted: shorter ones could be guessed.
pub const MIN_SECRET_LEN: usize = 32;

/// Parses a key or token that must be at least [`MIN_SECRET_LEN`] characters (clap's
/// `value_parser` of the secret key and the metrics token; a password is any length).
pub fn long_secret(value: &str) -> Result<Secret, String> {
    if value.len() < MIN_SECRET_LEN {
        return Err(format!(
            "it must be at least {MIN_SECRET_LEN} characters long"
        ));
    }
    Ok(Secret::new(value))
}

/// The default database: an SQLite file in the working folder, created on first use.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://marquee.db?mode=rwc";

/// What the commands other than `serve` take: the database and how much to log.
#[derive(Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://FILE?mode=rwc, postgres://..., or mysql://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL,
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// Log level: error, warn, info, debug (debug also logs SQL) or trace.
    #[arg(long, env = "MARQUEE_LOG", default_value = "info", global = true)]
    pub log_level: String,
}

impl fmt::Debug for DatabaseArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseArgs")
            .field("database_url", &redact_url(&self.database_url))
            .field("log_level", &self.log_level)
            .finish()
    }
}

/// Everything `marquee serve` takes.
#[derive(Clone, clap::Args)]
pub struct Settings {
    /// Database URL: sqlite://FILE?mode=rwc, postgres://..., or mysql://...
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = DEFAULT_DATABASE_URL,
        hide_env_values = true
    )]
    pub database_url: String,

    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "MARQUEE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Key for session cookies (at least 32 characters). Without it a development key is
    /// generated and kept beside the database.
    #[arg(long, env = "MARQUEE_SECRET_KEY", hide_env_values = true, value_parser = long_secret)]
    pub secret_key: Option<Secret>,

    /// Log level: error, warn, info, debug (debug also logs SQL) or trace.
    #[arg(long, env = "MARQUEE_LOG", default_value = "info")]
    pub log_level: String,

    /// Log lines as `text` (for people) or `json` (one object a line, for collectors).
    #[arg(
        long,
        env = "MARQUEE_LOG_FORMAT",
        default_value = "text",
        value_parser = ["text", "json"])]
    pub log_format: String,

    /// Statements that take at least this many milliseconds are logged at `warn` with their
    /// SQL (placeholders, no values) and duration; 0 turns this off.
    #[arg(long, env = "MARQUEE_SLOW_STATEMENT_MS", default_value_t = 250)]
    pub slow_statement_ms: u64,

    /// Do not run pending migrations at start.
    #[arg(long, env = "MARQUEE_NO_MIGRATE")]
    pub no_migrate: bool,

    /// Do not load the demo data set into an empty SQLite database at start.
    #[arg(long, env = "MARQUEE_NO_DEMO_DATA")]
    pub no_demo_data: bool,

    /// Load the demo data set into an empty database of any kind at start (without it, only
    /// an empty SQLite file gets the demo data).
    #[arg(long, env = "MARQUEE_DEMO_DATA", conflicts_with = "no_demo_data")]
    pub demo_data: bool,

    /// Mark cookies Secure (set this behind HTTPS).
    #[arg(long, env = "MARQUEE_COOKIE_SECURE")]
    pub cookie_secure: bool,

    /// Serve /static from this folder instead of the files built into the binary, uncached
    /// (development: edits show without a rebuild).
    #[arg(long, env = "MARQUEE_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Redis URL: sessions and login throttling shared by every instance (redis://host:6379).
    #[arg(long, env = "MARQUEE_REDIS_URL")]
    pub redis_url: Option<String>,

    /// The content cache (`on` or `off`): pages every visitor sees the same are kept until the
    /// next content change, on every instance. `off` measures the data path itself.
    #[arg(
        long,
        env = "MARQUEE_CACHE",
        default_value = "on",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set)]
    pub cache: bool,

    /// Hours without a request after which a session has ended (checked on the server).
    #[arg(long, env = "MARQUEE_SESSION_IDLE_HOURS", default_value_t = 72)]
    pub session_idle_hours: u32,

    /// Hours after sign-in after which a session has ended, however busy (checked on the server).
    #[arg(long, env = "MARQUEE_SESSION_ABSOLUTE_HOURS", default_value_t = 336)]
    pub session_absolute_hours: u32,

    /// Addresses of the reverse proxies in front of Marquee, comma-separated. Only a request
    /// from one of them has its client address taken from `X-Forwarded-For`.
    #[arg(long, env = "MARQUEE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,

    /// A token (32 characters or more) that opens `/metrics` to other addresses than loopback,
    /// as `Authorization: Bearer <token>`.
    #[arg(
        long,
        env = "MARQUEE_METRICS_TOKEN",
        hide_env_values = true,
        value_parser = long_secret
    )]
    pub metrics_token: Option<Secret>,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "MARQUEE_WORKERS")]
    pub workers: Option<usize>,

    /// Database connections in the pool (default: 12 for an SQLite file, 16 for a server).
    #[arg(long, env = "MARQUEE_DB_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_connections: Option<u32>,

    /// Requests a personal access token may make to the JSON API per minute (then `429` with
    /// `Retry-After`); counted in Redis when it is set, so across every instance.
    #[arg(long, env = "MARQUEE_API_RATE_PER_MINUTE", default_value_t = 600)]
    pub api_rate_per_minute: u32,

    /// The site's public address, for the links in mails, feeds and the sitemap
    /// (`https://marquee.example`); without it, `http://` and the address listened on.
    #[arg(long, env = "MARQUEE_SITE_URL")]
    pub site_url: Option<String>,

    /// SMTP server for outgoing mail. Without it, mail is written as `.eml` files to the mail
    /// folder (development).
    #[arg(long, env = "MARQUEE_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port (default: 587 with STARTTLS, 465 with TLS, 25 without).
    #[arg(long, env = "MARQUEE_SMTP_PORT")]
    pub smtp_port: Option<u16>,

    /// SMTP connection security: `starttls`, `tls` (implicit) or `none` (a local relay only).
    #[arg(
        long,
        env = "MARQUEE_SMTP_SECURITY",
        default_value = "starttls",
        value_parser = ["starttls", "tls", "none"])]
    pub smtp_security: String,

    /// SMTP user name (with MARQUEE_SMTP_PASSWORD).
    #[arg(long, env = "MARQUEE_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password.
    #[arg(long, env = "MARQUEE_SMTP_PASSWORD", hide_env_values = true, value_parser = any_secret)]
    pub smtp_password: Option<Secret>,

    /// The sender of the site's mail.
    #[arg(
        long,
        env = "MARQUEE_MAIL_FROM",
        default_value = "Marquee <marquee@localhost>"
    )]
    pub mail_from: String,

    /// Where mail is written as `.eml` files when no SMTP server is set (default: `mail/`
    /// beside the SQLite database, or in the working folder).
    #[arg(long, env = "MARQUEE_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Seconds between looks at the outbox for retries and other instances' mail (mail queued
    /// by this instance goes out at once).
    #[arg(long, env = "MARQUEE_MAIL_POLL_SECS", default_value_t = 30)]
    pub mail_poll_secs: u64,
}

/// Parses a secret of any length (a password chosen elsewhere).
fn any_secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("bind", &self.bind)
            .field("secret_key", &self.secret_key)
            .field("log_level", &self.log_level)
            .field("log_format", &self.log_format)
            .field("slow_statement_ms", &self.slow_statement_ms)
            .field("no_migrate", &self.no_migrate)
            .field("no_demo_data", &self.no_demo_data)
            .field("demo_data", &self.demo_data)
            .field("cookie_secure", &self.cookie_secure)
            .field("static_dir", &self.static_dir)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("cache", &self.cache)
            .field("workers", &self.workers)
            .field("db_connections", &self.db_connections)
            .field("api_rate_per_minute", &self.api_rate_per_minute)
            .field("site_url", &self.site_url)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &self.smtp_password)
            .field("mail_from", &self.mail_from)
            .field("mail_dir", &self.mail_dir)
            .field("mail_poll_secs", &self.mail_poll_secs)
            .field("session_idle_hours", &self.session_idle_hours)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &self.metrics_token)
            .finish()
    }
}

/// `scheme://user:password@host/db` with the password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &rest[..colon],
                &rest[at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl Settings {
    /// Settings for a test: the given database, a free port, no demo data, a fixed key.
    pub fn for_tests(database_url: impl Into<String>) -> Self {
        Settings {
            database_url: database_url.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            secret_key: Some(Secret::new("test-key-".repeat(8))),
            log_level: "warn".into(),
            log_format: "text".into(),
            slow_statement_ms: 250,
            no_migrate: false,
            no_demo_data: true,
            demo_data: false,
            cookie_secure: false,
            static_dir: None,
            workers: Some(1),
            db_connections: None,
            redis_url: None,
            cache: true,
            session_idle_hours: 72,
            session_absolute_hours: 336,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            api_rate_per_minute: 600,
            site_url: None,
            smtp_host: None,
            smtp_port: None,
            smtp_security: "none".into(),
            smtp_username: None,
            smtp_password: None,
            mail_from: "Marquee <marquee@localhost>".into(),
            mail_dir: Some(std::env::temp_dir().join("marquee-test-mail")),
            // Tests wake delivery when they queue mail; no timer query lands in a statement count.
            mail_poll_secs: 3600,
        }
    }

    /// The session lifetimes the server enforces.
    pub fn session_lifetimes(&self) -> crate::services::accounts::sessions::Lifetimes {
        crate::services::accounts::sessions::Lifetimes {
            idle: chrono::Duration::hours(i64::from(self.session_idle_hours.max(1))),
            absolute: chrono::Duration::hours(i64::from(self.session_absolute_hours.max(1))),
        }
    }

    /// `name` in the folder of the SQLite database file, or in the working folder.
    pub fn beside_database(&self, name: &str) -> PathBuf {
        match crate::db::sqlite_file(&self.database_url)
            .and_then(|file| std::path::Path::new(file).parent())
        {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }

    /// Where mail goes as `.eml` files without an SMTP server.
    pub fn mail_folder(&self) -> PathBuf {
        self.mail_dir
            .clone()
            .unwrap_or_else(|| self.beside_database("mail"))
    }

    /// True when the database is a SQLite file or memory database.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let settings = Settings::for_tests("sqlite::memory:");
        let printed = format!("{settings:?}");
        assert!(!printed.contains("test-key-"), "{printed}");
        assert!(printed.contains("Secret(***)"));
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/marquee"),
            "postgres://app:***@db:5432/marquee"
        );
        assert_eq!(
            redact_url("redis://:pw@cache:6379"),
            "redis://:***@cache:6379"
        );
        assert_eq!(
            redact_url("sqlite://marquee.db?mode=rwc"),
            "sqlite://marquee.db?mode=rwc"
        );
        let mut settings = Settings::for_tests("mysql://root:hunter2@localhost/test");
        settings.redis_url = Some("redis://:hunter2@localhost".into());
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn a_short_secret_key_is_refused() {
        assert!(long_secret("short").is_err());
        assert!(long_secret(&"x".repeat(32)).is_ok());
    }
}
