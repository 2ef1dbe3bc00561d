//! `marquee [serve|migrate|seed]`: see `marquee --help`.

use clap::Parser;

/// mimalloc for the server's own allocations (SQLite keeps the C library's malloc): a request
/// allocates and frees many small values on one thread (queries, JSON, the page), which the C
/// library's malloc served with a lock per arena, consolidation and heap trimming. Server CPU
/// per request over the bench's random pools (`perf stat`, alternating runs, same database):
/// post pages 140 -> 112 µs, lists 253 -> 218, movie lists 470 -> 400; peak RSS about 5 MiB
/// higher (Performance notes in the README).
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
