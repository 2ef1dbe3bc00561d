//! The command line: `serve` (the default), `migrate <verb>`, `seed [--scale N]`, `user`,
//! `backup FILE`. Each command takes only the options it uses: `serve` every setting of the
//! site, the others the database and the log level.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{DatabaseArgs, Settings};
use crate::seed::{self, Credentials};
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(
    name = "marquee",
    version,
    about = "Marquee: blog, movie catalogue and community site",
    after_help = "Without a command, `marquee` serves the site with the settings from the \
                  environment (see `marquee serve --help`)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Parses `serve`'s settings from the environment alone (for a bare `marquee`).
#[derive(Debug, Parser)]
#[command(name = "marquee")]
struct FromEnvironment {
    #[command(flatten)]
    settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web site (the default): applies pending migrations, then serves.
    Serve(Box<Settings>),
    /// Apply or roll back schema migrations (the verbs of `sea-orm-cli migrate`).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Load the demo data set (idempotent); with --scale N, also N generated posts with
    /// proportional users, comments, tags, movies and reviews.
    Seed {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Also generate N posts, with users, comments, tags, movies and reviews in proportion.
        #[arg(long, value_name = "N")]
        scale: Option<u64>,
        /// Do not apply pending migrations first.
        #[arg(long, env = "MARQUEE_NO_MIGRATE")]
        no_migrate: bool,
    },
    /// Copy a running site's SQLite database to FILE, consistently, while it serves.
    Backup {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The copy to write (must not exist yet).
        file: PathBuf,
    },
    /// Measure raw argon2 verifications per second (the benchmark's login reference).
    #[command(hide = true)]
    BenchArgon2 {
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Remove the stored pictures nothing refers to any more (rows deleted outside Marquee
    /// leave theirs behind; Marquee's own changes remove them at once).
    SweepPictures {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Leave alone pictures stored in the last MINUTES (an upload may be about to refer
        /// to one).
        #[arg(long, value_name = "MINUTES", default_value_t = 60)]
        older_than: u32,
        /// Do not apply pending migrations first.
        #[arg(long, env = "MARQUEE_NO_MIGRATE")]
        no_migrate: bool,
    },
    /// Manage accounts from the command line.
    User {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Do not apply pending migrations first.
        #[arg(long, env = "MARQUEE_NO_MIGRATE", global = true)]
        no_migrate: bool,
        #[command(subcommand)]
        action: UserAction,
    },
}

impl Cli {
    /// The command to run: a bare `marquee` serves with the settings from the environment.
    pub fn into_command(self) -> Command {
        match self.command {
            Some(command) => command,
            None => Command::Serve(Box::new(
                FromEnvironment::try_parse_from(["marquee"])
                    .unwrap_or_else(|error| error.exit())
                    .settings,
            )),
        }
    }
}

impl Command {
    /// The log level and whether log lines are JSON.
    pub fn log(&self) -> (&str, bool) {
        match self {
            Command::Serve(settings) => (&settings.log_level, settings.log_format == "json"),
            Command::Migrate { database, .. }
            | Command::Seed { database, .. }
            | Command::Backup { database, .. }
            | Command::SweepPictures { database, .. }
            | Command::User { database, .. } => (&database.log_level, false),
            Command::BenchArgon2 { .. } => ("warn", false),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Create an account. The password comes from MARQUEE_USER_PASSWORD or a prompt, never a
    /// flag (flags end up in shell history and process lists).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// Role name (default: the default role).
        #[arg(long)]
        role: Option<String>,
    },
    /// Give USERNAME the role ROLE (ends their sessions).
    SetRole { username: String, role: String },
    /// Set USERNAME's password (from MARQUEE_USER_PASSWORD or a prompt) and end every session
    /// and personal access token of the account.
    SetPassword { username: String },
}

#[derive(Debug, Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations (all, or the next NUM).
    Up {
        #[arg(short, long)]
        num: Option<u32>,
    },
    /// Roll back applied migrations (the last NUM, default 1).
    Down {
        #[arg(short, long, default_value_t = 1)]
        num: u32,
    },
    /// List migrations and whether each is applied.
    Status,
    /// Drop every table, then apply all migrations.
    Fresh,
    /// Roll back all migrations, then apply them again.
    Refresh,
    /// Roll back all migrations.
    Reset,
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(settings) => serve(*settings).await,
        Command::Migrate { database, action } => migrate(&database, action).await,
        Command::Seed {
            database,
            scale,
            no_migrate,
        } => seed(&database, scale, no_migrate).await,
        Command::Backup { database, file } => {
            crate::backup::run(&database.database_url, &file).await
        }
        Command::SweepPictures {
            database,
            older_than,
            no_migrate,
        } => {
            let db = connect(&database, no_migrate).await?;
            let before = chrono::Utc::now() - chrono::Duration::minutes(i64::from(older_than));
            let removed = crate::services::pictures::sweep(&db, before).await?;
            println!("removed {removed} picture(s) nothing refers to");
            Ok(())
        }
        Command::User {
            database,
            no_migrate,
            action,
        } => user(&database, no_migrate, action).await,
        Command::BenchArgon2 { seconds, threads } => {
            let rate = tokio::task::spawn_blocking(move || {
                crate::services::accounts::password::raw_verify_rate(seconds, threads)
            })
            .await??;
            println!("{rate:.1}");
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    let url = format!("http://{}", app.address());
    tracing::info!(%url, "Marquee is listening");
    // A closed standard output (`marquee serve | head -1`) must not stop a running server:
    // what is printed here is a courtesy, so a failed write is ignored (`println!` would panic).
    let _ = writeln!(std::io::stdout(), "Marquee is running at {url}");
    if let Some(credentials) = &app.demo_credentials {
        print_credentials(credentials);
    }
    app.run_until_stopped().await.context("server error")
}

async fn migrate(database: &DatabaseArgs, action: Option<MigrateAction>) -> anyhow::Result<()> {
    use migration::Verb;
    let verb = match action.unwrap_or(MigrateAction::Up { num: None }) {
        MigrateAction::Up { num } => Verb::Up(num),
        MigrateAction::Down { num } => Verb::Down(num),
        MigrateAction::Status => Verb::Status,
        MigrateAction::Fresh => Verb::Fresh,
        MigrateAction::Refresh => Verb::Refresh,
        MigrateAction::Reset => Verb::Reset,
    };
    let steps = crate::db::run_migrations(&database.database_url, verb).await?;
    let mut out = std::io::stdout().lock();
    for (name, status) in steps {
        writeln!(out, "{:<9} {name}", status.to_string())?;
    }
    Ok(())
}

async fn seed(database: &DatabaseArgs, scale: Option<u64>, no_migrate: bool) -> anyhow::Result<()> {
    let db = connect(database, no_migrate).await?;
    let report = seed::seed_demo(&db).await?;
    println!(
        "demo data: {} rows created ({:?})",
        report.created.total(),
        report.created
    );
    if let Some(credentials) = &report.credentials {
        print_credentials(credentials);
    }
    if let Some(n) = scale {
        let started = std::time::Instant::now();
        // indicatif draws in place on a terminal and stays quiet when stderr is a file.
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {percent:>3}% {pos}/{len} · {elapsed} elapsed, about {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let plan = seed::scale::seed_scale(&db, n, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
        bar.finish();
        println!(
            "scale data: {} posts, {} users, {} tags, {} movies, {} people in {:.1} s",
            plan.posts,
            plan.users,
            plan.tags,
            plan.movies,
            plan.people,
            started.elapsed().as_secs_f64()
        );
    }
    crate::db::analyze(&db)
        .await
        .context("could not refresh the planner's statistics")?;
    Ok(())
}

async fn user(database: &DatabaseArgs, no_migrate: bool, action: UserAction) -> anyhow::Result<()> {
    use crate::domain::{Email, Username};
    use crate::services::{accounts, admin};

    let db = connect(database, no_migrate).await?;
    match action {
        UserAction::Create {
            username,
            email,
            role,
        } => {
            let username =
                Username::parse(&username).map_err(|e| anyhow::anyhow!("username: {e}"))?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("email: {e}"))?;
            let password = new_password(username.as_str())?;
            let role_id = match role {
                Some(name) => Some(
                    entity::role::Entity::find_by_name(name.trim().to_lowercase())
                        .one(&db)
                        .await?
                        .ok_or_else(|| anyhow::anyhow!("no role is called {name}"))?
                        .id,
                ),
                None => None,
            };
            let hash = crate::services::accounts::password::hash(password.into_inner()).await?;
            // An operator vouches for the address: the account can act at once.
            let confirmed = accounts::Address::Confirmed;
            match accounts::register(&db, &username, &email, hash, role_id, confirmed).await {
                Ok(created) => {
                    crate::services::audit::record(
                        &db,
                        &crate::services::audit::Actor { id: None, ip: None },
                        "user.create",
                        "user",
                        created.id,
                        None,
                        Some(serde_json::json!({
                            "username": created.username,
                            "role_id": created.role_id,
                            "by": "command line",
                        })),
                    )
                    .await?;
                    println!("created user {} (id {})", created.username, created.id)
                }
                Err(error) => anyhow::bail!("{error}"),
            }
        }
        UserAction::SetRole { username, role } => {
            admin::set_role_by_name(&db, &username, &role)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{username} now has the role {role}");
        }
        UserAction::SetPassword { username } => {
            let account = accounts::user_by_username(&db, username.trim())
                .await
                .map_err(|_| anyhow::anyhow!("no user is called {username}"))?;
            let password = new_password(&account.username)?;
            let hash = crate::services::accounts::password::hash(password.into_inner()).await?;
            let operator = crate::services::audit::Actor { id: None, ip: None };
            let change = accounts::PasswordChange {
                keep: None,
                action: "user.password_set",
                recovery: true,
            };
            accounts::store_password(&db, account.id, hash, &operator, change).await?;
            println!(
                "{} has a new password; every session and access token of the account has ended",
                account.username
            );
        }
    }
    Ok(())
}

/// A pool on the database, migrated first unless `no_migrate`.
async fn connect(
    database: &DatabaseArgs,
    no_migrate: bool,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let log_sql = matches!(database.log_level.as_str(), "debug" | "trace");
    let db = crate::db::connect(&database.database_url, log_sql, None)
        .await
        .map_err(|e| anyhow::anyhow!(migration::describe(&e)))?;
    if !no_migrate {
        crate::db::migrate(&database.database_url, &db).await?;
    }
    Ok(db)
}

/// A new password for `username`, from MARQUEE_USER_PASSWORD or typed twice at a prompt
/// (never a flag: flags end up in shell history and process lists).
fn new_password(username: &str) -> anyhow::Result<crate::domain::NewPassword> {
    use crate::domain::NewPassword;
    match std::env::var("MARQUEE_USER_PASSWORD") {
        Ok(password) => NewPassword::parse(&password, &password, username),
        Err(_) => {
            let first = rpassword::prompt_password("Password: ")?;
            let second = rpassword::prompt_password("Password again: ")?;
            NewPassword::parse(&first, &second, username)
        }
    }
    .map_err(|e| anyhow::anyhow!("password: {e}"))
}

/// Prints generated passwords once, on stdout only (never to the log). A closed stdout is
/// ignored: the server runs on (see [`serve`]).
fn print_credentials(credentials: &Credentials) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "Demo data loaded. These passwords are shown only now:");
    let _ = writeln!(
        out,
        "  admin account: {} / {}",
        credentials.admin_username, credentials.admin_password
    );
    if !credentials.demo_usernames.is_empty() {
        let _ = writeln!(
            out,
            "  demo accounts ({}): password {}",
            credentials.demo_usernames.join(", "),
            credentials.demo_password
        );
    }
}
