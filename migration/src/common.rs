//! Small statement builders shared by the steps. They only shorten what a step writes; a step's
//! meaning must not depend on a change here, so these never change behaviour once landed.

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
        .execute_unprepared(&format!(r#"CREATE INDEX "{name}" ON "{table}" ({terms})"#))
        .await
        .map(|_| ())
}

/// `DROP INDEX name` (of `table`).
pub async fn drop_index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(table).to_owned())
        .await
}

/// `DROP TABLE table`.
pub fn drop(table: &'static str) -> TableDropStatement {
    Table::drop().table(table).to_owned()
}

/// Turns a builder error (wrong number of values) into a migration error.
pub fn values_err(e: impl std::fmt::Display) -> DbErr {
    DbErr::Migration(format!("could not build insert: {e}"))
}

/// `ALTER TABLE table ADD COLUMN col`: one column a statement (SQLite takes one change per
/// `ALTER`).
pub async fn add_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    col: &mut ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(col).to_owned())
        .await
}

/// `ALTER TABLE table DROP COLUMN col`.
pub async fn drop_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    col: &'static str,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(col).to_owned())
        .await
}
