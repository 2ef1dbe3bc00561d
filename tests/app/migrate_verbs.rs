//! The operator's path: every verb of `sea-orm-cli migrate`, run as an operator runs it,
//! through `marquee migrate` and through the migration crate's own binary (what `sea-orm-cli
//! migrate` runs), on databases that hold the demo data or a scaled seed.
//!
//! After every verb the schema must be the one recorded for that number of applied steps, and
//! rolling a step back and applying it again must keep every row of every table the step does
//! not own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::{TestDb, count_rows};

/// Posts in the scaled seed: more than one batch of the seeder (`seed::scale`'s 1,000 rows a
/// statement and a transaction), so that every step's backfill and rollback meets more rows
/// than one statement of the seeder wrote, and more than SQLite's old 999 bound variables.
const SCALE: u64 = 1_200;

/// The number of steps the migrator knows.
fn steps() -> usize {
    use migration::MigratorTrait;
    migration::Migrator::migrations().len()
}

/// A migration command line: the `marquee` binary, or the migration crate's own.
#[derive(Clone, Copy, Debug)]
pub enum Cli {
    Marquee,
    MigrationCrate,
}

impl Cli {
    fn program(self) -> PathBuf {
        match self {
            Cli::Marquee => PathBuf::from(env!("CARGO_BIN_EXE_marquee")),
            Cli::MigrationCrate => migration_binary().to_owned(),
        }
    }

    /// Runs `verb` (`["down", "-n", "2"]`) on `url`; its exit status, stdout and stderr.
    pub async fn run(self, url: &str, verb: &[&str]) -> Outcome {
        let mut args: Vec<String> = match self {
            Cli::Marquee => vec!["migrate".into()],
            Cli::MigrationCrate => Vec::new(),
        };
        args.extend(verb.iter().map(|s| s.to_string()));
        run_program(&self.program(), &args, url).await
    }
}

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Outcome {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    #[track_caller]
    pub fn expect_ok(&self, what: &str) {
        assert!(self.ok, "{what} failed: {}\n{}", self.stderr, self.stdout);
    }
}

/// Runs `program` with `args`, `DATABASE_URL=url`, in an empty folder (so no `.env` or key
/// file of the checkout is read).
pub async fn run_program(program: &Path, args: &[String], url: &str) -> Outcome {
    let program = program.to_owned();
    let args = args.to_vec();
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let folder = tempfile::tempdir().unwrap();
        let output = std::process::Command::new(&program)
            .args(&args)
            .env("DATABASE_URL", &url)
            .env("MARQUEE_LOG", "warn")
            .current_dir(folder.path())
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        Outcome {
            ok: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

/// The migration crate's binary (what `sea-orm-cli migrate` builds and runs), built once per
/// test run into the same target folder. Built with the workspace's tests selected, so cargo
/// resolves every dependency's features as it did for this test binary and reuses what that
/// build compiled (`cargo build --manifest-path migration/Cargo.toml` alone leaves the
/// dev-dependencies' features out and recompiles a dozen crates); after `.ci/run`'s build of
/// every target it is already there.
fn migration_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // .../target/debug/deps/app-HASH -> .../target
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_owned();
        let target_dir = profile_dir.parent().unwrap().to_owned();
        let mut cargo = std::process::Command::new(env!("CARGO"));
        // Without the variables `cargo test` sets for this process: some build scripts
        // (ring's) watch `CARGO_MANIFEST_DIR` in cargo's own environment, so cargo would see it
        // change, run them again and rebuild everything above them (minutes, while every test
        // waiting for this binary waits), and the next `cargo test` would rebuild it all back.
        // `RUSTC_BOOTSTRAP` too: set to run this binary with libtest's unstable options
        // (`--report-time`), it would change the flags cargo compiles with.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO_PKG_")
                || name.starts_with("CARGO_BIN_EXE_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_MANIFEST_LINKS",
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "OUT_DIR",
                    "RUSTC_BOOTSTRAP",
                ]
                .contains(&name.as_ref())
            {
                cargo.env_remove(name.as_ref());
            }
        }
        let status = cargo
            .args([
                "build",
                "--quiet",
                "--workspace",
                "--bins",
                "--tests",
                "--manifest-path",
            ])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target_dir)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the migration crate's binary builds");
        profile_dir.join(format!("migration{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Tables whose rows the comparisons count: every table but the migration log and SQLite's
/// full-text index (whose internal tables are rebuilt in another shape).
pub async fn data_tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'post_search%'"
        }
        DbBackend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => {
            "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
        }
    };
    let mut tables: Vec<String> = strings(db, sql)
        .await
        .into_iter()
        .filter(|t| t != "seaql_migrations")
        .collect();
    tables.sort();
    tables
}

