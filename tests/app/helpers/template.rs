//! One migrated database per back-end for the whole test process, copied into a test's still
//! empty database before the application starts on it, instead of every test running every
//! migration again. The migrations' DDL is most of a short test's time on MySQL/MariaDB and
//! PostgreSQL (tables built and then rebuilt by later steps); a copy is a fraction of it.
//!
//! The template is what the real migrations built, in this process, so a test's database is
//! the migrated schema exactly: PostgreSQL copies the template database (`CREATE DATABASE …
//! TEMPLATE`), MySQL/MariaDB replays each table's `SHOW CREATE TABLE` and copies the rows the
//! migrations wrote (no views, triggers or routines exist there), SQLite copies the file. The
//! application still runs its migrator on start, which finds every step applied. A database
//! that holds anything is left alone, and the tests of the migrations themselves never come
//! here: they migrate their databases through the command lines or the migrator.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tokio::sync::OnceCell;

use super::{Backend, TestDb, create_postgres_database, with_database};

/// A migrated database this process made.
enum Template {
    Sqlite {
        file: PathBuf,
        _dir: tempfile::TempDir,
    },
    Postgres {
        name: String,
    },
    MySql {
        name: String,
        tables: Vec<Table>,
    },
}

/// A table of the MySQL/MariaDB template: its DDL, and its columns when the migrations wrote
/// rows into it (the migration log, the built-in roles and the like).
struct Table {
    name: String,
    create: String,
    columns: Option<String>,
}

static SQLITE: OnceCell<Option<Template>> = OnceCell::const_new();
static POSTGRES: OnceCell<Option<Template>> = OnceCell::const_new();
static MYSQL: OnceCell<Option<Template>> = OnceCell::const_new();

/// Fills the test's database with the migrated template when nothing is in it yet. Anything
/// else (a database with tables, a template that could not be made) leaves it as it is, and
/// the application's own migrations run as they would without this.
pub(super) async fn fill(db: &TestDb) {
    match db.backend {
        Backend::Sqlite => fill_sqlite(db).await,
        Backend::Postgres => fill_postgres(db).await,
        Backend::MySql => fill_mysql(db).await,
    }
}

/// The template's name on a server: one per test process, so that concurrent runs never share.
fn template_name() -> String {
    format!("marquee_tpl_{}", std::process::id())
}

/// Templates left by test processes that have ended (nothing drops them at a process's end).
/// Only where `/proc` tells which processes are alive.
fn is_stale(name: &str) -> bool {
    let Some(pid) = name.strip_prefix("marquee_tpl_") else {
        return false;
    };
    Path::new("/proc/self").exists()
        && pid.parse::<u32>().is_ok()
        && pid != std::process::id().to_string()
        && !Path::new("/proc").join(pid).exists()
}

