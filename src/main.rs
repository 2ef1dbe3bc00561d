//! `marquee [serve|migrate|seed]`: see `marquee --help`.

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
