//! A member keeps a watchlist and follows a suggestion: they put one film on their list as
//! wanted and another as seen on a day, find "For you" on the home page with its reason, open
//! the film it suggests, and make their list public. Every page is checked by axe and the Nu
//! checker like every journey's; the list is shot at desktop and phone widths.

use entity::movie;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::driver::*;
use crate::helpers::{Backend, TestDb, review_input};

async fn film(db: &sea_orm::DatabaseConnection, title: &str) -> i32 {
    movie::Entity::find()
        .filter(movie::Column::Title.eq(title))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[cfg_attr(
    all(marquee_browser, not(marquee_checkers)),
    ignore = "no markup and accessibility checkers: set MARQUEE_VNU_JAR and MARQUEE_AXE_JS (.ci/run installs vnu-jar and axe-core)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_keeps_a_watchlist_and_follows_a_suggestion_with_its_reason() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    let mira = app.create_user("mira", "reader").await;
    let spirited = film(&app.db, "Spirited Away").await;
    marquee::services::movies::add_review(
        &app.db,
        &app.acting(mira).await,
        spirited,
        review_input(9, "Still moves me."),
    )
    .await
    .unwrap();
    let parasite = film(&app.db, "Parasite").await;
    let inception = film(&app.db, "Inception").await;
    let browser = Browser::start().await;
    super::log_in(&browser, &app, "mira").await;

    browser.goto(&app.url(&format!("/movies/{parasite}"))).await;
    browser
        .click("#watchlist form:not(.seen-form) button.button")
        .await;
    browser.wait_for_text("Added to your watchlist.").await;
    browser
        .goto(&app.url(&format!("/movies/{inception}")))
        .await;
    browser.set_value("#seen_on", "2024-05-01").await;
    browser.click(".seen-form button").await;
    browser
        .wait_for_text("Marked as seen on your watchlist.")
        .await;
    assert!(
        browser.texts("#watchlist .watch-state").await[0].starts_with("You saw it on 1 May 2024")
    );
    browser.screenshot("watch-seen").await;

    browser.goto(&app.url("/")).await;
    browser.wait_for_text("For you").await;
    let reasons = browser.texts("#for-you .reason").await;
    assert_eq!(
        reasons.first().map(String::as_str),
        Some("Same director as Spirited Away, which you rated 9"),
        "{reasons:?}"
    );
    assert!(
        !browser
            .texts("#for-you h3 a")
            .await
            .contains(&"Inception".to_owned()),
        "never a film already seen"
    );
    browser.screenshot("for-you").await;
    browser.click("#for-you .suggestion h3 a").await;
    browser.wait_for_text("Reviews").await;
    assert!(browser.current_url().await.contains("/movies/"));

    browser.goto(&app.url("/users/mira/watchlist")).await;
    assert_eq!(
        browser.texts(".watch-entry h2 a").await,
        ["Inception", "Parasite"]
    );
    browser.click(".visibility button").await;
    browser.wait_for_text("Your watchlist is public").await;
    browser.screenshot("watchlist").await;
    browser.resize(390, 900).await;
    browser.screenshot("watchlist-phone").await;

    browser.quit().await;
    app.stop().await;
}
