//! `marquee [serve|migrate|seed|user|backup]`: see `marquee --help`.

use clap::Parser;

/// mimalloc for the server's own allocations (SQLite keeps the C library's malloc): every
/// request allocates and frees many small values (statements, JSON, the page), where the C
/// library's malloc spent its time in consolidation and heap trimming. It costs a little more
/// memory for less CPU per request (`bench/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let command = marquee::cli::Cli::parse().into_command();
    let (level, json) = command.log();
    marquee::telemetry::init(level, json);
    match marquee::cli::run(command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
