//! Database connections with per-backend tuning.
//!
//! SQLite: WAL journal, `synchronous=NORMAL`, foreign keys on, a 5 s busy timeout, and an
//! explicit pool (SeaORM's default is a single connection, which would queue every query).
//! SQL statement logging is on only when the log level is debug or trace.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// No pool maintenance task. sqlx 0.9.0's pool counted its idle connections after it had
/// handed one back, so a connection taken in between made the count wrap below zero for a
/// moment; its maintenance task (run when a pool has a minimum size, an idle timeout or a
/// lifetime), reading the count then, looped over `usize::MAX` without yielding and took a
/// runtime thread for good (sqlx issue 3645; two CI runs hung on it). sqlx 0.9.1 carries the
/// fix (pull request 4289); the pools keep this shape, which leaves nothing to a background
/// task: no minimum, no idle timeout and no lifetime on any pool. SQLite's lifetime is checked
/// as a connection is handed out instead ([`SQLITE_LIFETIME`]); PostgreSQL and MySQL
/// connections are tested before use (sqlx's default), so one the server dropped is replaced
/// then.
const NO_WARM_CONNECTION: u32 = 0;

/// How long an SQLite connection serves (see `connect`).
const SQLITE_LIFETIME: Duration = Duration::from_secs(3600 + 60);

/// Opens a pool for `url`. `log_sql` turns sqlx statement logging on (at debug level);
/// `connections` overrides the pool's size (`MARQUEE_DB_CONNECTIONS`; by default 12 for an
/// SQLite file, 16 for a server).
pub async fn connect(
    url: &str,
    log_sql: bool,
    connections: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(log_sql)
        .test_before_acquire(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    let sqlite = url.starts_with("sqlite:");
    let in_memory = is_memory(url);
    if sqlite {
        // A memory database lives in one connection; a file serves many readers. More
        // connections than cores: each statement waits on hand-offs to its connection's thread
        // (the statement, then sqlx's test of the connection as it goes back to the pool) and
        // on reads from the OS's file cache, and with more connections fewer requests wait for
        // one to come back. Each connection costs memory, which bounds the number
        // (`bench/README.md` has the measurements).
        let pool = if in_memory {
            1
        } else {
            connections.unwrap_or(12).max(1)
        };
        // A small page cache per connection (SQLite's default is 2 MiB each): the operating
        // system caches the file too, and memory stays small; a larger one gained nothing.
        options
            .max_connections(pool)
            .min_connections(NO_WARM_CONNECTION)
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>)
            // A connection reads the planner's statistics when it opens, and only then: one
            // that lived on would never see what the hourly `PRAGMA optimize` ([`optimize`])
            // wrote from another connection (seen: a pool connection kept reading user rows
            // where a new one read the `(id, username)` index). An hour and a little, so that
            // each connection is replaced after a refresh, checked as it is handed out (not by
            // sqlx's lifetime: see [`NO_WARM_CONNECTION`]); never a memory database's one
            // connection, which is the database.
            .map_sqlx_sqlite_before_acquire(move |_, meta| {
                let fresh = in_memory || meta.age < SQLITE_LIFETIME;
                Box::pin(async move { Ok(fresh) })
            })
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    .pragma("cache_size", "-256")
                    // Prepared statements kept per connection (sqlx's default is 100); each
                    // takes tens of KiB. Every page's statements come in a few shapes (on
                    // SQLite the movie list's filters are one shape per sort, `services::movies`),
                    // which 32 holds; more only kept shapes that do not repeat, and memory.
                    .statement_cache_capacity(32)
            });
    } else {
        options
            .max_connections(connections.unwrap_or(16))
            .min_connections(NO_WARM_CONNECTION)
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>);
    }
    if sqlite && !in_memory {
        // One connection first creates the file and switches it to WAL (which persists), so
        // the pool's connections, opened at the same moment, only find it so. Two connections
        // switching a new file's journal mode at once can get "database is locked" at once,
        // whatever the busy timeout (seen once in a loaded CI run).
        let mut first = options.clone();
        first.max_connections(1).min_connections(0);
        Database::connect(first).await?.close().await?;
    }
    Database::connect(options).await
}

/// The file of an SQLite URL (`sqlite://FILE?mode=rwc`); `None` for other backends and for
/// memory databases.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or(rest);
    (!file.is_empty() && !is_memory(url) && !file.contains(":memory:")).then_some(file)
}

/// An SQLite memory database: it lives in its one connection, which every statement must use.
pub fn is_memory(url: &str) -> bool {
    url.starts_with("sqlite:") && (url.contains(":memory:") || url.contains("mode=memory"))
}

/// Gives SQLite's query planner current statistics: `PRAGMA optimize` analyses the tables whose
/// statistics are missing or stale (bounded by `analysis_limit`, so it takes milliseconds at
/// any size). Without them SQLite picks indexes by guesswork, and a filtered, sorted movie list
/// searches the wrong index and sorts thousands of rows. Run at start-up (`0x10002`: every
/// table, as SQLite advises for a new connection) and then every hour, as SQLite advises for
/// long-lived processes. PostgreSQL and MySQL keep their statistics themselves.
pub async fn optimize(db: &DatabaseConnection, at_start: bool) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if db.get_database_backend() != sea_orm::DatabaseBackend::Sqlite {
        return Ok(());
    }
    let mask = if at_start { "=0x10002" } else { "" };
    db.execute_unprepared(&format!(
        "PRAGMA analysis_limit=400; PRAGMA optimize{mask};"
    ))
    .await
    .map(|_| ())
}

/// Refreshes the query planner's statistics after a bulk load (`marquee seed`). PostgreSQL's
/// autovacuum analyses new rows only some time later; until then it plans as if the tables
/// were nearly empty (the first page of `/posts` took over ten times as long after seeding
/// 100,000 posts). MySQL's InnoDB recalculates its statistics by itself after large changes.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => optimize(db, true).await,
        sea_orm::DatabaseBackend::Postgres => db.execute_unprepared("ANALYZE").await.map(|_| ()),
        _ => Ok(()),
    }
}

/// Keeps SQLite's statistics current while the server runs (see [`optimize`]).
pub fn optimize_hourly(db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        every_hour.tick().await;
        loop {
            every_hour.tick().await;
            if let Err(error) = optimize(&db, false).await {
                tracing::warn!(%error, "PRAGMA optimize failed");
            }
        }
    })
}

/// Runs a migration verb on a connection of its own ([`migration::connect`]: one connection,
/// on SQLite with foreign keys off and checked at the end of every step), and returns every
/// step with its status afterwards. Errors are one line for an operator.
pub async fn run_migrations(
    url: &str,
    verb: migration::Verb,
) -> anyhow::Result<Vec<(String, migration::MigrationStatus)>> {
    let one = migration::connect(url, None)
        .await
        .map_err(|e| anyhow::anyhow!(migration::describe(&e)))?;
    let outcome = migration::run(&one, verb).await;
    // Closing only returns the connection; the outcome is what matters.
    let _ = one.close().await;
    outcome.map_err(|e| anyhow::anyhow!("migrations failed: {}", migration::describe(&e)))
}

/// Applies pending migrations before `pool` is used. A memory database lives in the pool's one
/// connection, so its migrations run there; anything else gets a connection of its own
/// ([`run_migrations`]).
pub async fn migrate(url: &str, pool: &DatabaseConnection) -> anyhow::Result<()> {
    if is_memory(url) {
        return migration::run(pool, migration::Verb::Up(None))
            .await
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("migrations failed: {}", migration::describe(&e)));
    }
    run_migrations(url, migration::Verb::Up(None))
        .await
        .map(|_| ())
}
