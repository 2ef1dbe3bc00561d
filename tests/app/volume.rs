//! Pages at volume: the SQL statements a page runs do not grow with the data (posts, comments,
//! reviews, users) nor with the depth of a list, and stay within three (the movie list's facets
//! included), counted with the content cache off so the data path itself is measured.

use entity::enums::MpaRating;
use marquee::services::movies::{self};
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

/// Statements of each path, fetched by `visitor` (a signed-in visitor's own session checks are
/// included: three statements, counted separately as `baseline`).
async fn counts(app: &TestApp, visitor: &crate::helpers::Visitor, paths: &[String]) -> Vec<u64> {
    use std::sync::atomic::Ordering;
    let mut out = Vec::new();
    for path in paths {
        let before = app.statements.load(Ordering::SeqCst);
        let response = visitor.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        out.push(app.statements.load(Ordering::SeqCst) - before);
    }
    out
}

/// Marks every session as seen now: no `last_seen_at` refresh falls due for a minute.
async fn seen_now(app: &TestApp) {
    use sea_orm::{EntityTrait, sea_query::Expr};
    entity::user_session::Entity::update_many()
        .col_expr(
            entity::user_session::Column::LastSeenAt,
            Expr::value(chrono::Utc::now()),
        )
        .exec(&app.db)
        .await
        .unwrap();
}

/// The cursor of the "Older" link of a list page.
async fn older_link(app: &TestApp, path: &str) -> String {
    let (_, html) = app.visitor().get_html(path).await;
    let marker = "rel=\"next\" href=\"";
    let start = html.find(marker).expect("an Older link") + marker.len();
    let href = html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    format!("{}{href}", path.split('?').next().unwrap())
}

async fn add_content(app: &TestApp, author: i32, readers: &[i32], movie: i32, posts: usize) {
    // Each reader as the services see them, loaded once (their role does not change here).
    let mut acting = Vec::with_capacity(readers.len());
    for reader in readers {
        acting.push(app.acting(*reader).await);
    }
    for i in 0..posts {
        let p = app
            .create_post(
                author,
                &format!("Volume post {i}"),
                true,
                None,
                &["film", &format!("t{}", i % 3)],
            )
            .await;
        for reader in &acting {
            let text = crate::helpers::comment_text(&format!("comment {i}"));
            marquee::services::blog::add_comment(&app.db, reader, &p.slug, text)
                .await
                .unwrap();
        }
    }
    for reader in &acting {
        if movies::review_of(&app.db, movie, reader.id)
            .await
            .unwrap()
            .is_none()
        {
            movies::add_review(
                &app.db,
                reader,
                movie,
                crate::helpers::review_input(7, "Fine."),
            )
            .await
            .unwrap();
        }
    }
}

backend_tests! {
    async fn every_page_runs_the_same_few_statements_whatever_the_volume_and_depth(test_db: TestDb) {
        let mut settings = test_db.settings();
        settings.cache = false;
        let app = test_db.spawn_with(settings).await;
        let author = app.create_user("ada", "author").await;
        app.create_user("boss", "admin").await;
        let movie = movies::create_movie(
            &app.db,
            &app.operator().await,
            None,
            crate::helpers::movie_input("Heat", 1995, Some(MpaRating::R), false, &["Michael Mann"]),
        )
        .await
        .unwrap()
        .id;
        let mut readers = Vec::new();
        for i in 0..3 {
            readers.push(app.create_user(&format!("reader{i}"), "reader").await);
        }
        add_content(&app, author, &readers, movie, 25).await;
        let first_post = "/posts/volume-post-0".to_owned();
        let person = entity::person::Entity::find_by_name("Michael Mann").one(&app.db).await.unwrap().unwrap().id;
        let anonymous_pages = |deep: String| {
            vec![
                "/".to_owned(),
                "/posts".to_owned(),
                deep,
                "/posts?q=volume".to_owned(),
                "/tags/film".to_owned(),
                "/users/ada/posts".to_owned(),
                first_post.clone(),
                "/movies".to_owned(),
                "/movies?mpa=R&sort=rating".to_owned(),
                format!("/movies/{movie}"),
                format!("/people/{person}"),
                "/users/ada".to_owned(),
                "/categories".to_owned(),
            ]
        };
        let admin_pages: Vec<String> = ["/admin/users", "/admin/audit", "/moderation", "/admin/roles"].map(String::from).to_vec();
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let anonymous = app.visitor();

        let small_deep = older_link(&app, "/posts").await;
        let few = counts(&app, &anonymous, &anonymous_pages(small_deep)).await;
        // The sign-in's flash and CSRF token are settled by a first page, and the session's
        // once-a-minute `last_seen_at` refresh is made not due, so neither is counted.
        admin.get("/").await;
        seen_now(&app).await;
        let few_admin = counts(&app, &admin, &admin_pages).await;

        // Ten times the posts, comments, reviewers and users.
        let mut more_readers = readers.clone();
        for i in 3..30 {
            more_readers.push(app.create_user(&format!("reader{i}"), "reader").await);
        }
        add_content(&app, author, &more_readers, movie, 250).await;
        let mut deep = older_link(&app, "/posts").await;
        for _ in 0..5 {
            deep = older_link(&app, &deep).await;
        }
        let many = counts(&app, &anonymous, &anonymous_pages(deep)).await;
        seen_now(&app).await;
        let many_admin = counts(&app, &admin, &admin_pages).await;

        let pages = anonymous_pages(String::from("/posts?after=… (deep)"));
        assert_eq!(few, many, "statements must not grow with volume or depth: {pages:?}");
        assert_eq!(few_admin, many_admin, "admin lists: {admin_pages:?}");
        // Three a page; a film's page has a fourth, its suggestions ("more like this").
        let budget = |page: &str| if page.starts_with("/movies/") { 4 } else { 3 };
        let over: Vec<(&String, &u64)> = pages
            .iter()
            .zip(&many)
            .filter(|(page, n)| **n > budget(page))
            .collect();
        assert!(over.is_empty(), "over budget: {over:?} (all: {:?})", pages.iter().zip(&many).collect::<Vec<_>>());
        app.stop().await;
    }
}

