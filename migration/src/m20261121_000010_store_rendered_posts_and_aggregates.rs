//! Stores what pages used to compute on every request, so every page stays fast at volume:
//!
//! - `post.body_html` and `post.excerpt`: the Markdown rendered (and cleaned) and the list
//!   excerpt, written with the post (`MEDIUMTEXT` for the HTML on MySQL, like the body);
//! - `post.listed_at`: when the post entered the lists (its publication, or its creation while a
//!   draft), the key of keyset pagination together with `post.id`, indexed for each list;
//! - `movie.review_count`, `movie.rating_sum`, `movie.rating_avg`: maintained in the
//!   transaction of every review change, `rating_avg` indexed for sorting;
//! - `site_version`: one row whose number every content change bumps; caches compare against
//!   it, so a change is visible on the very next request on every instance.
//!
//! Every existing row is backfilled (the HTML by `markup`, the same code the app writes with,
//! in batches of one `UPDATE … CASE` statement per 200 posts). `down` drops it all again.

use sea_orm_migration::sea_orm::{DatabaseBackend, FromQueryResult, Statement};
use sea_orm_migration::{prelude::*, schema::*};

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const BATCH: u64 = 200;
const EXCERPT_CHARS: usize = 220;

#[derive(FromQueryResult)]
struct PostBody {
    id: i32,
    body: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        if backend == DatabaseBackend::MySql {
            if !manager.has_column("post", "body_html").await? {
                db.execute_unprepared("ALTER TABLE `post` ADD COLUMN `body_html` MEDIUMTEXT NULL")
                    .await?;
            }
        } else {
            add_column(manager, "post", &mut text_null("body_html")).await?;
        }
        add_column(manager, "post", string_len("excerpt", 300).default("")).await?;
        add_column(
            manager,
            "post",
            timestamp_with_time_zone("listed_at").default("2000-01-01 00:00:00"),
        )
        .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("post")
                    .value(
                        "listed_at",
                        Func::coalesce([Expr::col("published_at"), Expr::col("created_at")]),
                    )
                    .to_owned(),
            )
            .await?;
        for cols in [
            &["status", "listed_at", "id"][..],
            &["author_id", "listed_at", "id"],
            &["category_id", "listed_at", "id"],
        ] {
            create_index(manager, index("post", cols)).await?;
        }
        backfill_html(manager).await?;

        add_column(manager, "movie", integer("review_count").default(0)).await?;
        add_column(manager, "movie", integer("rating_sum").default(0)).await?;
        add_column(manager, "movie", &mut double_null("rating_avg")).await?;
        let reviews_of_movie = |expr: Expr| {
            Query::select()
                .expr(expr)
                .from("review")
                .and_where(Expr::col(("review", "movie_id")).equals(("movie", "id")))
                .to_owned()
        };
        manager
            .exec_stmt(
                Query::update()
                    .table("movie")
                    .value(
                        "review_count",
                        Expr::SubQuery(
                            None,
                            Box::new(
                                reviews_of_movie(Expr::col(("review", "id")).count())
                                    .into_sub_query_statement(),
                            ),
                        ),
                    )
                    .value(
                        "rating_sum",
                        Expr::SubQuery(
                            None,
                            Box::new(
                                reviews_of_movie(
                                    Func::coalesce([
                                        Expr::col(("review", "rating")).sum(),
                                        Expr::val(0),
                                    ])
                                    .into(),
                                )
                                .into_sub_query_statement(),
                            ),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("movie")
                    .value(
                        "rating_avg",
                        Expr::col("rating_sum")
                            .mul(Expr::val(1.0))
                            .div(Expr::col("review_count")),
                    )
                    .and_where(Expr::col("review_count").gt(0))
                    .to_owned(),
            )
            .await?;
        create_index(manager, index("movie", &["rating_avg"])).await?;

        create_table(
            manager,
            Table::create()
                .table("site_version")
                .col(integer("id").primary_key())
                .col(big_integer("version").default(0))
                .to_owned(),
        )
        .await?;
        if !is_empty(manager, "site_version").await? {
            return Ok(());
        }
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("site_version")
                    .columns(["id", "version"])
                    .values([1.into(), 0.into()])
                    .map_err(crate::common::values_err)?
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_table(manager, "site_version").await?;
        drop_index(manager, "movie", "idx_movie_rating_avg").await?;
        for col in ["rating_avg", "rating_sum", "review_count"] {
            drop_column(manager, "movie", col).await?;
        }
        for name in [
            "idx_post_status_listed_at_id",
            "idx_post_author_id_listed_at_id",
            "idx_post_category_id_listed_at_id",
        ] {
            drop_index(manager, "post", name).await?;
        }
        for col in ["listed_at", "excerpt", "body_html"] {
            drop_column(manager, "post", col).await?;
        }
        Ok(())
    }
}

/// Renders every post's body into `body_html` and `excerpt`, in batches by id.
async fn backfill_html(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let backend = manager.get_database_backend();
    let mut after = 0i32;
    loop {
        let select = Query::select()
            .columns(["id", "body"])
            .from("post")
            .and_where(Expr::col("id").gt(after))
            .order_by("id", Order::Asc)
            .limit(BATCH)
            .to_owned();
        let rows = PostBody::find_by_statement(backend.build(&select))
            .all(db)
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id;
        let mut html: Option<CaseStatement> = None;
        let mut excerpt: Option<CaseStatement> = None;
        for row in &rows {
            let is_row = Expr::col("id").eq(row.id);
            let rendered = markup::to_safe_html(&row.body);
            let cut = markup::excerpt(&row.body, EXCERPT_CHARS);
            html = Some(match html {
                None => Expr::case(is_row.clone(), rendered),
                Some(case) => case.case(is_row.clone(), rendered),
            });
            excerpt = Some(match excerpt {
                None => Expr::case(is_row, cut),
                Some(case) => case.case(is_row, cut),
            });
        }
        let (Some(html), Some(excerpt)) = (html, excerpt) else {
            return Ok(());
        };
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let update = Query::update()
            .table("post")
            .value("body_html", html.finally(Expr::col("body_html")))
            .value("excerpt", excerpt.finally(Expr::col("excerpt")))
            .and_where(Expr::col("id").is_in(ids))
            .to_owned();
        let (sql, values) = match backend {
            DatabaseBackend::MySql => update.build(MysqlQueryBuilder),
            DatabaseBackend::Postgres => update.build(PostgresQueryBuilder),
            _ => update.build(SqliteQueryBuilder),
        };
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
}