/// Every table's columns (with type and nullability) and every index and trigger, sorted: two
/// databases with the same shape give the same list. The migration log is left out (`reset`
/// drops it; [`applied`] reads it).
pub async fn shape(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT m.name || '.' || p.name || ' ' || lower(p.type) || ' ' || p.\"notnull\" \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             UNION ALL SELECT type || ' ' || name FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%'"
        }
        DbBackend::Postgres => {
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             UNION ALL SELECT 'index ' || indexname::text FROM pg_indexes \
             WHERE schemaname = current_schema() \
             UNION ALL SELECT 'trigger ' || trigger_name::text FROM information_schema.triggers \
             WHERE trigger_schema = current_schema()"
        }
        _ => {
            "SELECT CAST(CONCAT(table_name, '.', column_name, ' ', column_type, ' ', is_nullable) \
             AS CHAR) FROM information_schema.columns WHERE table_schema = DATABASE() \
             UNION SELECT CAST(CONCAT('index ', table_name, '.', index_name) AS CHAR) \
             FROM information_schema.statistics WHERE table_schema = DATABASE()"
        }
    };
    let mut lines: Vec<String> = strings(db, sql)
        .await
        .into_iter()
        .filter(|line| !line.contains("seaql_migrations"))
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

/// The names of the applied steps, in order (none when the log table is gone).
pub async fn applied(db: &DatabaseConnection) -> Vec<String> {
    let manager = migration::SchemaManager::new(db);
    if !manager.has_table("seaql_migrations").await.unwrap() {
        return Vec::new();
    }
    let sql = match db.get_database_backend() {
        DbBackend::MySql => "SELECT `version` FROM `seaql_migrations` ORDER BY `version`",
        _ => r#"SELECT "version" FROM "seaql_migrations" ORDER BY "version""#,
    };
    strings(db, sql).await
}

