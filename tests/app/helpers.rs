//! Spawning the application against a fresh database, and small request helpers.

use reqwest::StatusCode;
use std::sync::atomic::{AtomicU32, Ordering};

use marquee::config::Settings;
use marquee::startup::Application;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

mod pages;
mod template;
mod visitor;
pub use pages::*;
pub use visitor::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    /// The statements of a post page with its comments: one, two on MySQL/MariaDB (which cannot
    /// reach the post from inside the comments' derived table).
    pub fn post_page_statements(&self) -> u64 {
        match self {
            Backend::MySql => 2,
            _ => 1,
        }
    }
}

/// Declares tests that run on every back-end. Each becomes a module with one test function
/// per back-end: `name::sqlite`, `name::postgres`, `name::mysql`.
macro_rules! backend_tests {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::{Backend, TestDb};

            async fn body($db: TestDb) $body

            async fn run(backend: Backend) {
                let db = TestDb::create(backend).await;
                let cleanup = db.clone();
                let outcome = tokio::spawn(body(db)).await;
                cleanup.drop_database().await;
                if let Err(error) = outcome {
                    std::panic::resume_unwind(error.into_panic());
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }

            #[cfg_attr(not(marquee_postgres), ignore = "MARQUEE_TEST_POSTGRES_URL is not set")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await
            }

            #[cfg_attr(not(marquee_mysql), ignore = "MARQUEE_TEST_MYSQL_URL is not set")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                run(Backend::MySql).await
            }
        }
    )*};
}

/// A fresh, empty database for one test.
#[derive(Clone)]
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    /// Server URL and database name to drop afterwards (PostgreSQL, MySQL).
    admin: Option<(String, String)>,
    _dir: Option<std::sync::Arc<tempfile::TempDir>>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn init_logs() {
    if std::env::var("TEST_LOG").is_ok() {
        marquee::telemetry::init(
            "debug",
            std::env::var("TEST_LOG").is_ok_and(|v| v == "json"),
        );
    }
}

impl TestDb {
    pub async fn create(backend: Backend) -> TestDb {
        init_logs();
        let var = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("marquee.db").display()
                );
                return TestDb {
                    backend,
                    url,
                    admin: None,
                    _dir: Some(std::sync::Arc::new(dir)),
                };
            }
            Backend::Postgres => "MARQUEE_TEST_POSTGRES_URL",
            Backend::MySql => "MARQUEE_TEST_MYSQL_URL",
        };
        let server =
            std::env::var(var).unwrap_or_else(|_| panic!("{var} must be set for this test"));
        let name = format!(
            "marquee_t{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            chrono::Utc::now().timestamp_micros() % 1_000_000
        );
        let conn = sea_orm::Database::connect(&server)
            .await
            .expect("connect to the test server");
        match backend {
            Backend::Postgres => create_postgres_database(&conn, &name)
                .await
                .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}")),
            _ => exec(&conn, &format!("CREATE DATABASE {name}")).await,
        }
        let _ = conn.close().await;
        TestDb {
            backend,
            url: with_database(&server, &name),
            admin: Some((server, name)),
            _dir: None,
        }
    }

    /// A pool on this database (no migrations run).
    pub async fn connect(&self) -> DatabaseConnection {
        marquee::db::connect(&self.url, false, None)
            .await
            .expect("connect to the test database")
    }

    pub async fn drop_database(&self) {
        if let Some((server, name)) = &self.admin
            && let Ok(conn) = sea_orm::Database::connect(server.as_str()).await
        {
            let sql = match self.backend {
                Backend::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                _ => format!("DROP DATABASE IF EXISTS {name}"),
            };
            let _ = conn.execute_unprepared(&sql).await;
            let _ = conn.close().await;
        }
    }

    /// The SQLite file (which exists once anything has connected to it).
    fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        Some(self._dir.as_ref()?.path().join("marquee.db"))
    }

    pub fn settings(&self) -> Settings {
        Settings::for_tests(self.url.clone())
    }

    /// The application on this database: migrated (from the process's migrated template while
    /// the database is empty, see `template.rs`), no demo data, on a free port.
    pub async fn spawn(&self) -> TestApp {
        self.spawn_with(self.settings()).await
    }

    pub async fn spawn_with(&self, settings: Settings) -> TestApp {
        if !settings.no_migrate && settings.database_url == self.url {
            template::fill(self).await;
        }
        let app = Application::build(settings)
            .await
            .expect("the application builds");
        let credentials = app.demo_credentials.clone();
        let statements = app.statement_counter();
        let (address, db, running) = app.spawn();
        TestApp {
            address: format!("http://{address}"),
            db,
            statements,
            client: client(),
            running: Some(running),
            demo_credentials: credentials,
        }
    }
}

