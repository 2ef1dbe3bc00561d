//! `marquee [serve|migrate|seed|user|backup]`: see `marquee --help`.

use clap::Parser;

/// mimalloc for the server's own allocations (SQLite keeps the C library's malloc): every
/// request allocates and frees many small values (statements, JSON, the page), where the C
/// library's malloc spent its time in consolidation and heap trimming. Server CPU per request
/// over the bench's random pools fell 15-20% for about 5 MiB more peak RSS (figures in the
/// README's Performance notes).
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
