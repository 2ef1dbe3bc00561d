//! Small statement builders shared by the steps. They only shorten what a step writes; a step's
//! meaning must not depend on a change here, so these never change what a step builds.
//!
//! The functions that run a statement do nothing when its work is already done (a table or
//! index already there, a column already gone): MySQL and MariaDB commit every DDL statement,
//! so a step that failed halfway there keeps its first statements, and running it again must
//! pass over them and complete it. On SQLite and PostgreSQL a step is one transaction anyway.

use sea_orm_migration::prelude::*;

/// `FOREIGN KEY (from_col) REFERENCES to_table (id) ON DELETE on_delete ON UPDATE CASCADE`,
/// named `fk_<table>_<from_col>`.
pub fn fk(
    table: &'static str,
    from_col: &'static str,
    to_table: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{from_col}"))
        .from(table, from_col)
        .to(to_table, "id")
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Cascade)
        .to_owned()
}

/// `CREATE INDEX idx_<table>_<cols> ON table (cols...)`.
pub fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("idx_{table}_{}", cols.join("_")))
        .table(table);
    for col in cols {
        stmt.col(*col);
    }
    stmt.to_owned()
}

/// `CREATE INDEX "name" ON "table" (terms)`, written out: an index on expressions, which the
/// schema builder does not write. `terms` is SQL (quoted columns and expressions).
pub async fn create_expression_index(
    manager: &SchemaManager<'_>,
    table: &str,
    name: &str,
    terms: &str,
) -> Result<(), DbErr> {
    use sea_orm_migration::sea_orm::ConnectionTrait;
    manager
        .get_connection()
        .execute_unprepared(&format!(
            r#"CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({terms})"#
        ))
        .await
        .map(|_| ())
}

/// `DROP INDEX name` (of `table`), unless it is gone already.
pub async fn drop_index(manager: &SchemaManager<'_>, table: &str, name: &str) -> Result<(), DbErr> {
    if !has_index(manager, name).await? {
        return Ok(());
    }
    manager
        .drop_index(Index::drop().name(name).table(table.to_owned()).to_owned())
        .await
}

/// Whether an index called `name` exists (every index name in Marquee's schema is unique).
pub async fn has_index(manager: &SchemaManager<'_>, name: &str) -> Result<bool, DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = manager.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
        DbBackend::Postgres => {
            "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1"
        }
        _ => {
            "SELECT 1 FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND index_name = ?"
        }
    };
    let found = manager
        .get_connection()
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [name.into()]))
        .await?;
    Ok(found.is_some())
}

/// Whether a foreign key called `name` exists (PostgreSQL, MySQL; SQLite's have no names).
pub async fn has_foreign_key(manager: &SchemaManager<'_>, name: &str) -> Result<bool, DbErr> {
    use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = manager.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT 1 FROM information_schema.table_constraints WHERE constraint_type = \
             'FOREIGN KEY' AND table_schema = current_schema() AND constraint_name = $1"
        }
        DbBackend::MySql => {
            "SELECT 1 FROM information_schema.table_constraints WHERE constraint_type = \
             'FOREIGN KEY' AND table_schema = DATABASE() AND constraint_name = ?"
        }
        _ => return Ok(false),
    };
    let found = manager
        .get_connection()
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [name.into()]))
        .await?;
    Ok(found.is_some())
}

/// `CREATE TABLE IF NOT EXISTS`.
pub async fn create_table(
    manager: &SchemaManager<'_>,
    mut stmt: TableCreateStatement,
) -> Result<(), DbErr> {
    manager.create_table(stmt.if_not_exists().to_owned()).await
}

/// `CREATE INDEX`, unless an index of that name exists.
pub async fn create_index(
    manager: &SchemaManager<'_>,
    stmt: IndexCreateStatement,
) -> Result<(), DbErr> {
    if let Some(name) = stmt.get_index_spec().get_name()
        && has_index(manager, name).await?
    {
        return Ok(());
    }
    manager.create_index(stmt).await
}

/// `DROP TABLE IF EXISTS table`.
pub async fn drop_table(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    manager
        .drop_table(Table::drop().table(table.to_owned()).if_exists().to_owned())
        .await
}

/// Whether `table` has no rows (a step inserts its data only into an empty table).
pub async fn is_empty(manager: &SchemaManager<'_>, table: &str) -> Result<bool, DbErr> {
    let mut select = Query::select();
    select.expr(Expr::val(1)).from(table.to_owned()).limit(1);
    let found = manager.get_connection().query_one(&select).await?;
    Ok(found.is_none())
}

/// Turns a builder error (wrong number of values) into a migration error.
pub fn values_err(e: impl std::fmt::Display) -> DbErr {
    DbErr::Migration(format!("could not build insert: {e}"))
}

/// `ALTER TABLE table ADD COLUMN col`: one column a statement (SQLite takes one change per
/// `ALTER`), unless the column is there.
pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    col: &mut ColumnDef,
) -> Result<(), DbErr> {
    if manager.has_column(table, col.get_column_name()).await? {
        return Ok(());
    }
    manager
        .alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

/// `ALTER TABLE table DROP COLUMN col`, unless it is gone.
pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    col: &'static str,
) -> Result<(), DbErr> {
    if !manager.has_column(table, col).await? {
        return Ok(());
    }
    manager
        .alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}