async fn query_strings(conn: &DatabaseConnection, sql: &str) -> Vec<String> {
    let backend = conn.get_database_backend();
    match conn
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
    {
        Ok(rows) => rows
            .iter()
            .filter_map(|row| row.try_get_by_index::<String>(0).ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

async fn query_count(conn: &DatabaseConnection, sql: &str) -> Option<i64> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .ok()??;
    row.try_get_by_index::<i64>(0).ok()
}

async fn fill_sqlite(db: &TestDb) {
    let Some(target) = db.sqlite_file() else {
        return;
    };
    if target.exists() {
        return;
    }
    let template = SQLITE.get_or_init(make_sqlite).await;
    if let Some(Template::Sqlite { file, .. }) = template {
        // A failed copy leaves no file, and the migrations run instead.
        if std::fs::copy(file, &target).is_err() {
            let _ = std::fs::remove_file(&target);
        }
    }
}

async fn make_sqlite() -> Option<Template> {
    let dir = tempfile::tempdir().ok()?;
    let file = dir.path().join("template.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    marquee::db::run_migrations(&url, migration::Verb::Up(None))
        .await
        .ok()?;
    // The migrator's connection has closed, which checkpoints the write-ahead log into the
    // file: the one file is the whole database.
    let wal = dir.path().join("template.db-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return None;
    }
    Some(Template::Sqlite { file, _dir: dir })
}

async fn fill_postgres(db: &TestDb) {
    let Some((server, name)) = &db.admin else {
        return;
    };
    let Ok(own) = sea_orm::Database::connect(db.url.as_str()).await else {
        return;
    };
    let tables = query_count(
        &own,
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .await;
    let _ = own.close().await;
    if tables != Some(0) {
        return;
    }
    let Some(Template::Postgres { name: template }) =
        POSTGRES.get_or_init(|| make_postgres(server)).await
    else {
        return;
    };
    let Ok(conn) = sea_orm::Database::connect(server.as_str()).await else {
        return;
    };
    if conn
        .execute_unprepared(&format!("DROP DATABASE {name}"))
        .await
        .is_ok()
    {
        let mut copied = false;
        // Another test's copy may be reading the template at that instant; it is brief.
        for _ in 0..5 {
            let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
            if conn.execute_unprepared(&sql).await.is_ok() {
                copied = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        if !copied {
            let _ = create_postgres_database(&conn, name).await;
        }
    }
    let _ = conn.close().await;
}

async fn make_postgres(server: &str) -> Option<Template> {
    let conn = sea_orm::Database::connect(server).await.ok()?;
    drop_stale(
        &conn,
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'marquee\\_tpl\\_%'",
        " WITH (FORCE)",
    )
    .await;
    let name = template_name();
    let made = create_postgres_database(&conn, &name).await;
    if made.is_err() {
        let _ = conn.close().await;
        return None;
    }
    // `run_migrations` closes its connection: a template must have no one connected to it.
    let migrated = migrate_or_drop(&conn, server, &name, " WITH (FORCE)").await;
    let _ = conn.close().await;
    migrated.then_some(Template::Postgres { name })
}

/// Runs the migrations on the new template `name`; drops it when they fail, so that no
/// half-migrated template stays on the server. Whether they ran.
async fn migrate_or_drop(
    conn: &DatabaseConnection,
    server: &str,
    name: &str,
    drop_suffix: &str,
) -> bool {
    let url = with_database(server, name);
    let migrated = marquee::db::run_migrations(&url, migration::Verb::Up(None)).await;
    if migrated.is_err() {
        let _ = conn
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}{drop_suffix}"))
            .await;
    }
    migrated.is_ok()
}

/// Drops the templates (listed by `list_sql`) of test processes that have ended.
async fn drop_stale(conn: &DatabaseConnection, list_sql: &str, drop_suffix: &str) {
    for stale in query_strings(conn, list_sql)
        .await
        .iter()
        .filter(|n| is_stale(n))
    {
        let _ = conn
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {stale}{drop_suffix}"))
            .await;
    }
}

async fn fill_mysql(db: &TestDb) {
    let Some((server, name)) = &db.admin else {
        return;
    };
    let Ok(conn) = sea_orm::Database::connect(server.as_str()).await else {
        return;
    };
    let tables = query_count(
        &conn,
        &format!("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{name}'"),
    )
    .await;
    let _ = conn.close().await;
    if tables != Some(0) {
        return;
    }
    let Some(Template::MySql {
        name: template,
        tables,
    }) = MYSQL.get_or_init(|| make_mysql(server)).await
    else {
        return;
    };
    // One connection, so that the session's `FOREIGN_KEY_CHECKS = 0` covers every statement
    // (the tables come in name order, not in the order their keys need).
    let Ok(one) = migration::connect(&db.url, None).await else {
        return;
    };
    let mut statements = vec!["SET FOREIGN_KEY_CHECKS = 0".to_owned()];
    statements.extend(tables.iter().map(|t| t.create.clone()));
    statements.extend(tables.iter().filter_map(|t| {
        let columns = t.columns.as_ref()?;
        Some(format!(
            "INSERT INTO `{table}` ({columns}) SELECT {columns} FROM `{template}`.`{table}`",
            table = t.name
        ))
    }));
    statements.push("SET FOREIGN_KEY_CHECKS = 1".to_owned());
    for sql in &statements {
        if let Err(error) = one.execute_unprepared(sql).await {
            // Half a copy would fail the test in a way that points nowhere near the cause.
            panic!("copying the migrated template into {name}: {sql}: {error}");
        }
    }
    let _ = one.close().await;
}

async fn make_mysql(server: &str) -> Option<Template> {
    let conn = sea_orm::Database::connect(server).await.ok()?;
    drop_stale(
        &conn,
        "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata \
         WHERE schema_name LIKE 'marquee\\_tpl\\_%'",
        "",
    )
    .await;
    let name = template_name();
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .ok()?;
    if !migrate_or_drop(&conn, server, &name, "").await {
        let _ = conn.close().await;
        return None;
    }
    let names = query_strings(
        &conn,
        &format!(
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = '{name}' AND table_type = 'BASE TABLE' ORDER BY table_name"
        ),
    )
    .await;
    let mut tables = Vec::with_capacity(names.len());
    for table in names {
        let backend = conn.get_database_backend();
        let show = Statement::from_string(backend, format!("SHOW CREATE TABLE `{name}`.`{table}`"));
        let create = conn
            .query_one_raw(show)
            .await
            .ok()??
            .try_get_by_index::<String>(1)
            .ok()?;
        let rows = query_count(&conn, &format!("SELECT COUNT(*) FROM `{name}`.`{table}`")).await?;
        let columns = if rows > 0 {
            let list = query_strings(
                &conn,
                &format!(
                    "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
                     WHERE table_schema = '{name}' AND table_name = '{table}' \
                     AND extra NOT LIKE '%GENERATED%' ORDER BY ordinal_position"
                ),
            )
            .await;
            Some(
                list.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        } else {
            None
        };
        tables.push(Table {
            name: table,
            create,
            columns,
        });
    }
    let _ = conn.close().await;
    Some(Template::MySql { name, tables })
}
