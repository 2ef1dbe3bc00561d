//! An administrator's journey through the role tools in Chromium: a role that includes
//! another, a week-long grant to a moderator, a bulk change previewed then confirmed, a role
//! reverted from its history, and a post's edit read as a text diff and reverted. Every page is checked by axe and the Nu checker like every
//! journey's, and shot at desktop and phone widths.

use entity::enums::Permission;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::driver::*;
use super::log_in;
use crate::helpers::{Backend, TestDb};

async fn role_id(db: &sea_orm::DatabaseConnection, name: &str) -> i32 {
    entity::role::Entity::find_by_name(name)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn has(db: &sea_orm::DatabaseConnection, role: i32, permission: Permission) -> bool {
    entity::role_permission::Entity::find()
        .filter(entity::role_permission::Column::RoleId.eq(role))
        .filter(entity::role_permission::Column::Permission.eq(permission))
        .one(db)
        .await
        .unwrap()
        .is_some()
}

/// The first button of the form posting to `action`: on a preview, "Confirm and save".
fn confirm(action: &str) -> String {
    format!("form[action='{action}'] button[type=submit]")
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
async fn an_administrator_builds_a_role_grants_for_a_week_previews_a_bulk_change_and_reverts() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    let boss = app.create_user("boss", "admin").await;
    let moe = app.create_user("moe", "moderator").await;
    let ann = app.create_user("ann", "reader").await;
    let bob = app.create_user("bob", "reader").await;
    let reader = role_id(&app.db, "reader").await;
    let browser = Browser::start().await;
    log_in(&browser, &app, "boss").await;

    // A role that includes the reader role, previewed first.
    browser.goto(&app.url("/admin/roles/new")).await;
    browser.fill("#name", "critic").await;
    browser
        .click("input[name=permissions][value=manage_movies]")
        .await;
    browser
        .click(&format!("input[name=includes][value='{reader}']"))
        .await;
    browser.click(&confirm("/admin/roles/new")).await;
    browser
        .wait_for_text("No account gains or loses a permission.")
        .await;
    browser.click(&confirm("/admin/roles/new")).await;
    browser.wait_for_text("Role “critic” created.").await;
    browser.screenshot("admin-roles-with-inclusion").await;
    let critic = role_id(&app.db, "critic").await;

    // The moderator gets "Manage users" for a week.
    let until = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let overrides = format!("/admin/users/{moe}/overrides");
    browser.goto(&app.url(&format!("/admin/users/{moe}"))).await;
    browser
        .click("#permission option[value=manage_users]")
        .await;
    browser.fill("#reason", "Covers the festival week").await;
    browser.set_value("#expires_on", &until).await;
    browser.click(&confirm(&overrides)).await;
    browser.wait_for_text("1 account changes.").await;
    browser.screenshot("admin-override-preview").await;
    browser.click(&confirm(&overrides)).await;
    browser
        .wait_for_text("“Manage users” is granted for this account.")
        .await;
    browser.wait_for_text("Covers the festival week").await;

    // Ann and Bob move to the new role at once: previewed (also on a phone), then confirmed.
    browser.goto(&app.url("/admin/users")).await;
    browser
        .click(&format!("input[name=users][value='{ann}']"))
        .await;
    browser
        .click(&format!("input[name=users][value='{bob}']"))
        .await;
    browser
        .click("select[name=action] option[value=set_role]")
        .await;
    browser
        .click(&format!("select[name=role_id] option[value='{critic}']"))
        .await;
    browser.click(".bulk-actions button[type=submit]").await;
    browser.wait_for_text("2 accounts change.").await;
    browser.screenshot("admin-bulk-preview").await;
    browser.resize(390, 900).await;
    browser.screenshot("admin-bulk-preview-phone").await;
    // A staff member's menu is the longest: on a phone it wraps instead of widening the page.
    assert!(!browser.scrolls_sideways().await);
    browser.resize(1280, 900).await;
    browser.click(&confirm("/admin/users/bulk")).await;
    browser.wait_for_text("2 account(s) changed.").await;
    let moved = entity::user::Entity::find_by_id(ann)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.role_id, critic);

    // The role loses "Manage movies", then is reverted to the version that had it.
    let edit = format!("/admin/roles/{critic}/edit");
    browser.goto(&app.url(&edit)).await;
    browser
        .click("input[name=permissions][value=manage_movies]")
        .await;
    browser.click(&confirm(&edit)).await;
    browser.wait_for_text("2 accounts change.").await;
    browser.click(&confirm(&edit)).await;
    browser.wait_for_text("Role “critic” saved.").await;
    assert!(!has(&app.db, critic, Permission::ManageMovies).await);
    browser
        .goto(&app.url(&format!("/admin/roles/{critic}/history")))
        .await;
    browser.screenshot("admin-role-history").await;
    browser.resize(390, 900).await;
    browser.screenshot("admin-role-history-phone").await;
    browser.resize(1280, 900).await;
    browser
        .click("form[action$='/revert'] button[type=submit]")
        .await;
    browser
        .wait_for_text("Revert the role to this version?")
        .await;
    let revert = browser.current_url().await;
    let path = revert.trim_start_matches(&app.url(""));
    browser.click(&confirm(path)).await;
    browser.wait_for_text("Role “critic” reverted.").await;
    assert!(has(&app.db, critic, Permission::ManageMovies).await);

    // A post edited in the form, its history read as a text diff, and the edit reverted.
    let essay: String = (1..=12)
        .map(|n| format!("Paragraph {n} of the essay.\n\n"))
        .collect();
    let post = {
        let author = app.acting(boss).await;
        let input = crate::helpers::post_input("Harbour lights", &essay, None, &["film"], true);
        marquee::services::blog::create_post(&app.db, &author, None, input)
            .await
            .unwrap()
    };
    let edit = format!("/posts/{}/edit", post.slug);
    browser.goto(&app.url(&edit)).await;
    browser
        .fill(
            "#body",
            &essay.replace("Paragraph 7 of", "Paragraph seven, rewritten, of"),
        )
        .await;
    browser.click(&confirm(&edit)).await;
    browser.wait_for_text("Harbour lights").await;
    browser
        .goto(&app.url(&format!("/posts/{}/history", post.slug)))
        .await;
    browser
        .wait_for_text("Paragraph seven, rewritten, of the essay.")
        .await;
    browser.screenshot("post-history").await;
    browser.resize(390, 900).await;
    browser.screenshot("post-history-phone").await;
    browser.resize(1280, 900).await;
    browser
        .click("form[action$='/revert'] button[type=submit]")
        .await;
    browser
        .wait_for_text("Post reverted to the earlier version.")
        .await;
    let restored = entity::post::Entity::find_by_id(post.id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(restored.body, essay.trim_end());

    browser.quit().await;
    app.stop().await;
}
