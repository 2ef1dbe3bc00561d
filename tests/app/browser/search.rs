//! A visitor searches from the navigation for a director, finds their films and them, opens
//! the person's page, then narrows a misspelt search to movies, follows "did you mean" and
//! opens the film.
//! Then, signed in, they reply to a comment (previewing the reply first) and edit the reply.
//! Every page is checked by axe and the Nu checker like every journey's; the results are shot
//! at desktop and phone widths.

use super::driver::*;
use crate::helpers::{Backend, TestDb};

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[cfg_attr(
    all(marquee_browser, not(marquee_checkers)),
    ignore = "no markup and accessibility checkers: set MARQUEE_VNU_JAR and MARQUEE_AXE_JS (.ci/run installs vnu-jar and axe-core)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_searches_for_a_director_and_follows_a_suggestion() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;
    browser.fill(".nav-search input", "nolan\u{E007}").await; // and Enter
    browser.wait_for_text("Christopher Nolan").await;
    let movies = browser.texts("#found-movies + ol .search-title").await;
    assert!(movies.contains(&"Inception".to_owned()), "{movies:?}");
    assert_eq!(
        browser.texts("mark").await.first().map(String::as_str),
        Some("Nolan")
    );
    browser.screenshot("search").await;
    browser.resize(390, 900).await;
    browser.screenshot("search-phone").await;
    browser.resize(1280, 900).await;
    browser.click("#found-people + ol .search-title").await;
    browser.wait_for_text("Inception").await;
    assert!(browser.current_url().await.contains("/people/"));

    browser.goto(&app.url("/search?q=incepton")).await;
    browser.click(".tabs a[href$='kind=movies']").await;
    browser.wait_for_text("Did you mean").await;
    browser.click(".suggestion a").await;
    browser.wait_for_text("A thief who steals secrets").await;
    assert_eq!(
        browser.texts("#found-movies + ol .search-title").await,
        ["Inception"]
    );
    assert!(browser.current_url().await.contains("kind=movies"));
    browser.click("#found-movies + ol .search-title").await;
    browser.wait_for_text("Reviews").await;
    assert!(
        browser.current_url().await.contains("/movies/"),
        "the film's page"
    );

    // Signed in: reply to a demo comment with a preview first, then edit the reply.
    use sea_orm::{EntityTrait, QueryOrder};
    app.create_user("mira", "reader").await;
    super::log_in(&browser, &app, "mira").await;
    let answered = entity::comment::Entity::find()
        .order_by_asc(entity::comment::Column::Id)
        .find_also_related(entity::post::Entity)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let (comment, post) = (answered.0, answered.1.unwrap());
    browser
        .goto(&app.url(&format!("/posts/{}", post.slug)))
        .await;
    browser
        .click(&format!("#comment-{} .comment-reply-link", comment.id))
        .await;
    browser.wait_for_text("Your reply").await;
    browser.fill("#body", "I *agree*, mostly.").await;
    browser.click("button[name=preview]").await;
    browser.wait_for_text("not posted yet").await;
    assert_eq!(browser.texts(".preview em").await, ["agree"]);
    browser.screenshot("reply-preview").await;
    browser
        .click("form[action$='/reply'] button[type=submit]:not([name])")
        .await;
    browser.wait_for_text("Your reply is posted.").await;
    let replies = browser.texts(".comment-reply .comment-body").await;
    assert!(replies.iter().any(|r| r.contains("agree")), "{replies:?}");
    browser.click(".comment-reply .comment-edit").await;
    browser.wait_for_text("Edit your comment").await;
    browser.fill("#body", "I *agree*, entirely.").await;
    browser
        .click("form[action$='/edit'] button[type=submit]:not([name])")
        .await;
    browser.wait_for_text("Your comment is saved.").await;
    let replies = browser.texts(".comment-reply").await;
    assert!(
        replies
            .iter()
            .any(|r| r.contains("entirely") && r.contains("edited")),
        "{replies:?}"
    );
    browser.screenshot("reply-edited").await;
    browser.resize(390, 900).await;
    browser.screenshot("reply-edited-phone").await;

    browser.quit().await;
    app.stop().await;
}
