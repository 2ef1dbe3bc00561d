//! Builds the application: connects, migrates, loads demo data into an empty database, and
//! binds the HTTP server. Tests spawn exactly this, so they run the production wiring.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_web::cookie::{Key, SameSite, time::Duration as CookieDuration};
use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpMessage, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use tracing_actix_web::{RequestId, TracingLogger};

use crate::auth::csrf;
use crate::auth::store::Store;
use crate::auth::throttle::Throttle;
use crate::config::Settings;
use crate::domain::SiteUrl;
use crate::state::AppState;
use crate::{db, routes, seed};

/// A bound, not yet running server.
pub struct Application {
    address: SocketAddr,
    server: Server,
    db: DatabaseConnection,
    statements: Arc<AtomicU64>,
    /// Mail delivery and database upkeep: they end with the server.
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Set when this start loaded the demo data: the accounts and their one-time passwords.
    pub demo_credentials: Option<seed::Credentials>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let log_sql = matches!(
            settings.log_level.to_ascii_lowercase().as_str(),
            "debug" | "trace"
        );
        let mut db = db::connect(&settings.database_url, log_sql, settings.db_connections)
            .await
            .context("could not connect to the database")?;
        // Counts every SQL statement the server runs (tests and the benchmark read it).
        let statements = Arc::new(AtomicU64::new(0));
        let slow = std::time::Duration::from_millis(settings.slow_statement_ms);
        count_and_log_statements(&mut db, &statements, slow);
        if !settings.no_migrate {
            db::migrate(&settings.database_url, &db).await?;
        }
        // Demo data (and its printed admin password) only ever goes into an embedded SQLite
        // file on first start, or wherever an operator asks for it with `--demo-data`: never
        // silently into an empty PostgreSQL or MySQL database.
        let wants_demo = settings.demo_data || (settings.is_sqlite() && !settings.no_demo_data);
        let demo_credentials = if wants_demo && seed::is_empty(&db).await? {
            tracing::info!("empty database: loading the demo data set");
            seed::seed_demo(&db).await?.credentials
        } else {
            None
        };
        // Statistics only make plans better: a failure is worth a warning, not a refusal to start.
        if let Err(error) = crate::db::optimize(&db, true).await {
            tracing::warn!(%error, "could not refresh SQLite's planner statistics");
        }
        let upkeep = crate::db::optimize_hourly(db.clone());
        let key = session_key(&settings)?;
        let redis_url = settings.redis_url.as_deref();
        let store = Store::connect(redis_url).await?;
        let throttle = Throttle::connect(redis_url)
            .await
            .map_err(|e| anyhow::anyhow!("could not connect to Redis for login throttling: {e}"))?;

        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("could not listen on {}", settings.bind))?;
        let address = listener.local_addr()?;
        let site = SiteUrl::new(settings.site_url.as_deref(), address);
        let mailer = crate::delivery::Mailer::from_settings(&settings, site.clone())?;
        let wake = crate::delivery::Delivery::default();
        let delivery = crate::delivery::spawn_delivery(
            db.clone(),
            Arc::new(mailer),
            wake.clone(),
            std::time::Duration::from_secs(settings.mail_poll_secs.max(1)),
        );
        // The content version is read on a connection of its own, opened after the
        // migrations (see [`crate::cache::SiteCache::with_version_connection`]); a memory
        // database lives in one connection, which must serve that read too.
        let version_db = match settings.cache && !crate::db::is_memory(&settings.database_url) {
            true => {
                let mut one = db::connect(&settings.database_url, log_sql, Some(1))
                    .await
                    .context("could not connect to the database")?;
                count_and_log_statements(&mut one, &statements, slow);
                Some(one)
            }
            false => None,
        };
        let cache = crate::cache::SiteCache::new(settings.cache);
        let state = AppState {
            db: db.clone(),
            cache: match version_db {
                Some(one) => cache.with_version_connection(one),
                None => cache,
            },
            throttle,
            lifetimes: settings.session_lifetimes(),
            proxies: routes::TrustedProxies(settings.trusted_proxies.clone()),
            metrics_token: routes::health::MetricsToken(settings.metrics_token.clone()),
            statements: crate::telemetry::StatementCounter(statements.clone()),
            api_limits: crate::api::ApiLimits {
                per_minute: settings.api_rate_per_minute,
            },
            site_url: site,
            delivery: wake,
            static_dir: crate::assets::StaticDir(settings.static_dir.clone()),
        };
        let server = build_server(listener, state, key, store, &settings)?;
        Ok(Application {
            address,
            server,
            db,
            statements,
            tasks: vec![upkeep, delivery],
            demo_credentials,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// SQL statements run so far through the server's pool.
    pub fn statement_counter(&self) -> Arc<AtomicU64> {
        self.statements.clone()
    }

    /// Serves until a signal stops the server; no mail is sent after that.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        for task in self.tasks {
            task.abort();
        }
        served
    }

    /// Runs the server on the current runtime and returns a handle to stop it.
    pub fn spawn(self) -> (SocketAddr, DatabaseConnection, Running) {
        let running = Running {
            server: self.server.handle(),
            tasks: self.tasks,
        };
        tokio::spawn(self.server);
        (self.address, self.db, running)
    }
}

/// A server started by [`Application::spawn`], with its background tasks.
pub struct Running {
    server: ServerHandle,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops the server, then its background tasks: once this returns, nothing of this
    /// instance touches the database or the mail server any more (a mail it was sending
    /// stays claimed until its lease runs out, as after a crash).
    pub async fn stop(self, graceful: bool) {
        self.server.stop(graceful).await;
        for task in self.tasks {
            task.abort();
            // Only ever `Err(cancelled)` or the task's own end: nothing to report.
            let _ = task.await;
        }
    }
}

