//! The command line of this crate's binary, which `sea-orm-cli migrate <verb>` runs (and
//! `cargo run -p migration -- <verb>`): the same flags and verbs as SeaORM's stock migration
//! CLI, with Marquee's migration connection ([`crate::connect`]) and one clear line and a
//! non-zero exit for every error instead of a panic.

use std::process::ExitCode;

use clap::Parser;
use sea_orm_cli::MigrateSubcommands;

use crate::{Verb, describe};

#[derive(Parser)]
#[command(
    version,
    about = "Marquee's schema migrations (what `sea-orm-cli migrate` runs)"
)]
struct Cli {
    /// Show debug messages.
    #[arg(short = 'v', long, global = true)]
    verbose: bool,

    /// Database schema (PostgreSQL only; `public` by default).
    #[arg(global = true, short = 's', long, env = "DATABASE_SCHEMA")]
    database_schema: Option<String>,

    /// Database URL.
    #[arg(global = true, short = 'u', long, env = "DATABASE_URL")]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Option<MigrateSubcommands>,
}

/// Parses the arguments, runs the verb, prints each step's status: the binary's `main`.
pub async fn main() -> ExitCode {
    dotenvy::dotenv().ok();
    let cli = Cli::parse();
    let filter = if cli.verbose {
        "debug"
    } else {
        "sea_orm_migration=info"
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(cli.verbose)
        .with_level(cli.verbose)
        .without_time()
        .try_init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let verb = match cli.command {
        Some(MigrateSubcommands::Init) => {
            return sea_orm_cli::run_migrate_init("./").map_err(|e| e.to_string());
        }
        Some(MigrateSubcommands::Generate {
            migration_name,
            local_time,
            ..
        }) => {
            return sea_orm_cli::run_migrate_generate("./", &migration_name, !local_time)
                .map_err(|e| e.to_string());
        }
        Some(MigrateSubcommands::Fresh) => Verb::Fresh,
        Some(MigrateSubcommands::Refresh) => Verb::Refresh,
        Some(MigrateSubcommands::Reset) => Verb::Reset,
        Some(MigrateSubcommands::Status) => Verb::Status,
        Some(MigrateSubcommands::Up { num }) => Verb::Up(num),
        Some(MigrateSubcommands::Down { num }) => Verb::Down(num),
        None => Verb::Up(None),
    };
    let url = cli
        .database_url
        .ok_or("no database: set DATABASE_URL or pass --database-url")?;
    let db = crate::connect(&url, cli.database_schema.as_deref())
        .await
        .map_err(|e| describe(&e))?;
    let outcome = crate::run(&db, verb).await;
    let _ = db.close().await;
    for (name, status) in outcome.map_err(|e| describe(&e))? {
        println!("{:<9} {name}", status.to_string());
    }
    Ok(())
}
