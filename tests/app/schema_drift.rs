//! The entities cannot drift from the migrations: a database migrated to the head and one
//! built from the entity crate's declarations (SeaORM's schema builder) must hold the same
//! tables, columns (type family and nullability), defaults, primary keys, unique keys and
//! foreign keys with their `ON DELETE`, as each backend's own catalogue reports them.
//!
//! Indexes that are not unique are the migrations' own business (they serve queries) and are
//! not compared; nor are the full-text indexes (SQLite's tables, PostgreSQL's generated
//! `search_vector` columns), which no entity describes.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::helpers::TestDb;

/// Every entity of the entity crate, by module name; a test keeps it equal to the modules
/// `entity/src/lib.rs` declares, so a new entity cannot be left out.
const ENTITIES: &[&str] = &[
    "account_link",
    "api_token",
    "audit_log",
    "category",
    "comment",
    "conversation",
    "conversation_member",
    "country",
    "group",
    "mail_outbox",
    "message",
    "message_report",
    "movie",
    "movie_decade_facet",
    "movie_director",
    "movie_facet",
    "notification",
    "notification_digest",
    "notification_setting",
    "permission_override",
    "person",
    "picture",
    "picture_file",
    "post",
    "post_picture",
    "post_tag",
    "profile",
    "review",
    "role",
    "role_inclusion",
    "role_permission",
    "site_version",
    "tag",
    "user",
    "user_block",
    "user_group",
    "user_session",
    "watchlist_entry",
];

/// Creates every entity's table on `db` from its declaration.
async fn build_from_entities(db: &DatabaseConnection) {
    use entity::*;
    db.get_schema_builder()
        .register(account_link::Entity)
        .register(api_token::Entity)
        .register(audit_log::Entity)
        .register(category::Entity)
        .register(comment::Entity)
        .register(conversation::Entity)
        .register(conversation_member::Entity)
        .register(country::Entity)
        .register(group::Entity)
        .register(mail_outbox::Entity)
        .register(message::Entity)
        .register(message_report::Entity)
        .register(movie::Entity)
        .register(movie_decade_facet::Entity)
        .register(movie_director::Entity)
        .register(movie_facet::Entity)
        .register(notification::Entity)
        .register(notification_digest::Entity)
        .register(notification_setting::Entity)
        .register(permission_override::Entity)
        .register(person::Entity)
        .register(picture::Entity)
        .register(picture_file::Entity)
        .register(post::Entity)
        .register(post_picture::Entity)
        .register(post_tag::Entity)
        .register(profile::Entity)
        .register(review::Entity)
        .register(role::Entity)
        .register(role_inclusion::Entity)
        .register(role_permission::Entity)
        .register(site_version::Entity)
        .register(tag::Entity)
        .register(user::Entity)
        .register(user_block::Entity)
        .register(user_group::Entity)
        .register(user_session::Entity)
        .register(watchlist_entry::Entity)
        .apply(db)
        .await
        .expect("the entities' tables are created");
}

async fn rows(db: &DatabaseConnection, sql: &str) -> Vec<Vec<String>> {
    let found = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    found
        .iter()
        .map(|row| {
            (0..)
                .map_while(|i| match row.try_get_by_index::<Option<String>>(i) {
                    Ok(value) => Some(value.unwrap_or_else(|| "NULL".into())),
                    Err(_) => None,
                })
                .collect()
        })
        .collect()
}

/// A column type without its length, in one word per family (`varchar(64)` and `varchar`
/// are both `varchar`).
fn family(sql_type: &str) -> String {
    let t = sql_type.to_ascii_lowercase();
    let t = t.split('(').next().unwrap_or(&t).trim().to_owned();
    match t.as_str() {
        "character varying" => "varchar".into(),
        "timestamp with time zone" => "timestamptz".into(),
        "mediumtext" | "longtext" => "text".into(),
        "mediumblob" | "longblob" => "blob".into(),
        other => other.into(),
    }
}

