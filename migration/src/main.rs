//! The migration command line used by `sea-orm-cli migrate <verb>` (it runs this binary with
//! `DATABASE_URL`); `cargo run -p migration -- <verb>` works the same. See [`migration::cli`].

#[tokio::main]
async fn main() -> std::process::ExitCode {
    migration::cli::main().await
}