/// How many rows each data table holds, read in one statement (the walk reads them four
/// times a step).
pub async fn row_counts(db: &DatabaseConnection) -> BTreeMap<String, i64> {
    let tables = data_tables(db).await;
    if tables.is_empty() {
        return BTreeMap::new();
    }
    let backend = db.get_database_backend();
    // One row per table, its position in `tables` riding along so that the union's order
    // does not matter.
    let sql = tables
        .iter()
        .enumerate()
        .map(|(i, table)| match backend {
            DbBackend::Postgres => {
                format!("SELECT {i}::bigint AS i, COUNT(*) AS n FROM \"{table}\"")
            }
            DbBackend::MySql => {
                format!("SELECT CAST({i} AS SIGNED) AS i, COUNT(*) AS n FROM `{table}`")
            }
            _ => format!("SELECT {i} AS i, COUNT(*) AS n FROM \"{table}\""),
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("counting rows: {e}"));
    assert_eq!(rows.len(), tables.len(), "a count for every table");
    let mut result = BTreeMap::new();
    for row in rows {
        let i = row.try_get::<i64>("", "i").unwrap();
        let n = row.try_get::<i64>("", "n").unwrap();
        let table = usize::try_from(i).ok().and_then(|i| tables.get(i)).unwrap();
        result.insert(table.clone(), n);
    }
    assert_eq!(result.len(), tables.len(), "each table counted once");
    result
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// A database at the head of the migrations holding the demo data (`scale: None`) or the
/// demo data and `seed --scale N`; the admin's password is printed by `seed`, not needed here.
async fn seeded(test_db: &TestDb, scale: Option<u64>) -> DatabaseConnection {
    let mut args = vec!["seed".to_owned()];
    if let Some(n) = scale {
        args.extend(["--scale".to_owned(), n.to_string()]);
    }
    let seeded = run_program(
        Path::new(env!("CARGO_BIN_EXE_marquee")),
        &args,
        &test_db.url,
    )
    .await;
    seeded.expect_ok("marquee seed");
    test_db.connect().await
}

/// The command line for the `i`-th run of a walk: the two take turns, so that every kind of
/// step meets both (`marquee migrate` and the migration crate's own binary).
fn turn(i: usize) -> Cli {
    match i % 2 {
        0 => Cli::MigrationCrate,
        _ => Cli::Marquee,
    }
}

/// Rolls `by` steps back from `from` applied steps through `cli`, checking that every table
/// left kept every row and, when `known`, that the schema is the one recorded; the schema.
async fn down(
    db: &DatabaseConnection,
    url: &str,
    cli: Cli,
    from: usize,
    by: usize,
    known: Option<&Vec<String>>,
) -> Vec<String> {
    let before = row_counts(db).await;
    let by_text = by.to_string();
    // Both spellings of one step down, by turns.
    let verb: Vec<&str> = match (by, from % 3) {
        (1, 0) => vec!["down"],
        _ => vec!["down", "-n", &by_text],
    };
    cli.run(url, &verb)
        .await
        .expect_ok(&format!("{cli:?} {verb:?} from {from}"));
    assert_eq!(applied(db).await.len(), from - by, "{verb:?} from {from}");
    for (table, rows) in &row_counts(db).await {
        // A table the steps do not own kept every row through their rollback.
        assert_eq!(
            Some(rows),
            before.get(table),
            "{table}: {verb:?} from {from}"
        );
    }
    let below = shape(db).await;
    if let Some(known) = known {
        assert_eq!(&below, known, "{verb:?} from {from}");
    }
    below
}

/// Runs every verb on the demo data with a scaled seed, the two command lines taking turns.
///
/// The walk goes from the head down to nothing and applies every step again on the data the
/// levels below it hold (as an operator's rollback and upgrade meet it): after each verb the
/// schema must be the one recorded for its number of applied steps, and every table the steps
/// do not own keeps every row. Then the verbs that roll everything back, each on data again.
async fn every_verb_on_data(test_db: TestDb, scale: u64) {
    let db = seeded(&test_db, Some(scale)).await;
    let url = test_db.url.as_str();
    let n = steps();
    assert_eq!(applied(&db).await.len(), n);
    let head_counts = row_counts(&db).await;
    assert!(
        head_counts["post"] > 0 && head_counts["movie"] > 0,
        "{head_counts:?}"
    );

    for cli in [Cli::Marquee, Cli::MigrationCrate] {
        let status = cli.run(url, &["status"]).await;
        status.expect_ok("status");
        assert_eq!(
            status.stdout.matches("Applied").count(),
            n,
            "{cli:?}: {}",
            status.stdout
        );
    }
    assert_eq!(row_counts(&db).await, head_counts, "status changes nothing");

    // From the head down to nothing, each step applied again on data: one step down; then,
    // at each level, the step above applied again (on the data the levels below still hold)
    // and two steps down, to the next level; at the bottom the first step again, and down.
    // `shapes[k]`: the schema with k steps applied, recorded on the way down.
    let names = applied(&db).await;
    let mut shapes: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    shapes.insert(n, shape(&db).await);
    let mut level = n;
    let below = down(&db, url, turn(level), level, 1, shapes.get(&(level - 1))).await;
    level -= 1;
    shapes.insert(level, below);
    loop {
        // The step above, applied again on the data of this level.
        let name = &names[level];
        let before = row_counts(&db).await;
        let cli = turn(level);
        cli.run(url, &["up", "-n", "1"])
            .await
            .expect_ok(&format!("{cli:?} up -n 1 ({name})"));
        assert_eq!(applied(&db).await.len(), level + 1);
        assert_eq!(
            shape(&db).await,
            shapes[&(level + 1)],
            "{name} applied again gives the schema it gave before"
        );
        let above = row_counts(&db).await;
        for (table, rows) in &before {
            assert_eq!(above.get(table), Some(rows), "{table} through {name}");
        }
        if level == 0 {
            down(&db, url, turn(n), 1, 1, shapes.get(&0)).await;
            break;
        }
        let below = down(
            &db,
            url,
            turn(level + 1),
            level + 1,
            2,
            shapes.get(&(level - 1)),
        )
        .await;
        level -= 1;
        shapes.insert(level, below);
    }
    assert!(
        data_tables(&db).await.is_empty(),
        "every table is gone at zero steps"
    );
    let cli = turn(n);
    cli.run(url, &["up"]).await.expect_ok("up");
    assert_eq!(applied(&db).await.len(), n);
    assert_eq!(shape(&db).await, shapes[&n]);

    // The verbs that roll everything back, on data again, the command lines taking turns.
    for (i, verb) in ["refresh", "reset", "fresh", "down -n all", "up -n 5"]
        .into_iter()
        .enumerate()
    {
        let cli = turn(i);
        let db_has_data = row_counts(&db).await.get("post").copied().unwrap_or(0) > 0;
        if !db_has_data {
            seeded(&test_db, Some(scale)).await;
        }
        assert!(row_counts(&db).await["post"] > 0, "{verb} runs on data");
        let args: Vec<String> = match verb {
            "down -n all" => vec!["down".into(), "-n".into(), n.to_string()],
            "up -n 5" => {
                // Five steps up from nothing, after rolling everything back.
                cli.run(url, &["reset"]).await.expect_ok("reset");
                vec!["up".into(), "-n".into(), "5".into()]
            }
            other => vec![other.into()],
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli.run(url, &args).await.expect_ok(verb);
        let expected = match verb {
            "refresh" | "fresh" => n,
            "up -n 5" => 5,
            _ => 0,
        };
        assert_eq!(applied(&db).await.len(), expected, "{verb}");
        assert_eq!(
            shape(&db).await,
            shapes[&expected],
            "{verb} leaves the schema of its step"
        );
        if expected == n {
            assert_eq!(
                count_rows(&db, "post").await,
                0,
                "{verb} starts the data again"
            );
            assert_eq!(
                count_rows(&db, "role").await,
                4,
                "{verb} inserts the default roles"
            );
        }
        if verb == "reset" {
            let log = migration::SchemaManager::new(&db)
                .has_table("seaql_migrations")
                .await;
            assert!(!log.unwrap(), "reset drops the migration log too");
        }
        if verb == "up -n 5" {
            cli.run(url, &["up"]).await.expect_ok("up");
        }
    }
    assert_eq!(applied(&db).await.len(), n);
    db.close().await.unwrap();
}

backend_tests! {
    async fn every_verb_of_both_command_lines_keeps_a_scaled_seed_it_does_not_own(test_db: TestDb) {
        every_verb_on_data(test_db, SCALE).await;
    }

    async fn both_command_lines_take_the_demo_data_all_the_way_down_and_up_again(test_db: TestDb) {
        // What an operator does after `cargo run`: the demo data alone, the whole way down
        // and up, then refresh and fresh, through each command line.
        for cli in [Cli::Marquee, Cli::MigrationCrate] {
            let db = seeded(&test_db, None).await;
            let url = test_db.url.as_str();
            let head = shape(&db).await;
            let counts = row_counts(&db).await;
            cli.run(url, &["down", "-n", &steps().to_string()]).await.expect_ok("down -n all");
            assert!(data_tables(&db).await.is_empty(), "{cli:?}");
            cli.run(url, &["up"]).await.expect_ok("up");
            assert_eq!(shape(&db).await, head, "{cli:?}");
            assert_eq!(row_counts(&db).await["role"], counts["role"]);
            seeded(&test_db, None).await;
            cli.run(url, &["refresh"]).await.expect_ok("refresh");
            assert_eq!(shape(&db).await, head);
            assert_eq!(applied(&db).await.len(), steps());
            cli.run(url, &["fresh"]).await.expect_ok("fresh");
            db.close().await.unwrap();
        }
    }
}