/// What the backend's catalogue says of the schema, as sorted sentences.
pub async fn catalogue(db: &DatabaseConnection) -> BTreeSet<String> {
    let mut facts = BTreeSet::new();
    let backend = db.get_database_backend();
    let skip = |table: &str| {
        table == "seaql_migrations"
            || table.starts_with("post_search")
            || table.starts_with("post_text")
            || table.starts_with("movie_text")
            || table.starts_with("sqlite_")
    };
    match backend {
        DbBackend::Sqlite => {
            let tables = rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'").await;
            for table in tables
                .into_iter()
                .map(|r| r[0].clone())
                .filter(|t| !skip(t))
            {
                facts.insert(format!("table {table}"));
                let q = |sql: &str| sql.replace("{t}", &table.replace('\'', "''"));
                let mut pk = Vec::new();
                for c in rows(db, &q("SELECT name, type, CAST(\"notnull\" AS TEXT), dflt_value, CAST(pk AS TEXT) FROM pragma_table_info('{t}')")).await {
                    facts.insert(format!("column {table}.{} {} null={}", c[0], family(&c[1]), c[2] == "0"));
                    facts.insert(format!("default {table}.{} {}", c[0], c[3]));
                    if c[4] != "0" {
                        pk.push((c[4].clone(), c[0].clone()));
                    }
                }
                pk.sort();
                let pk: Vec<String> = pk.into_iter().map(|(_, c)| c).collect();
                facts.insert(format!("primary key {table} ({})", pk.join(", ")));
                for index in rows(db, &q("SELECT name FROM pragma_index_list('{t}') WHERE \"unique\" = 1 AND origin <> 'pk'")).await {
                    let cols = rows(db, &format!("SELECT name FROM pragma_index_info('{}') ORDER BY seqno", index[0])).await;
                    let cols: Vec<String> = cols.into_iter().map(|r| r[0].clone()).collect();
                    facts.insert(format!("unique {table} ({})", cols.join(", ")));
                }
                for fk in rows(db, &q("SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list('{t}')")).await {
                    facts.insert(format!("foreign key {table}.{} -> {}.{} on delete {}", fk[0], fk[1], fk[2], fk[3].to_lowercase()));
                }
            }
        }
        DbBackend::Postgres => {
            for c in rows(db, "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, column_default::text \
                FROM information_schema.columns WHERE table_schema = current_schema()").await {
                // The full-text vectors (migration 28) are an index kept as a generated column.
                if skip(&c[0]) || c[1] == "search_vector" { continue; }
                facts.insert(format!("table {}", c[0]));
                facts.insert(format!("column {}.{} {} null={}", c[0], c[1], family(&c[2]), c[3] == "YES"));
                // A serial's default names its sequence, which differs only by table.
                let default = if c[4].starts_with("nextval(") { "serial".to_owned() } else { c[4].clone() };
                facts.insert(format!("default {}.{} {}", c[0], c[1], default));
            }
            let keys = "SELECT t.relname::text, i.indisprimary::text, \
                string_agg(a.attname::text, ', ' ORDER BY k.n) \
                FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
                JOIN pg_namespace s ON s.oid = t.relnamespace \
                CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) \
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                WHERE s.nspname = current_schema() AND i.indisunique \
                GROUP BY t.relname, i.indexrelid, i.indisprimary";
            for k in rows(db, keys).await {
                if skip(&k[0]) {
                    continue;
                }
                let kind = if k[1] == "true" {
                    "primary key"
                } else {
                    "unique"
                };
                facts.insert(format!("{kind} {} ({})", k[0], k[2]));
            }
            let fks = "SELECT t.relname::text, a.attname::text, r.relname::text, ra.attname::text, c.confdeltype::text \
                FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
                JOIN pg_namespace s ON s.oid = t.relnamespace \
                JOIN pg_class r ON r.oid = c.confrelid \
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1] \
                JOIN pg_attribute ra ON ra.attrelid = r.oid AND ra.attnum = c.confkey[1] \
                WHERE c.contype = 'f' AND s.nspname = current_schema()";
            for f in rows(db, fks).await {
                let action = match f[4].as_str() {
                    "a" => "no action",
                    "r" => "restrict",
                    "c" => "cascade",
                    "n" => "set null",
                    "d" => "set default",
                    x => x,
                };
                facts.insert(format!(
                    "foreign key {}.{} -> {}.{} on delete {action}",
                    f[0], f[1], f[2], f[3]
                ));
            }
        }
        _ => {
            for c in rows(db, "SELECT CAST(table_name AS CHAR), CAST(column_name AS CHAR), CAST(data_type AS CHAR), \
                CAST(is_nullable AS CHAR), CAST(column_default AS CHAR) \
                FROM information_schema.columns WHERE table_schema = DATABASE()").await {
                // The full-text vectors (migration 28) are an index kept as a generated column.
                if skip(&c[0]) || c[1] == "search_vector" { continue; }
                facts.insert(format!("table {}", c[0]));
                facts.insert(format!("column {}.{} {} null={}", c[0], c[1], family(&c[2]), c[3] == "YES"));
                facts.insert(format!("default {}.{} {}", c[0], c[1], c[4]));
            }
            let keys = "SELECT CAST(table_name AS CHAR), CAST(index_name AS CHAR), \
                CAST(GROUP_CONCAT(column_name ORDER BY seq_in_index SEPARATOR ', ') AS CHAR) \
                FROM information_schema.statistics WHERE table_schema = DATABASE() AND non_unique = 0 \
                GROUP BY table_name, index_name";
            for k in rows(db, keys).await {
                if skip(&k[0]) {
                    continue;
                }
                let kind = if k[1] == "PRIMARY" {
                    "primary key"
                } else {
                    "unique"
                };
                facts.insert(format!("{kind} {} ({})", k[0], k[2]));
            }
            let fks = "SELECT CAST(k.table_name AS CHAR), CAST(k.column_name AS CHAR), \
                CAST(k.referenced_table_name AS CHAR), CAST(k.referenced_column_name AS CHAR), CAST(r.delete_rule AS CHAR) \
                FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r \
                ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
                AND r.table_name = k.table_name \
                WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL";
            for f in rows(db, fks).await {
                facts.insert(format!(
                    "foreign key {}.{} -> {}.{} on delete {}",
                    f[0],
                    f[1],
                    f[2],
                    f[3],
                    f[4].to_lowercase()
                ));
            }
        }
    }
    facts
}

