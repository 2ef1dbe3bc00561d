//! Snapshots of a few key pages (`insta`), so a change to what people see shows up in review
//! as a diff of the page. The CSRF token and every date and time are redacted; the content is
//! made here, on SQLite, so ids are the same on every run. After a deliberate change:
//! `INSTA_UPDATE=always cargo test --test app key_pages`, then read the diff and commit it.

use reqwest::StatusCode;

use crate::helpers::{
    Backend, Doc, TestApp, TestDb, comment_text, movie_input, post_input, review_input,
};

async fn fixture(app: &TestApp) {
    let ada = app.create_user("ada", "author").await;
    let grace = app.create_user("grace", "reader").await;
    let author = app.acting(ada).await;
    let reader = app.acting(grace).await;
    let admin = app.operator().await;
    let film = marquee::forms::CategoryForm {
        name: "Film".into(),
        parent_id: String::new(),
    };
    let film =
        marquee::services::blog::create_category(&app.db, &admin, None, film.parse().unwrap())
            .await
            .unwrap();
    let body = "## Why it lasts\n\nA *quiet* film about [light](https://example.com/light).";
    let post = marquee::services::blog::create_post(
        &app.db,
        &author,
        None,
        post_input(
            "Harbour lights",
            body,
            Some(film.id),
            &["film", "essay"],
            true,
        ),
    )
    .await
    .unwrap();
    marquee::services::blog::create_post(
        &app.db,
        &author,
        None,
        post_input("A draft", "Not yet.", None, &[], false),
    )
    .await
    .unwrap();
    marquee::services::blog::add_comment(
        &app.db,
        &reader,
        &post.slug,
        comment_text("Lovely & true."),
    )
    .await
    .unwrap();
    let heat = marquee::services::movies::create_movie(
        &app.db,
        &admin,
        None,
        movie_input(
            "Heat",
            1995,
            Some(entity::enums::MpaRating::R),
            false,
            &["Michael Mann"],
        ),
    )
    .await
    .unwrap();
    marquee::services::movies::create_movie(
        &app.db,
        &admin,
        None,
        movie_input(
            "Paddington 2",
            2017,
            Some(entity::enums::MpaRating::Pg),
            true,
            &["Paul King"],
        ),
    )
    .await
    .unwrap();
    marquee::services::movies::add_review(&app.db, &reader, heat.id, review_input(9, "Tense."))
        .await
        .unwrap();
}

/// The page at `path` with what changes from run to run redacted.
async fn page(app: &TestApp, path: &str) -> String {
    let (status, html) = app.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    html
}

fn snapshot(name: &str, html: &str) {
    insta::with_settings!({
        filters => vec![
            (r#"(name="csrf-token" content=|name="csrf_token" value=)"[^"]*""#, "$1\"[csrf]\""),
            (r"/static/[0-9a-f]{16}/", "/static/[hash]/"),
            (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[iso-time]"),
            (r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}(, \d{2}:\d{2} UTC)?", "[date]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, html);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_pages_look_as_they_did() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    fixture(&app).await;

    let home = page(&app, "/").await;
    let doc = Doc::parse(&home);
    assert_eq!(
        doc.texts(".post-title a"),
        ["Harbour lights"],
        "the draft is not listed"
    );
    snapshot("home", &home);

    let post = page(&app, "/posts/harbour-lights").await;
    let doc = Doc::parse(&post);
    assert_eq!(doc.text("h1"), "Harbour lights");
    assert_eq!(doc.texts(".comment-body"), ["Lovely & true."]);
    assert_eq!(
        doc.attrs("article a[href^='https://']", "href"),
        ["https://example.com/light"]
    );
    snapshot("post", &post);

    let movies = page(&app, "/movies?sort=rating").await;
    let doc = Doc::parse(&movies);
    assert_eq!(doc.count("a[href='/movies/1']"), 1, "{movies}");
    snapshot("movie_list", &movies);

    snapshot("movie", &page(&app, "/movies/1").await);
    app.stop().await;
}
