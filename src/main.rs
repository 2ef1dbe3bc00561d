//! `marquee [serve|migrate|seed]`: see `marquee --help`.

use clap::Parser;

/// mimalloc rather than the C library's allocator: a page builds and drops many small strings,
/// statement trees and JSON values, and glibc's malloc and free were about a sixth of the
/// request threads' time (perf, random movie lists).
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
