//! The migration command line used by `sea-orm-cli migrate <verb>` (it runs this binary with
//! `DATABASE_URL`); `cargo run -p migration -- <verb>` works the same.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(migration::Migrator).await;
}