/// The PostgreSQL tablespace the test databases go in (`MARQUEE_TEST_POSTGRES_TABLESPACE`,
/// which `.ci/run` sets up in memory): a test makes and drops a database of several hundred
/// files, and on a disk the file system's inode allocation under that churn was the largest
/// part of the PostgreSQL server's time in the suite. Unset, or not a plain name: the server's
/// default.
fn postgres_tablespace() -> Option<String> {
    let name = std::env::var("MARQUEE_TEST_POSTGRES_TABLESPACE").ok()?;
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    plain.then_some(name)
}

/// Creates the empty PostgreSQL database `name` in the test tablespace, or in the default one
/// when the test tablespace is unset or refuses. (A copy of a template made here goes where
/// its template is.)
pub(crate) async fn create_postgres_database(
    conn: &DatabaseConnection,
    name: &str,
) -> Result<(), sea_orm::DbErr> {
    let sql = format!("CREATE DATABASE {name}");
    if let Some(tablespace) = postgres_tablespace()
        && conn
            .execute_unprepared(&format!("{sql} TABLESPACE {tablespace}"))
            .await
            .is_ok()
    {
        return Ok(());
    }
    conn.execute_unprepared(&sql).await.map(|_| ())
}

/// Replaces the database name in a server URL (`.../test?x` -> `.../name?x`).
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let root = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

pub async fn exec(db: &impl ConnectionTrait, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `SELECT COUNT(*) FROM table` with the table name quoted for the back-end.
pub async fn count_rows(db: &DatabaseConnection, table: &str) -> i64 {
    let backend = db.get_database_backend();
    let quoted = match backend {
        sea_orm::DbBackend::MySql => format!("`{table}`"),
        _ => format!("\"{table}\""),
    };
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {quoted}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
        .expect("a row");
    row.try_get::<i64>("", "n")
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

/// A client with its own cookie jar that follows no redirects. Every request takes a new
/// connection: a kept-alive one can be closed by the server's idle timeout just as it is
/// reused (under a loaded CI run), which would read as a dropped request.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// A running application.
pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    pub statements: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub client: reqwest::Client,
    running: Option<marquee::startup::Running>,
    pub demo_credentials: Option<marquee::seed::Credentials>,
}

/// A signed-in visitor and the id of their account; it derefs to the [`Visitor`].
pub struct Member {
    pub id: i32,
    pub visitor: Visitor,
}

impl std::ops::Deref for Member {
    type Target = Visitor;

    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

/// Stops the server when a test ends, also when it panics (the database is dropped by
/// `backend_tests!`).
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current()
            && let Some(running) = self.running.take()
        {
            runtime.spawn(running.stop(false));
        }
    }
}