/// Counts every SQL statement run through `db` in `statements` (tests and the benchmark read
/// it) and logs those that take `slow` or longer at `warn`.
fn count_and_log_statements(
    db: &mut DatabaseConnection,
    statements: &Arc<AtomicU64>,
    slow: std::time::Duration,
) {
    let counter = statements.clone();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        // The SQL with its placeholders only: parameter values (a password hash, an email
        // address) never reach the log.
        if !slow.is_zero() && info.elapsed >= slow {
            tracing::warn!(
                sql = %info.statement.sql,
                ms = info.elapsed.as_millis() as u64,
                failed = info.failed,
                "slow statement"
            );
        }
    });
}

/// The server: every worker shares `state` (registered once) and the session store and key.
fn build_server(
    listener: TcpListener,
    state: AppState,
    key: Key,
    store: Store,
    settings: &Settings,
) -> anyhow::Result<Server> {
    let state = web::Data::new(state);
    let session_ttl = CookieDuration::hours(i64::from(settings.session_absolute_hours.max(1)));
    let cookie_secure = settings.cookie_secure;
    let mut server = HttpServer::new(move || {
        let session = || {
            SessionMiddleware::builder(store.clone(), key.clone())
                .cookie_name(crate::auth::SESSION_COOKIE.into())
                .cookie_content_security(CookieContentSecurity::Private)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_secure(cookie_secure)
                .session_lifecycle(PersistentSession::default().session_ttl(session_ttl))
                .build()
        };
        App::new()
            .app_data(state.clone())
            // Room for the longest post percent-encoded (up to 3 bytes on the wire per byte).
            .app_data(web::PayloadConfig::new(crate::input::MAX_FORM))
            .wrap(ErrorHandlers::new().default_handler(crate::routes::error::render_error_page))
            .wrap(Compress::default())
            .wrap(security_headers(cookie_secure))
            .wrap(
                DefaultHeaders::new()
                    .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                    .add((header::X_FRAME_OPTIONS, "DENY"))
                    .add((header::REFERRER_POLICY, "same-origin"))
                    // No scripts at all; inline styles only for chart bar widths and tree depth.
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; \
                         img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; \
                         base-uri 'none'",
                    )),
            )
            .wrap_fn(|req, srv| {
                let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if let Some(id) =
                        request_id.and_then(|id: String| HeaderValue::from_str(&id).ok())
                    {
                        res.headers_mut()
                            .insert(header::HeaderName::from_static("x-request-id"), id);
                    }
                    Ok(res)
                }
            })
            .wrap(TracingLogger::<crate::telemetry::RequestSpan>::new())
            .route("/healthz", web::get().to(routes::health::healthz))
            .route("/metrics", web::get().to(routes::health::metrics))
            // Pictures: public, immutable by their hash, outside the session and page cache.
            .service(
                web::resource("/media/{hash}/{size}")
                    .route(web::get().to(routes::pictures::media))
                    .route(web::head().to(routes::pictures::media)),
            )
            .service(
                web::resource("/static/{tail:.*}")
                    .route(web::get().to(crate::assets::serve))
                    .route(web::head().to(crate::assets::serve)),
            )
            // The JSON API: no CSRF tokens (writes need a bearer token, never a cookie), the
            // session only to authenticate reads from a signed-in browser.
            .service(
                web::scope("/api")
                    .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "private, no-cache")))
                    .wrap(from_fn(crate::auth::no_store_when_signed_in))
                    .wrap(session())
                    .wrap(from_fn(crate::input::guard))
                    .configure(crate::api::routes)
                    .default_service(web::to(crate::api::not_found)),
            )
            .service(
                web::scope("")
                    .wrap(from_fn(crate::auth::no_store_when_signed_in))
                    .wrap(from_fn(csrf::protect))
                    .wrap(session())
                    .wrap(from_fn(crate::cache::page_cache))
                    .wrap(from_fn(crate::input::guard))
                    .configure(routes::pages)
                    .default_service(web::to(routes::not_found)),
            )
    })
    .listen(listener)?
    .shutdown_timeout(5);
    if let Some(workers) = settings.workers {
        server = server.workers(workers.max(1));
    }
    Ok(server.run())
}

/// `Strict-Transport-Security` when cookies are `Secure` (the site is served over HTTPS); no
/// header otherwise, so a plain-HTTP development site is not pinned to HTTPS.
fn security_headers(cookie_secure: bool) -> DefaultHeaders {
    if cookie_secure {
        DefaultHeaders::new().add((
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        ))
    } else {
        DefaultHeaders::new()
    }
}

/// The cookie key: from settings, or in development a generated key kept in a file beside the
/// SQLite database (or the working folder), with a warning.
fn session_key(settings: &Settings) -> anyhow::Result<Key> {
    if let Some(secret) = &settings.secret_key {
        return Ok(Key::derive_from(secret.expose().as_bytes()));
    }
    let path = dev_key_path(settings);
    tracing::warn!(
        path = %path.display(),
        "MARQUEE_SECRET_KEY is not set: using a development session key kept in a local file"
    );
    if let Ok(bytes) = std::fs::read(&path)
        && bytes.len() >= 64
    {
        return Ok(Key::from(&bytes));
    }
    let key = Key::generate();
    write_private(&path, key.master())
        .with_context(|| format!("could not write the development key to {}", path.display()))?;
    Ok(key)
}

fn dev_key_path(settings: &Settings) -> PathBuf {
    settings.beside_database(".marquee-session-key")
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}