/// On SQLite a page of all posts, or of a category, is read from the covering list index alone
/// (migration 19): no post row, with its body and HTML, is read for a list; and its authors'
/// names from the `(id, username)` index (migration 23), not from the user rows. The data has
/// the benchmark's proportions (`seed --scale`), and the plan is the one a connection opened
/// after start-up's statistics makes (as each of the server's connections is within the hour:
/// `db::connect`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_post_lists_read_only_the_covering_index() {
    use marquee::services::blog::{self, Cursor, Position, PostFilter};
    let test_db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).await;
    let app = test_db.spawn().await;
    marquee::seed::seed_demo(&app.db).await.unwrap();
    marquee::seed::scale::seed_scale(&app.db, 3000, |_, _| {})
        .await
        .unwrap();
    marquee::db::optimize(&app.db, true).await.unwrap();
    let fresh = marquee::db::connect(&test_db.url, false, Some(1))
        .await
        .unwrap();
    let newest = blog::list_posts(&fresh, &PostFilter::default(), Position::Newest, 20)
        .await
        .unwrap();
    let cursor: Cursor = newest.older.expect("an older page");
    let category = <entity::category::Entity as sea_orm::EntityTrait>::find()
        .one(&fresh)
        .await
        .unwrap()
        .expect("a category");
    let in_category = PostFilter {
        category_ids: Some(vec![category.id]),
        ..Default::default()
    };
    for (filter, position) in [
        (PostFilter::default(), Position::Newest),
        (PostFilter::default(), Position::Older(cursor)),
        (PostFilter::default(), Position::Newer(cursor)),
        (in_category.clone(), Position::Newest),
        (in_category, Position::Older(cursor)),
    ] {
        let plan = sqlite_plan(
            &fresh,
            blog::list_select(sea_orm::DbBackend::Sqlite, &filter, position, 20),
        )
        .await;
        let post_step: Vec<&String> = plan.iter().filter(|step| step.contains(" post ")).collect();
        assert_eq!(post_step.len(), 1, "{filter:?} {position:?}: {plan:?}");
        assert!(
            post_step[0].contains("USING COVERING INDEX idx_post_list_covering"),
            "{filter:?} {position:?} reads post rows: {plan:?}"
        );
        assert!(
            plan.iter().any(|step| step
                .contains("SEARCH user USING COVERING INDEX idx_user_id_username_avatar (id=?)")),
            "{filter:?} {position:?} reads user rows: {plan:?}"
        );
    }
    fresh.close().await.unwrap();
    app.stop().await;
}

/// On SQLite a selection of few movies has its page's ids found and sorted in the `(theatre,
/// rating, year, rating average, title)` index alone, then reads just those movies; a wider one
/// reads its sort's index in order (`services::movies::list_select`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_a_narrow_movie_selection_reads_its_movies_through_the_filter_index() {
    use marquee::services::movies::{FEW_MOVIES, MovieFilter, MovieSort};
    let test_db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).await;
    let app = test_db.spawn().await;
    // The planner's statistics as the server has them after start-up (`db::optimize`), which
    // runs beside the first requests; without them SQLite may search the year index instead.
    marquee::db::optimize(&app.db, true).await.unwrap();
    let filters = [
        MovieFilter::default(),
        MovieFilter {
            mpa: vec![Some(MpaRating::R), None],
            theatre: Some(true),
            year_from: Some(1980),
            year_to: Some(1989),
            ..Default::default()
        },
    ];
    for filter in &filters {
        for sort in [MovieSort::Title, MovieSort::Year, MovieSort::Rating] {
            // The whole catalogue, when few, is read whole whatever the plan (a scan, the
            // year index or this one: SQLite without statistics picks any), so only a narrow
            // selection is held to the filter index.
            let narrow = *filter != MovieFilter::default();
            let plans = [
                (
                    FEW_MOVIES,
                    "COVERING INDEX idx_movie_selection_sorts (theatre=? AND <expr>=?",
                ),
                (100 * FEW_MOVIES, "idx_movie_browse_"),
            ];
            for (total, index) in plans
                .into_iter()
                .filter(|(total, _)| narrow || *total > FEW_MOVIES)
            {
                let plan = sqlite_plan(
                    &app.db,
                    movies::list_select(sea_orm::DbBackend::Sqlite, filter, sort, false, 2, total),
                )
                .await;
                assert!(
                    plan.iter().any(|step| step.contains(index)),
                    "{filter:?} {sort:?} of {total} movies: {plan:?}"
                );
            }
        }
    }
    app.stop().await;
}

/// The steps of SQLite's plan for `select` (`EXPLAIN QUERY PLAN`, with its values).
async fn sqlite_plan(
    db: &sea_orm::DatabaseConnection,
    select: impl sea_orm::QueryTrait,
) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let statement = select.build(sea_orm::DbBackend::Sqlite);
    let explain = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", statement.sql),
        statement.values.map(|v| v.0).unwrap_or_default(),
    );
    db.query_all_raw(explain)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "detail").unwrap())
        .collect()
}
