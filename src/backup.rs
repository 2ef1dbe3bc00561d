//! `marquee backup FILE`: a consistent copy of a running site's SQLite database.
//!
//! `VACUUM INTO` reads the database in one read transaction, so the copy is the database as
//! it was at one instant, with every write committed before it and none after, while the site
//! keeps serving reads and writes (WAL lets writers go on beside a reader). The copy is then
//! checked with `PRAGMA integrity_check`. PostgreSQL and MySQL/MariaDB have their own tools
//! for this, and the command names them instead.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

/// Backs the database at `url` up to `file`, which must not exist.
pub async fn run(url: &str, file: &Path) -> anyhow::Result<()> {
    let source = sqlite_file(url)?;
    if !source.is_file() {
        bail!("there is no SQLite database at {}", source.display());
    }
    if file.exists() {
        bail!(
            "{} already exists: a backup never overwrites a file",
            file.display()
        );
    }
    let target = file
        .to_str()
        .context("the backup's path must be valid UTF-8")?
        .to_owned();
    let db = crate::db::connect(url, false, Some(1))
        .await
        .map_err(|e| anyhow::anyhow!(migration::describe(&e)))?;
    let copied = db
        .execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "VACUUM INTO ?",
            [target.into()],
        ))
        .await;
    let _ = db.close().await;
    copied.map_err(|e| anyhow::anyhow!("the backup failed: {}", migration::describe(&e)))?;
    let checked = integrity_check(file).await;
    if let Err(error) = checked {
        // A copy that fails its check is worse than none: nobody should restore it.
        let _ = std::fs::remove_file(file);
        return Err(error);
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {} to {} ({bytes} bytes, integrity check ok)",
        source.display(),
        file.display()
    );
    println!(
        "to restore: stop the site, replace {} with a copy of {}, delete {0}-wal and {0}-shm \
         if they exist, start the site",
        source.display(),
        file.display()
    );
    Ok(())
}

/// The file of an SQLite URL; a clear refusal for the other backends and for memory.
fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    if let Some(file) = crate::db::sqlite_file(url) {
        return Ok(PathBuf::from(file));
    }
    if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        bail!(
            "backup copies SQLite databases; for PostgreSQL use pg_dump \
             (pg_dump --format=custom --file=FILE \"$DATABASE_URL\"; restore with pg_restore)"
        );
    }
    if url.starts_with("mysql:") || url.starts_with("mariadb:") {
        bail!(
            "backup copies SQLite databases; for MySQL or MariaDB use mariadb-dump \
             (or mysqldump) with --single-transaction; restore by feeding the dump to mariadb"
        );
    }
    if url.starts_with("sqlite:") {
        bail!("a memory database cannot be backed up: it ends with its process");
    }
    bail!("backup copies SQLite databases; {url:?} is not an sqlite: URL");
}

/// `PRAGMA integrity_check` on the copy, read-only.
async fn integrity_check(file: &Path) -> anyhow::Result<()> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let copy = sea_orm::Database::connect(url.as_str())
        .await
        .map_err(|e| anyhow::anyhow!("could not open the backup: {}", migration::describe(&e)))?;
    let rows = copy
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await;
    let _ = copy.close().await;
    let verdict: Vec<String> = rows
        .map_err(|e| anyhow::anyhow!("could not check the backup: {}", migration::describe(&e)))?
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    if verdict != ["ok"] {
        bail!(
            "the backup failed its integrity check: {}",
            verdict.join("; ")
        );
    }
    Ok(())
}
