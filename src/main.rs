//! `marquee [serve|migrate|seed]`: see `marquee --help`.

use clap::Parser;

/// mimalloc instead of the C library's allocator: pages allocate many small short-lived
/// values on several threads (actix workers, SQLite connection threads), where it is faster
/// and returns memory instead of keeping a growing arena per thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = marquee::cli::Cli::parse();
    marquee::telemetry::init(&cli.settings.log_level, cli.settings.log_format == "json");
    match marquee::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
