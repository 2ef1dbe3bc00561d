//! What an operator meets besides the verbs themselves: a step that fails halfway leaves
//! nothing behind; a live site upgrades by starting the new release; a wrong database, one a
//! newer release migrated, or a read-only file gets one clear line and a non-zero exit.

use migration::async_trait::async_trait;
use migration::{MigrationName, MigrationTrait, Migrator, MigratorTrait, SchemaManager};
use sea_orm::{ConnectionTrait, DbErr};

use crate::helpers::{Backend, TestDb, Visitor};
use crate::migrate_verbs::{Cli, applied, row_counts, shape};

/// A step that changes the schema and the data, then fails: on the way up, or (having gone
/// up) on the way down after dropping a table full of rows.
struct Breaks {
    on_the_way_down: bool,
}

impl MigrationName for Breaks {
    fn name(&self) -> &str {
        "m20991231_000001_breaks_halfway"
    }
}

#[async_trait]
impl MigrationTrait for Breaks {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(r#"CREATE TABLE doomed (id integer PRIMARY KEY)"#)
            .await?;
        if self.on_the_way_down {
            return Ok(());
        }
        db.execute_unprepared(r#"ALTER TABLE post ADD COLUMN doomed integer NULL"#)
            .await?;
        db.execute_unprepared(r#"DELETE FROM comment"#).await?;
        db.execute_unprepared(r#"UPDATE movie SET title = 'gone'"#)
            .await?;
        Err(DbErr::Migration("injected failure halfway up".into()))
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(r#"DROP TABLE comment"#).await?;
        db.execute_unprepared(r#"DELETE FROM review"#).await?;
        Err(DbErr::Migration("injected failure halfway down".into()))
    }
}

/// The migrator with a [`Breaks`] step after every real one: failing on the way up, or
/// (`DOWN`) on the way down.
struct Failing<const DOWN: bool>;

#[async_trait]
impl<const DOWN: bool> MigratorTrait for Failing<DOWN> {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut steps = Migrator::migrations();
        steps.push(migration::step(Breaks {
            on_the_way_down: DOWN,
        }));
        steps
    }
}

type FailingUp = Failing<false>;
type FailingDown = Failing<true>;

/// Movie titles, to show that a failed step's updates were undone.
async fn titles(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{EntityTrait, QueryOrder};
    entity::movie::Entity::find()
        .order_by_asc(entity::movie::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.title)
        .collect()
}

backend_tests! {
    async fn a_step_that_fails_halfway_leaves_the_schema_the_data_and_the_log_as_they_were(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        app.stop().await;
        let db = test_db.connect().await;
        let (schema, counts, log, movies) =
            (shape(&db).await, row_counts(&db).await, applied(&db).await, titles(&db).await);
        assert!(counts["comment"] > 0 && counts["review"] > 0, "{counts:?}");

        // Up: a new table, a new column, rows deleted and changed, then the failure.
        let one = migration::connect(&test_db.url, None).await.unwrap();
        let failed = FailingUp::up(&one, None).await.unwrap_err();
        one.close().await.unwrap();
        assert!(failed.to_string().contains("injected failure"), "{failed}");
        assert_eq!(applied(&db).await, log, "the failed step is not recorded");
        if test_db.backend == Backend::MySql {
            // MySQL and MariaDB commit each DDL statement (the README says so): only the
            // record is guaranteed there. Clean up for the rest of the test.
            db.execute_unprepared("DROP TABLE IF EXISTS doomed").await.unwrap();
            return;
        }
        assert_eq!(shape(&db).await, schema, "no table or column is left behind");
        assert_eq!(row_counts(&db).await, counts, "no row is lost");
        assert_eq!(titles(&db).await, movies, "no row is changed");

        // Down: a step that went up, then fails on its way down after dropping a table.
        let one = migration::connect(&test_db.url, None).await.unwrap();
        FailingDown::up(&one, None).await.unwrap();
        let with_step = (shape(&one).await, applied(&one).await);
        let failed = FailingDown::down(&one, Some(1)).await.unwrap_err();
        one.close().await.unwrap();
        assert!(failed.to_string().contains("injected failure"), "{failed}");
        assert_eq!((shape(&db).await, applied(&db).await), with_step, "still applied, still whole");
        let mut expected = counts.clone();
        expected.insert("doomed".into(), 0);
        assert_eq!(row_counts(&db).await, expected, "the dropped table's rows are all back");
    }

    async fn a_live_site_upgrades_by_starting_the_new_release_and_keeps_pages_sessions_and_data(test_db: TestDb) {
        // The site as an older release left it: five steps behind the head, holding data, with
        // a member signed in.
        let mut settings = test_db.settings();
        settings.demo_data = true;
        let app = test_db.spawn_with(settings.clone()).await;
        let credentials = app.demo_credentials.clone().expect("the demo data is loaded");
        let member = app.visitor();
        member.login_ok(&credentials.admin_username, &credentials.admin_password).await;
        assert_eq!(member.nav_username().await.as_deref(), Some(credentials.admin_username.as_str()));
        app.stop().await;
        let db = test_db.connect().await;
        let counts = row_counts(&db).await;
        let head = shape(&db).await;
        let older = migration::connect(&test_db.url, None).await.unwrap();
        migration::run(&older, migration::Verb::Down(5)).await.unwrap();
        older.close().await.unwrap();
        assert_eq!(applied(&db).await.len(), Migrator::migrations().len() - 5);
        assert_ne!(shape(&db).await, head, "the older schema differs");
        // What the older release held: the tables of the steps rolled back (and their demo
        // rows, such as the pictures) were not there yet.
        let older = row_counts(&db).await;
        for (table, rows) in &older {
            assert_eq!(Some(rows), counts.get(table), "{table} kept through the rollback");
        }

        // The documented upgrade: start the new release, which applies what is pending.
        let upgraded = test_db.spawn_with(test_db.settings()).await;
        assert_eq!(applied(&db).await.len(), Migrator::migrations().len());
        assert_eq!(shape(&db).await, head);
        let now = row_counts(&db).await;
        for (table, rows) in &older {
            assert_eq!(now.get(table), Some(rows), "every row of {table} is still there");
        }
        let member = Visitor { address: upgraded.address.clone(), client: member.client.clone() };
        assert_eq!(
            member.nav_username().await.as_deref(),
            Some(credentials.admin_username.as_str()),
            "the session survives the upgrade"
        );
        for path in ["/", "/posts", "/movies", "/categories", "/admin/roles"] {
            let (status, _) = member.get_html(path).await;
            assert_eq!(status, 200, "{path}");
        }
        upgraded.stop().await;
    }

    async fn each_command_line_refuses_a_database_a_newer_release_migrated_and_changes_nothing(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        app.stop().await;
        let db = test_db.connect().await;
        let sql = match test_db.backend {
            Backend::MySql => "INSERT INTO `seaql_migrations` VALUES ('m20991231_000002_from_the_future', 0)",
            _ => r#"INSERT INTO "seaql_migrations" VALUES ('m20991231_000002_from_the_future', 0)"#,
        };
        db.execute_unprepared(sql).await.unwrap();
        let (schema, counts, log) = (shape(&db).await, row_counts(&db).await, applied(&db).await);
        for cli in [Cli::Marquee, Cli::MigrationCrate] {
            for verb in [&["up"][..], &["down"], &["down", "-n", "3"], &["fresh"], &["refresh"], &["reset"], &["status"]] {
                let outcome = cli.run(&test_db.url, verb).await;
                assert!(!outcome.ok, "{cli:?} {verb:?} refuses");
                assert_one_clear_line(&outcome.stderr, "newer release");
                assert_eq!((shape(&db).await, applied(&db).await), (schema.clone(), log.clone()));
                assert_eq!(row_counts(&db).await, counts, "{cli:?} {verb:?} changes nothing");
            }
        }
        // Serving it is refused the same way.
        let served = marquee::startup::Application::build(test_db.settings()).await;
        let error = format!("{:#}", served.err().expect("the server refuses to start"));
        assert!(error.contains("newer release"), "{error}");
    }
}

#[track_caller]
fn assert_one_clear_line(stderr: &str, needle: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_or_wrong_database_url_gets_one_line_and_a_failure_for_every_verb() {
    for cli in [Cli::Marquee, Cli::MigrationCrate] {
        // Nothing listens on port 9: the connection is retried until it times out, so these
        // two take one verb each; the others fail at once and take every verb.
        for (url, verbs) in [
            (
                "postgres://nobody@127.0.0.1:9/nothing",
                &[&["status"][..]][..],
            ),
            ("mysql://nobody@127.0.0.1:9/nothing", &[&["up"][..]]),
            (
                "nosuchdb://somewhere",
                &[&["up"][..], &["down"], &["status"], &["fresh"], &["reset"]],
            ),
            (
                "sqlite:///no/such/folder/marquee.db?mode=rwc",
                &[
                    &["up"][..],
                    &["down"],
                    &["status"],
                    &["fresh"],
                    &["refresh"],
                ],
            ),
        ] {
            for verb in verbs {
                let outcome = cli.run(url, verb).await;
                assert!(!outcome.ok, "{cli:?} {verb:?} on {url}");
                assert_one_clear_line(&outcome.stderr, "could not connect to the database");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_sqlite_file_gets_one_line_and_keeps_its_data() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    app.stop().await;
    let db = test_db.connect().await;
    let (schema, counts) = (shape(&db).await, row_counts(&db).await);
    db.close().await.unwrap();
    // Root may write to any file whatever its mode, so the connection asks for read-only.
    let read_only = test_db.url.replace("mode=rwc", "mode=ro");
    for cli in [Cli::Marquee, Cli::MigrationCrate] {
        for verb in [&["down"][..], &["reset"], &["refresh"], &["fresh"]] {
            let outcome = cli.run(&read_only, verb).await;
            assert!(!outcome.ok, "{cli:?} {verb:?}");
            assert_one_clear_line(&outcome.stderr, "readonly");
        }
        let status = cli.run(&read_only, &["status"]).await;
        status.expect_ok("status on a read-only file");
    }
    let db = test_db.connect().await;
    assert_eq!((shape(&db).await, row_counts(&db).await), (schema, counts));
}

backend_tests! {
    async fn every_step_run_again_over_its_own_work_passes_over_it_and_changes_nothing(test_db: TestDb) {
        // What a step that failed halfway on MySQL (whose DDL statements commit one by one)
        // needs: every statement of every step, up or down, runs again over its own work.
        let app = test_db.spawn().await;
        app.seed_demo().await;
        app.stop().await;
        let one = migration::connect(&test_db.url, None).await.unwrap();
        let manager = SchemaManager::new(&one);
        let steps = Migrator::migrations();
        for step in steps.iter().rev() {
            let name = step.name();
            let applied = (shape(&one).await, row_counts(&one).await);
            step.up(&manager).await.unwrap_or_else(|e| panic!("{name} up again: {e}"));
            assert_eq!((shape(&one).await, row_counts(&one).await), applied, "{name} up again");
            step.down(&manager).await.unwrap_or_else(|e| panic!("{name} down: {e}"));
            let rolled_back = (shape(&one).await, row_counts(&one).await);
            step.down(&manager).await.unwrap_or_else(|e| panic!("{name} down again: {e}"));
            assert_eq!((shape(&one).await, row_counts(&one).await), rolled_back, "{name} down again");
            // The same once more through the migrator, which also forgets the step.
            Migrator::down(&one, Some(1)).await.unwrap();
            assert_eq!(shape(&one).await, rolled_back.0);
        }
        assert!(applied(&one).await.is_empty());
        one.close().await.unwrap();
    }
}