/// The password every account made by [`TestApp::create_user`] has.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A new visitor with an empty cookie jar.
    pub fn visitor(&self) -> Visitor {
        Visitor {
            address: self.address.clone(),
            client: client(),
        }
    }

    /// Creates an account with [`PASSWORD`] in the named role; returns its id.
    pub async fn create_user(&self, username: &str, role: &str) -> i32 {
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = HASH
            .get_or_init(|| marquee::services::accounts::password::hash_blocking(PASSWORD).unwrap())
            .clone();
        let role = entity::role::Entity::find_by_name(role)
            .one(&self.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("role {role}"));
        let username = marquee::domain::Username::parse(username).unwrap();
        let email = marquee::domain::Email::parse(&format!("{username}@example.test")).unwrap();
        let confirmed = marquee::services::accounts::Address::Confirmed;
        marquee::services::accounts::register(
            &self.db,
            &username,
            &email,
            hash,
            Some(role.id),
            confirmed,
        )
        .await
        .unwrap()
        .id
    }

    /// A visitor signed in as a new account `username` in `role` (with [`PASSWORD`]).
    pub async fn signed_in(&self, username: &str, role: &str) -> Member {
        let id = self.create_user(username, role).await;
        let visitor = self.visitor();
        visitor.login_ok(username, PASSWORD).await;
        Member { id, visitor }
    }

    /// A visitor signed in as a new account in `role`, named after it (`reader1`, `admin2`…).
    pub async fn signed_in_as(&self, role: &str) -> Member {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        self.signed_in(&format!("{role}{n}"), role).await
    }

    /// SQL statements the server ran while `path` was fetched by an anonymous visitor.
    pub async fn statements_for(&self, path: &str) -> u64 {
        use std::sync::atomic::Ordering;
        let visitor = self.visitor();
        visitor.get("/healthz").await; // no session yet: nothing to load
        let before = self.statements.load(Ordering::SeqCst);
        let response = visitor.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        self.statements.load(Ordering::SeqCst) - before
    }

    /// Creates a post directly (test set-up).
    pub async fn create_post(
        &self,
        author_id: i32,
        title: &str,
        published: bool,
        category_id: Option<i32>,
        tags: &[&str],
    ) -> entity::post::Model {
        let author = self.acting(author_id).await;
        let input = post_input(
            title,
            &format!("Body of *{title}*."),
            category_id,
            tags,
            published,
        );
        marquee::services::blog::create_post(&self.db, &author, None, input)
            .await
            .unwrap()
    }

    /// User `user_id` as the services see the signed-in user (their role's permissions now).
    pub async fn acting(&self, user_id: i32) -> marquee::domain::CurrentUser {
        use sea_orm::EntityTrait;
        let user = entity::user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("user {user_id}"));
        let role = entity::role::Entity::find_by_id(user.role_id)
            .one(&self.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("role {}", user.role_id));
        let permissions = marquee::services::accounts::held_permissions(&self.db, &user, |_| true)
            .await
            .unwrap();
        marquee::domain::CurrentUser::new(user, role, permissions)
    }

    /// An administrator ("operator", created on first use) for set-up done through services.
    pub async fn operator(&self) -> marquee::domain::CurrentUser {
        let id = match entity::user::Entity::find_by_username("operator")
            .one(&self.db)
            .await
            .unwrap()
        {
            Some(user) => user.id,
            None => self.create_user("operator", "admin").await,
        };
        self.acting(id).await
    }

    /// Creates a role with these permissions directly (test set-up).
    pub async fn create_role(&self, name: &str, permissions: &[entity::enums::Permission]) -> i32 {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set};
        let role = entity::role::ActiveModel {
            name: Set(name.into()),
            description: Set(String::new()),
            is_default: Set(false),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .unwrap();
        for p in permissions {
            entity::role_permission::ActiveModel {
                role_id: Set(role.id),
                permission: Set(*p),
            }
            .insert(&self.db)
            .await
            .unwrap();
        }
        role.id
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("GET")
    }

    pub async fn get_html(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("a body"))
    }

    pub async fn seed_demo(&self) -> marquee::seed::SeedReport {
        marquee::seed::seed_demo(&self.db)
            .await
            .expect("demo data loads")
    }

    /// Stops the server and its mail delivery: nothing of this instance runs afterwards.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop(true).await;
        }
    }
}