/// Fails with the facts only one side holds.
#[track_caller]
fn assert_same(migrated: &BTreeSet<String>, declared: &BTreeSet<String>) {
    let only_migrated: Vec<&String> = migrated.difference(declared).collect();
    let only_declared: Vec<&String> = declared.difference(migrated).collect();
    assert!(
        only_migrated.is_empty() && only_declared.is_empty(),
        "the migrations and the entities disagree.\nonly in the migrated database:\n  {}\nonly in the entities:\n  {}",
        only_migrated
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        only_declared
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
    );
}

/// The migrated database's facts and the entities' facts, on two fresh databases of
/// `test_db`'s backend.
async fn both(test_db: &TestDb) -> (BTreeSet<String>, BTreeSet<String>, TestDb) {
    let migrated = test_db.connect().await;
    migration::run(&migrated, migration::Verb::Up(None))
        .await
        .unwrap();
    let other = TestDb::create(test_db.backend).await;
    let declared = other.connect().await;
    build_from_entities(&declared).await;
    let facts = (catalogue(&migrated).await, catalogue(&declared).await);
    migrated.close().await.unwrap();
    declared.close().await.unwrap();
    (facts.0, facts.1, other)
}

backend_tests! {
    async fn the_migrations_build_exactly_the_schema_the_entities_declare(test_db: TestDb) {
        let (migrated, declared, other) = both(&test_db).await;
        other.drop_database().await;
        // Every entity is registered: its module is its table.
        let tables: Vec<&str> = declared.iter().filter_map(|f| f.strip_prefix("table ")).collect();
        assert_eq!(tables, ENTITIES);
        assert!(migrated.iter().any(|f| f.starts_with("foreign key post.author_id")), "{migrated:?}");
        assert_same(&migrated, &declared);
    }

    async fn the_comparison_sees_a_column_only_one_side_has(test_db: TestDb) {
        // As if a field were added to an entity and not to a migration.
        let (migrated, declared, other) = both(&test_db).await;
        let db = other.connect().await;
        let sql = match test_db.backend {
            crate::helpers::Backend::MySql => "ALTER TABLE `movie` ADD COLUMN `budget` integer NULL",
            _ => r#"ALTER TABLE "movie" ADD COLUMN "budget" integer NULL"#,
        };
        db.execute_unprepared(sql).await.unwrap();
        let changed = catalogue(&db).await;
        db.close().await.unwrap();
        other.drop_database().await;
        assert_ne!(changed, declared);
        let outcome = std::panic::catch_unwind(|| assert_same(&migrated, &changed));
        let message = *outcome.expect_err("a difference fails").downcast::<String>().unwrap();
        assert!(message.contains("movie.budget"), "{message}");
    }
}

#[test]
fn every_entity_module_is_compared() {
    let lib = include_str!("../../entity/src/lib.rs");
    let mut declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .filter(|m| !["enums", "prelude"].contains(m))
        .collect();
    declared.sort();
    assert_eq!(declared, ENTITIES);
}
