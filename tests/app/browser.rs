//! A real Chromium, driven through WebDriver (`chromedriver`, by `fantoccini`), against the
//! spawned app. Every page a journey visits is also checked: by axe (accessibility, in the
//! browser) as soon as it is shown, and by the Nu HTML checker (`vnu.jar`, run once over all the
//! pages at the end of the journey). Any error from either fails the test.
//!
//! Needs Debian's `chromium` and `chromium-driver`, Java, and the npm packages `vnu-jar` and
//! `axe-core` named by `MARQUEE_VNU_JAR` and `MARQUEE_AXE_JS`; `.ci/run` installs them all and
//! sets both. Where any is missing when the tests are built, the journeys are listed as
//! ignored with the reason: a journey never passes with its checks skipped.
//! Screenshots go to `target/screenshots/`.

use serde_json::json;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{Backend, TestDb};

mod admin;
mod directories;
mod driver;
mod messages;
mod pictures;
mod search;
mod watchlist;
use driver::*;

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[cfg_attr(
    all(marquee_browser, not(marquee_checkers)),
    ignore = "no markup and accessibility checkers: set MARQUEE_VNU_JAR and MARQUEE_AXE_JS (.ci/run installs vnu-jar and axe-core)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_opens_the_home_page_in_chromium_and_sees_the_navigation() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;

    assert_eq!(browser.title().await, "Home · Marquee");
    let nav = browser.texts("nav .nav-links a").await;
    assert_eq!(nav, ["Home", "Posts", "Movies", "Groups", "Members"]);
    let posts = browser.texts(".post-card .post-title").await;
    assert!(!posts.is_empty(), "published posts are listed");
    let shot = browser.screenshot("home").await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );

    browser.goto(&app.url("/no-such-page")).await;
    assert_eq!(browser.title().await, "Page not found · Marquee");
    browser.click(".error-page a.button").await;
    browser.wait_for_url(&app.url("/")).await;
    browser.screenshot("not-found-then-home").await;

    browser.quit().await;
    app.stop().await;
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
async fn a_new_member_gains_a_capability_when_an_admin_gives_them_a_new_role() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.create_user("boss", "admin").await;
    let browser = Browser::start().await;
    let password = crate::helpers::PASSWORD;

    // A visitor signs up through the form (a first attempt with a short password fails).
    browser.goto(&app.url("/register")).await;
    browser.fill("#username", "Juno").await;
    browser.fill("#email", "juno@example.test").await;
    browser.fill("#password", "short").await;
    browser.fill("#password_confirm", "short").await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    browser.wait_for_text("Use at least 10 characters.").await;
    browser.screenshot("register-errors").await;
    browser.fill("#password", password).await;
    browser.fill("#password_confirm", password).await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    browser.wait_for_url(&app.url("/users/juno")).await;
    browser.wait_for_text("Welcome to Marquee, juno!").await;
    // Juno confirms her address (the mail journey below does it through the mailed link).
    entity::user::Entity::update_many()
        .col_expr(
            entity::user::Column::EmailVerifiedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(entity::user::Column::Username.eq("juno"))
        .exec(&app.db)
        .await
        .unwrap();
    assert!(
        !browser
            .texts("nav .nav-links a")
            .await
            .contains(&"Admin".to_owned())
    );
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // The admin logs in, creates a role with chosen permissions and assigns it.
    browser.goto(&app.url("/login")).await;
    browser.fill("#login", "boss").await;
    browser.fill("#password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back, boss.").await;
    browser.goto(&app.url("/admin/roles/new")).await;
    browser.fill("#name", "curator").await;
    browser
        .fill("#description", "Looks after the member list")
        .await;
    browser
        .click("input[name=permissions][value=manage_users]")
        .await;
    browser
        .click("input[name=permissions][value=comment]")
        .await;
    browser.screenshot("admin-role-form").await;
    browser
        .click("form[action='/admin/roles/new'] button[type=submit]")
        .await;
    // Every admin change is previewed first; the first button confirms it.
    browser
        .wait_for_text("No account gains or loses a permission.")
        .await;
    browser
        .click("form[action='/admin/roles/new'] button[type=submit]")
        .await;
    browser.wait_for_text("Role “curator” created.").await;
    browser.wait_for_url(&app.url("/admin/roles")).await;
    browser.screenshot("admin-roles").await;

    let juno = entity::user::Entity::find_by_username("juno")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let curator = entity::role::Entity::find_by_name("curator")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    browser
        .goto(&app.url(&format!("/admin/users/{}", juno.id)))
        .await;
    browser
        .click(&format!("#role_id option[value='{}']", curator.id))
        .await;
    browser
        .click(&format!(
            "form[action='/admin/users/{}'] button[type=submit]",
            juno.id
        ))
        .await;
    browser.wait_for_text("1 account changes").await;
    browser.screenshot("admin-user-preview").await;
    browser
        .click(&format!(
            "form[action='/admin/users/{}'] button[type=submit]",
            juno.id
        ))
        .await;
    browser.wait_for_text("juno is saved.").await;
    browser.screenshot("admin-users").await;
    browser.goto(&app.url("/admin")).await;
    browser.screenshot("admin-dashboard").await;
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // The member logs in again and now has the admin area's user list.
    browser.goto(&app.url("/login")).await;
    browser.fill("#login", "juno@example.test").await;
    browser.fill("#password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back, juno.").await;
    assert!(
        browser
            .texts("nav .nav-links a")
            .await
            .contains(&"Admin".to_owned())
    );
    browser.goto(&app.url("/admin/users")).await;
    browser.wait_for_text("boss").await;
    let subnav = browser.texts(".subnav a").await;
    assert!(subnav.contains(&"Users".to_owned()) && !subnav.contains(&"Roles".to_owned()));
    browser.screenshot("member-admin-users").await;

    browser.quit().await;
    app.stop().await;
}

async fn log_in(browser: &Browser, app: &crate::helpers::TestApp, login: &str) {
    browser.goto(&app.url("/login")).await;
    browser.fill("#login", login).await;
    browser.fill("#password", crate::helpers::PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back").await;
}

async fn log_out(browser: &Browser) {
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;
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
async fn an_author_posts_a_reader_comments_and_a_moderator_hides_the_comment() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    app.create_user("writer", "author").await;
    app.create_user("viewer", "reader").await;
    app.create_user("warden", "moderator").await;
    let rust = entity::category::Entity::find_by_slug("rust")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let browser = Browser::start().await;

    // The author writes a post with a category and tags.
    log_in(&browser, &app, "writer").await;
    browser.click("a[href='/posts/new']").await;
    browser.wait_for_text("Write a post").await;
    browser.fill("#title", "Borrow checker diaries").await;
    browser
        .fill("#body", "## Day one\n\nThe compiler is **always** right.")
        .await;
    browser
        .click(&format!("#category_id option[value='{}']", rust.id))
        .await;
    browser.fill("#tags", "rust, learning").await;
    browser.click("#status option[value='published']").await;
    browser.screenshot("post-form").await;
    browser
        .click("form[action='/posts/new'] button[type=submit]")
        .await;
    browser.wait_for_text("Your post is published.").await;
    browser
        .wait_for_url(&app.url("/posts/borrow-checker-diaries"))
        .await;
    let tags = browser.texts(".post header .tag").await;
    assert_eq!(tags, ["#learning", "#rust"]);
    log_out(&browser).await;

    // A reader finds it in its category and comments.
    log_in(&browser, &app, "viewer").await;
    browser.goto(&app.url("/categories/programming")).await;
    browser.wait_for_text("Borrow checker diaries").await;
    browser.screenshot("category-page").await;
    browser
        .click("a[href='/posts/borrow-checker-diaries']")
        .await;
    browser.wait_for_text("Day one").await;
    browser
        .fill("#body", "Wait until you meet lifetimes.")
        .await;
    browser.click("form.comment-form button[type=submit]").await;
    browser.wait_for_text("Your comment is posted.").await;
    browser
        .wait_for_text("Wait until you meet lifetimes.")
        .await;
    browser.screenshot("post-with-comment").await;
    log_out(&browser).await;

    // A moderator hides it from the moderation queue.
    log_in(&browser, &app, "warden").await;
    browser.click("nav a[href='/moderation']").await;
    browser
        .wait_for_text("Wait until you meet lifetimes.")
        .await;
    browser.screenshot("moderation").await;
    browser
        .click("ol.comment-list li:first-child form button")
        .await;
    browser.wait_for_text("Comment hidden.").await;
    log_out(&browser).await;

    // The reader no longer sees it.
    log_in(&browser, &app, "viewer").await;
    browser
        .goto(&app.url("/posts/borrow-checker-diaries"))
        .await;
    browser.wait_for_text("No comments yet.").await;
    let comments = browser.texts(".comment-body").await;
    assert!(comments.is_empty(), "{comments:?}");

    browser.quit().await;
    app.stop().await;
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
async fn a_member_filters_the_catalogue_opens_a_movie_and_reviews_it() {
    use marquee::seed::data::MOVIES;
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    app.create_user("critic", "reader").await;
    let browser = Browser::start().await;
    log_in(&browser, &app, "critic").await;

    // Pick a rating and decade the demo catalogue has, then expect exactly those movies.
    let target = MOVIES
        .iter()
        .find(|m| m.mpa == Some("PG") && m.year < 2000)
        .expect("a PG movie before 2000");
    let decade = target.year / 10 * 10;
    let mut expected: Vec<&str> = MOVIES
        .iter()
        .filter(|m| m.mpa == Some("PG") && m.year / 10 * 10 == decade)
        .map(|m| m.title)
        .collect();
    expected.sort_unstable();

    browser.goto(&app.url("/movies")).await;
    browser
        .click("#facet-mpa a[href*='mpa=PG']:not([href*='PG-13'])")
        .await;
    browser
        .wait_for_text(&format!(
            "{} movie",
            MOVIES.iter().filter(|m| m.mpa == Some("PG")).count()
        ))
        .await;
    browser
        .click(&format!("#facet-decade a[href*='year_from={decade}']"))
        .await;
    browser
        .wait_for_text(&format!("{} movie", expected.len()))
        .await;
    assert!(
        browser
            .current_url()
            .await
            .contains(&format!("year_from={decade}")),
        "the filter lives in the URL"
    );
    let mut shown = browser.texts(".movie-grid .movie-title a").await;
    shown.sort_unstable();
    assert_eq!(shown, expected);
    browser.screenshot("movies-filtered").await;

    // Open the movie and review it; the average follows.
    browser
        .click(".movie-grid a[href^='/movies/']:not([href*='?'])")
        .await;
    browser.wait_for_text("Directed by").await;
    let before = browser.texts("#average").await.concat();
    browser.click("#rating option[value='1']").await;
    browser.fill("#body", "Not for me, I am afraid.").await;
    browser.click("form.review-form button[type=submit]").await;
    browser
        .wait_for_text("Thank you: your review is posted.")
        .await;
    let after = browser.texts("#average").await.concat();
    assert_ne!(before, after, "the average and count change");
    assert!(after.contains("review"), "{after}");
    browser.wait_for_text("Not for me, I am afraid.").await;
    browser.screenshot("movie-reviewed").await;

    browser.quit().await;
    app.stop().await;
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
async fn an_author_makes_a_token_writes_through_the_api_and_revokes_it() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.create_user("scripter", "author").await;
    let browser = Browser::start().await;
    log_in(&browser, &app, "scripter").await;

    // From the profile to the token page; only the author's own permissions are offered.
    browser.goto(&app.url("/users/scripter")).await;
    browser.click("a[href='/settings/tokens']").await;
    browser.wait_for_text("Personal access tokens").await;
    let offered = browser.texts("input[name=scopes] + span").await;
    assert_eq!(
        offered,
        ["Comment on posts", "Write posts", "Review movies"]
    );
    browser.fill("#name", "release script").await;
    browser.click("input[name=scopes][value=write_posts]").await;
    browser
        .click("form[action='/settings/tokens'] button")
        .await;
    browser.wait_for_text("Copy it now").await;
    let secret = browser.texts("code.secret").await.concat();
    assert!(secret.starts_with("mqt_"), "{secret}");
    browser.screenshot("token-created").await;

    // The script writes a post with it; the site shows it.
    let client = reqwest::Client::new();
    let created = client
        .post(app.url("/api/v1/posts"))
        .bearer_auth(&secret)
        .json(&json!({ "title": "Released", "body": "Version 2 is out.", "status": "published" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    browser.goto(&app.url("/posts/released")).await;
    browser.wait_for_text("Version 2 is out.").await;

    // Revoked from the page, the token stops working.
    browser.goto(&app.url("/settings/tokens")).await;
    assert!(
        !browser.texts("main").await.concat().contains(&secret),
        "the secret is not shown again"
    );
    browser.click("form[action$='/revoke'] button").await;
    browser.wait_for_text("is revoked").await;
    let refused = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);

    // The reference page, generated from the OpenAPI document.
    browser.goto(&app.url("/docs/api")).await;
    browser.wait_for_text("Marquee API").await;
    assert!(
        browser
            .texts(".api-operation h3")
            .await
            .contains(&"POST /api/v1/posts".to_owned())
    );
    browser.screenshot("api-reference").await;

    browser.quit().await;
    app.stop().await;
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
async fn a_new_member_confirms_their_address_forgets_their_password_and_resets_it() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let sink = crate::accounts::mail::MailSink::start();
    let app = sink.app(&test_db).await;
    let browser = Browser::start().await;
    let password = crate::helpers::PASSWORD;

    // Signing up: in, but reminded to confirm the address.
    browser.goto(&app.url("/register")).await;
    browser.fill("#username", "mira").await;
    browser.fill("#email", "mira@example.test").await;
    browser.fill("#password", password).await;
    browser.fill("#password_confirm", password).await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    browser.wait_for_text("We have mailed you a link").await;
    browser.wait_for_text("Send the link again").await;
    browser.screenshot("unconfirmed-member").await;

    // The link from the mail, then its button.
    let mail = sink
        .wait_for("mira@example.test", "Confirm your email")
        .await;
    browser.goto(&app.url(&mail.link(&app))).await;
    browser.wait_for_text("Confirm your email address").await;
    browser.screenshot("confirm-address").await;
    browser
        .click("form[action^='/account/'] button[type=submit]")
        .await;
    browser.wait_for_text("Your address is confirmed").await;
    assert!(
        !browser
            .texts("main")
            .await
            .concat()
            .contains("Send the link again")
    );
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // Forgot the password: from the login page, by address.
    browser.goto(&app.url("/login")).await;
    browser.click("a[href='/password/forgot']").await;
    browser.wait_for_text("Forgot your password?").await;
    browser.fill("#email", "mira@example.test").await;
    browser.screenshot("forgot-password").await;
    browser
        .click("form[action='/password/forgot'] button[type=submit]")
        .await;
    browser
        .wait_for_text("If an account uses that address")
        .await;
    let mail = sink
        .wait_for("mira@example.test", "Reset your Marquee password")
        .await;
    browser.goto(&app.url(&mail.link(&app))).await;
    browser.wait_for_text("Choose a new password").await;
    let new_password = "a much better secret 2026";
    browser.fill("#password", new_password).await;
    browser.fill("#password_confirm", new_password).await;
    browser.screenshot("reset-password").await;
    browser
        .click("form[action^='/account/'] button[type=submit]")
        .await;
    browser.wait_for_text("Your new password is set").await;

    // Signing in with the new password.
    browser.fill("#login", "mira").await;
    browser.fill("#password", new_password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back, mira.").await;

    browser.quit().await;
    app.stop().await;
}

/// The checker the journeys rely on does fail on broken markup (and names the page).
#[cfg_attr(
    not(marquee_checkers),
    ignore = "no Nu HTML checker: set MARQUEE_VNU_JAR (.ci/run installs vnu-jar)"
)]
#[test]
fn the_nu_checker_reports_broken_markup() {
    let broken = "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div>x</div><time datetime=\"2026-11-21T10:00:00.123456789+00:00\">now</time></body></html>";
    let fine =
        "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p>x</p></body></html>";
    let errors = nu_errors(&[
        ("/broken".into(), broken.into()),
        ("/fine".into(), fine.into()),
    ]);
    assert!(!errors.is_empty(), "the broken page has errors");
    assert!(
        errors.iter().all(|e| e.starts_with("/broken")),
        "{errors:?}"
    );
}
