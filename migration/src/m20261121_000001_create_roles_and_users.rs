//! Roles, their permissions and users, with the four default roles inserted as data.
//!
//! `reader` is the default role for new users; `admin` holds every permission known at the
//! time of this step. `user.country_id` comes with the country table in the next step.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ROLES: &[(&str, &str, bool, &[&str])] = &[
    (
        "reader",
        "Reads, comments and reviews movies",
        true,
        &["comment", "review_movies"],
    ),
    (
        "author",
        "A reader who also writes blog posts",
        false,
        &["comment", "review_movies", "write_posts"],
    ),
    (
        "moderator",
        "Keeps discussions civil and the catalogue tidy",
        false,
        &[
            "comment",
            "review_movies",
            "write_posts",
            "moderate_comments",
            "manage_categories",
            "manage_movies",
        ],
    ),
    (
        "admin",
        "Runs the site: users, roles, groups and the audit log",
        false,
        &[
            "comment",
            "review_movies",
            "write_posts",
            "moderate_comments",
            "manage_categories",
            "manage_movies",
            "manage_users",
            "manage_groups",
            "manage_roles",
            "view_audit_log",
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(
            manager,
            Table::create()
                .table("role")
                .col(pk_auto("id"))
                .col(string_len_uniq("name", 64))
                .col(string_len("description", 255).default(""))
                .col(boolean("is_default").default(false))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("role_permission")
                .col(integer("role_id"))
                .col(string_len("permission", 32))
                .primary_key(Index::create().col("role_id").col("permission"))
                .foreign_key(&mut fk(
                    "role_permission",
                    "role_id",
                    "role",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        create_table(
            manager,
            Table::create()
                .table("user")
                .col(pk_auto("id"))
                .col(string_len_uniq("username", 32))
                .col(string_len_uniq("email", 254))
                .col(string_len("password_hash", 255))
                .col(integer("role_id"))
                .col(boolean("is_active").default(true))
                .col(timestamp_with_time_zone("created_at").default(Expr::current_timestamp()))
                .col(timestamp_with_time_zone_null("last_seen_at"))
                .foreign_key(&mut fk(
                    "user",
                    "role_id",
                    "role",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        create_index(manager, index("user", &["role_id"])).await?;
        create_index(manager, index("user", &["created_at"])).await?;

        // One statement for every role: they are all there or none is.
        if is_empty(manager, "role").await? {
            let mut roles = Query::insert();
            roles
                .into_table("role")
                .columns(["name", "description", "is_default"]);
            for (name, description, is_default, _) in ROLES {
                roles
                    .values([(*name).into(), (*description).into(), (*is_default).into()])
                    .map_err(values_err)?;
            }
            manager.exec_stmt(roles).await?;
        }

        // One INSERT ... SELECT per permission: the role ids are whatever the database gave.
        let mut permissions: Vec<&str> = ROLES.iter().flat_map(|r| r.3.iter().copied()).collect();
        permissions.sort_unstable();
        permissions.dedup();
        for permission in permissions {
            let holders: Vec<&str> = ROLES
                .iter()
                .filter(|r| r.3.contains(&permission))
                .map(|r| r.0)
                .collect();
            let select = Query::select()
                .column("id")
                .expr(Expr::val(permission))
                .from("role")
                .and_where(Expr::col("name").is_in(holders))
                .to_owned();
            let insert = Query::insert()
                .into_table("role_permission")
                .columns(["role_id", "permission"])
                .select_from(select)
                .map_err(values_err)?
                .to_owned();
            let granted = Query::select()
                .expr(Expr::val(1))
                .from("role_permission")
                .and_where(Expr::col("permission").eq(permission))
                .limit(1)
                .to_owned();
            if manager
                .get_connection()
                .query_one(&granted)
                .await?
                .is_none()
            {
                manager.exec_stmt(insert).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "user").await?;
        drop_table(manager, "role_permission").await?;
        drop_table(manager, "role").await
    }
}
