//! A visitor finds their way: the tags from the post list, the people from the catalogue, and
//! a member by name from the navigation. Every page is checked by axe and the Nu checker like
//! every journey's; the members' page is shot at desktop and phone widths.

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
async fn a_visitor_finds_tags_people_and_members() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/posts")).await;
    browser.click(".sub-nav a[href='/tags']").await;
    browser.wait_for_text("Tags").await;
    assert!(!browser.texts(".tag-cloud .tag").await.is_empty());
    browser.goto(&app.url("/movies")).await;
    browser.click(".sub-nav a[href='/people']").await;
    browser.wait_for_text("Everyone credited").await;
    assert!(!browser.texts(".directory li").await.is_empty());
    browser.click("nav a[href='/members']").await;
    browser.wait_for_text("Everyone taking part").await;
    browser.fill("#q", "ad").await;
    browser.click("form.search button").await;
    browser.wait_for_text("matching “ad”").await;
    assert!(
        browser
            .texts(".directory li a")
            .await
            .contains(&"ada".to_owned())
    );
    browser.screenshot("members").await;
    browser.resize(390, 900).await;
    browser.screenshot("members-phone").await;
    browser.resize(1280, 900).await;

    browser.quit().await;
    app.stop().await;
}
