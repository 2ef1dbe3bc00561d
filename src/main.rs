//! `marquee [serve|migrate|seed]`: see `marquee --help`.

use clap::Parser;

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
