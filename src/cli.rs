//! The command line: `serve` (default), `migrate <verb>`, `seed [--scale N]`.

use std::io::Write;

use anyhow::Context;
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::config::Settings;
use crate::seed::{self, Credentials};
use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(
    name = "marquee",
    version,
    about = "Marquee: blog, movie catalogue and community site"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web site (the default).
    Serve,
    /// Apply or roll back schema migrations (same verbs as `sea-orm-cli migrate`).
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Load the demo data set (idempotent); with --scale N, also N generated posts with
    /// proportional users, comments, tags, movies and reviews.
    Seed {
        #[arg(long, value_name = "N")]
        scale: Option<u64>,
    },
    /// Measure raw argon2 verifications per second (the benchmark's login reference).
    #[command(hide = true)]
    BenchArgon2 {
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
    /// Manage accounts from the command line.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
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

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.settings).await,
        Command::Migrate { action } => migrate(&cli.settings, action).await,
        Command::Seed { scale } => seed(&cli.settings, scale).await,
        Command::User { action } => user(&cli.settings, action).await,
        Command::BenchArgon2 { seconds, threads } => {
            let rate = tokio::task::spawn_blocking(move || {
                crate::services::password::raw_verify_rate(seconds, threads)
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
    println!("Marquee is running at {url}");
    if let Some(credentials) = &app.demo_credentials {
        print_credentials(credentials);
    }
    app.run_until_stopped().await.context("server error")
}

async fn migrate(settings: &Settings, action: Option<MigrateAction>) -> anyhow::Result<()> {
    let db = crate::db::connect(&settings.database_url, false, settings.db_connections).await?;
    match action.unwrap_or(MigrateAction::Up { num: None }) {
        MigrateAction::Up { num } => Migrator::up(&db, num).await?,
        MigrateAction::Down { num } => Migrator::down(&db, Some(num)).await?,
        MigrateAction::Status => {}
        MigrateAction::Fresh => Migrator::fresh(&db).await?,
        MigrateAction::Refresh => Migrator::refresh(&db).await?,
        MigrateAction::Reset => Migrator::reset(&db).await?,
    }
    let mut out = std::io::stdout().lock();
    for migration in Migrator::get_migration_with_status(&db).await? {
        writeln!(
            out,
            "{:<9} {}",
            format!("{}", migration.status()),
            migration.name()
        )?;
    }
    Ok(())
}

async fn seed(settings: &Settings, scale: Option<u64>) -> anyhow::Result<()> {
    let db = crate::db::connect(&settings.database_url, false, settings.db_connections).await?;
    if !settings.no_migrate {
        Migrator::up(&db, None).await.context("migrations failed")?;
    }
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

async fn user(settings: &Settings, action: UserAction) -> anyhow::Result<()> {
    use crate::domain::{Email, Username};
    use crate::services::{accounts, admin};

    let db = crate::db::connect(&settings.database_url, false, settings.db_connections).await?;
    if !settings.no_migrate {
        Migrator::up(&db, None).await.context("migrations failed")?;
    }
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
            let hash = crate::services::password::hash(password.into_inner()).await?;
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
            let hash = crate::services::password::hash(password.into_inner()).await?;
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

/// Prints generated passwords once, on stdout only (never to the log).
fn print_credentials(credentials: &Credentials) {
    println!("Demo data loaded. These passwords are shown only now:");
    println!(
        "  admin account: {} / {}",
        credentials.admin_username, credentials.admin_password
    );
    if !credentials.demo_usernames.is_empty() {
        println!(
            "  demo accounts ({}): password {}",
            credentials.demo_usernames.join(", "),
            credentials.demo_password
        );
    }
}
