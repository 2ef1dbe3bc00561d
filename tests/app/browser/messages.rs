//! Two members write to each other: mira opens noor's profile and sends a message; noor sees
//! the unread count in the navigation, reads and answers; mira is notified of the answer,
//! follows the notification to it (reading it reads the notification) and chooses how replies reach her. Every page is checked by axe and the Nu checker like every journey's; the
//! conversation is shot at desktop and phone widths.

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
async fn a_member_writes_to_another_and_is_notified_of_the_answer() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    app.create_user("mira", "reader").await;
    app.create_user("noor", "reader").await;
    let browser = Browser::start().await;
    super::log_in(&browser, &app, "mira").await;

    browser.goto(&app.url("/users/noor")).await;
    browser
        .click(".profile-actions a[href^='/messages/new']")
        .await;
    browser.wait_for_text("New conversation").await;
    assert_eq!(browser.texts("#to").await.len(), 1);
    browser.fill("#subject", "Film club").await;
    browser
        .fill("#body", "Would you like to join our *film club*?")
        .await;
    browser
        .click("form[action='/messages'] button[type=submit]")
        .await;
    browser.wait_for_text("Your message is sent.").await;
    super::log_out(&browser).await;

    super::log_in(&browser, &app, "noor").await;
    let badge = browser.texts(".nav-messages .unread-count").await;
    assert!(
        badge.first().is_some_and(|b| b.starts_with('1')),
        "{badge:?}"
    );
    browser.click(".nav-messages").await;
    browser.wait_for_text("Film club").await;
    browser.screenshot("conversations").await;
    browser.click(".conversation h2 a").await;
    browser.wait_for_text("Would you like to join").await;
    assert!(
        browser
            .texts(".nav-messages .unread-count")
            .await
            .is_empty(),
        "read by opening it"
    );
    browser.fill("#body", "Gladly — Friday suits me.").await;
    browser.click("#reply button[type=submit]").await;
    browser.wait_for_text("Your message is sent.").await;
    super::log_out(&browser).await;

    super::log_in(&browser, &app, "mira").await;
    let badge = browser.texts(".nav-notifications .unread-count").await;
    assert!(
        badge.first().is_some_and(|b| b.starts_with('1')),
        "{badge:?}"
    );
    browser.click(".nav-notifications").await;
    browser
        .wait_for_text("noor wrote to you in “Film club”")
        .await;
    browser.screenshot("notifications").await;
    browser.click(".notification.unread p a").await;
    browser.wait_for_text("Gladly").await;
    assert_eq!(browser.texts(".message").await.len(), 2);
    // Reading the conversation read its notification.
    assert!(
        browser
            .texts(".nav-notifications .unread-count")
            .await
            .is_empty()
    );
    browser.goto(&app.url("/notifications")).await;
    assert!(browser.texts(".notification.unread").await.is_empty());
    browser.goto(&app.url("/settings/notifications")).await;
    browser
        .click("input[name=comment_reply][value=digest]")
        .await;
    browser
        .click("form[action='/settings/notifications'] button[type=submit]")
        .await;
    browser
        .wait_for_text("Your notification settings are saved.")
        .await;
    browser.screenshot("notification-settings").await;
    browser.goto(&app.url("/messages")).await;
    browser.click(".conversation h2 a").await;
    browser.wait_for_text("Gladly").await;
    browser.screenshot("conversation").await;
    browser.resize(390, 900).await;
    browser.screenshot("conversation-phone").await;
    assert!(!browser.scrolls_sideways().await);
    // A wide table scrolls inside its box on a phone, its hidden column label with it.
    browser.goto(&app.url("/settings/sessions")).await;
    assert!(!browser.scrolls_sideways().await);

    browser.quit().await;
    app.stop().await;
}
