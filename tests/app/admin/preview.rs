//! Seeing an admin change before it is saved: the preview lists every account whose
//! permissions change and saves nothing; confirming saves exactly what was shown; a
//! confirmation that comes after something else changed saves nothing and shows the new
//! preview. Through the pages and through the API.

use entity::audit_log;
use entity::enums::Permission;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{permissions_of, role_id};
use crate::helpers::{PASSWORD, preview_digest};

async fn role_updates(db: &sea_orm::DatabaseConnection) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("role.update"))
        .count(db)
        .await
        .unwrap()
}

/// The version an edit form carries (its hidden `version` field).
fn form_version(html: &str) -> String {
    let field = "name=\"version\" value=\"";
    let start = html.find(field).expect("a version field") + field.len();
    html[start..].split('"').next().unwrap().to_owned()
}

backend_tests! {
    async fn a_role_form_opened_before_someone_elses_change_saves_nothing_and_shows_theirs(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("ann", "admin").await;
        app.create_user("bob", "admin").await;
        let (ann, bob) = (app.visitor(), app.visitor());
        ann.login_ok("ann", PASSWORD).await;
        bob.login_ok("bob", PASSWORD).await;
        let reader = role_id(&app.db, "reader").await;
        let edit = format!("/admin/roles/{reader}/edit");
        let opened = form_version(&ann.get_html(&edit).await.1);

        // Bob adds "Write posts" first.
        let theirs = form_version(&bob.get_html(&edit).await.1);
        let saved = bob.post_confirmed(&edit, &[
            ("name", "reader"), ("is_default", "on"), ("permissions", "comment"),
            ("permissions", "review_movies"), ("permissions", "write_posts"), ("version", &theirs),
        ]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        // Ann, from the form she opened before, adds "Manage movies": nothing is saved, and
        // Bob's version is shown beside her choices.
        let mine = [
            ("name", "reader"), ("is_default", "on"), ("permissions", "comment"),
            ("permissions", "review_movies"), ("permissions", "manage_movies"),
        ];
        let mut stale = mine.to_vec();
        stale.push(("version", &opened));
        let response = ann.post(&edit, &stale).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let page = response.text().await.unwrap();
        assert!(page.contains("someone else changed this role") && page.contains("Write posts"), "{page}");
        assert!(page.contains(r#"value="manage_movies" checked"#), "her choices are kept: {page}");
        let held = permissions_of(&app.db, reader).await;
        assert!(held.contains(&Permission::WritePosts) && !held.contains(&Permission::ManageMovies));

        // Saving again from that page replaces Bob's version, knowingly, through the preview.
        let current = form_version(&page);
        assert_ne!(current, opened);
        let mut again = mine.to_vec();
        again.push(("version", &current));
        let saved = ann.post_confirmed(&edit, &again).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let held = permissions_of(&app.db, reader).await;
        assert!(held.contains(&Permission::ManageMovies) && !held.contains(&Permission::WritePosts));
        app.stop().await;
    }

    async fn a_role_change_is_shown_before_it_is_saved_and_a_stale_confirmation_saves_nothing(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        app.create_user("ada", "reader").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let reader = role_id(&app.db, "reader").await;
        let path = format!("/admin/roles/{reader}/edit");
        let fields = [
            ("name", "reader"), ("is_default", "on"),
            ("permissions", "comment"), ("permissions", "review_movies"), ("permissions", "write_posts"),
        ];

        // The preview: Ada gains “Write posts”; nothing is saved yet.
        let response = admin.post(&path, &fields).await;
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains(">ada</a>") && html.contains("Write posts"), "{html}");
        let digest = preview_digest(&html).expect("a confirm field");
        assert!(!permissions_of(&app.db, reader).await.contains(&Permission::WritePosts));
        assert_eq!(role_updates(&app.db).await, 0);

        // Going back keeps the form as submitted.
        let mut back = fields.to_vec();
        back.push(("step", "edit"));
        let (status, form) = {
            let response = admin.post(&path, &back).await;
            (response.status(), response.text().await.unwrap())
        };
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains(r#"value="write_posts" checked"#), "{form}");

        // Someone joins the role before the confirmation: the change now does more than was
        // shown, so nothing is saved and the new preview names the newcomer.
        app.create_user("bea", "reader").await;
        let mut confirm = fields.to_vec();
        confirm.push(("confirm", digest.as_str()));
        let response = admin.post(&path, &confirm).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let html = response.text().await.unwrap();
        assert!(html.contains("Nothing was saved") && html.contains(">bea</a>"), "{html}");
        assert!(!permissions_of(&app.db, reader).await.contains(&Permission::WritePosts));
        assert_eq!(role_updates(&app.db).await, 0);

        // Confirming the new preview saves it, once.
        let fresh = preview_digest(&html).expect("a new confirm field");
        assert_ne!(fresh, digest);
        let mut confirm = fields.to_vec();
        confirm.push(("confirm", fresh.as_str()));
        let response = admin.post(&path, &confirm).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(permissions_of(&app.db, reader).await.contains(&Permission::WritePosts));
        assert_eq!(role_updates(&app.db).await, 1);
        app.stop().await;
    }

    async fn an_account_form_opened_before_someone_elses_change_saves_nothing(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("ann", "admin").await;
        app.create_user("bob", "admin").await;
        let cleo = app.create_user("cleo", "reader").await;
        let (ann, bob) = (app.visitor(), app.visitor());
        ann.login_ok("ann", PASSWORD).await;
        bob.login_ok("bob", PASSWORD).await;
        let page = format!("/admin/users/{cleo}");
        let opened = form_version(&ann.get_html(&page).await.1);
        let theirs = form_version(&bob.get_html(&page).await.1);
        let author = role_id(&app.db, "author").await.to_string();
        let moderator = role_id(&app.db, "moderator").await.to_string();

        // Bob deactivates Cleo; Ann, from the page she opened before, makes her an author.
        let saved = bob.post_confirmed(&page, &[("role_id", &role_id(&app.db, "reader").await.to_string()), ("version", &theirs)]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let response = ann.post(&page, &[("role_id", &author), ("is_active", "on"), ("version", &opened)]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        let html = response.text().await.unwrap();
        assert!(html.contains("It is now in the role “reader” and deactivated"), "{html}");
        let stored = entity::user::Entity::find_by_id(cleo).one(&app.db).await.unwrap().unwrap();
        assert!(!stored.is_active, "nothing of Ann's change was saved");

        // From the page as it is now, her change goes through (previewed, then confirmed).
        let current = form_version(&html);
        let saved = ann.post_confirmed(&page, &[("role_id", &moderator), ("is_active", "on"), ("version", &current)]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let stored = entity::user::Entity::find_by_id(cleo).one(&app.db).await.unwrap().unwrap();
        assert!(stored.is_active && stored.role_id.to_string() == moderator);
        app.stop().await;
    }

    async fn the_api_previews_and_confirms_a_change_the_same_way(test_db: TestDb) {
        use crate::api_client::{Api, make_token};
        use serde_json::json;
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        app.create_user("boss", "admin").await;
        let ada = app.create_user("ada", "reader").await;
        let boss = app.visitor();
        boss.login_ok("boss", PASSWORD).await;
        let token = make_token(&boss, &["manage_roles", "manage_users", "manage_movies", "comment", "review_movies"]).await;
        let path = format!("/api/v1/admin/users/{ada}/overrides/manage_movies");
        let body = json!({ "effect": "grant", "reason": "Festival week" });

        let preview = api.put(&format!("{path}?preview=true"), Some(&token), body.clone()).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert_eq!(preview.body["accounts"], json!([{
            "user_id": ada, "username": "ada", "gains": ["manage_movies"], "loses": [], "moves_to": null,
        }]));
        let digest = preview.body["digest"].as_str().unwrap().to_owned();
        let held = api.get(&format!("/api/v1/admin/users/{ada}/permissions"), Some(&token)).await;
        assert!(!held.body.to_string().contains("manage_movies"), "a preview saves nothing: {}", held.body);

        // A digest that is not the change's: 409 with what it would do now, nothing saved.
        let stale = api.put(&format!("{path}?confirm=not-the-digest"), Some(&token), body.clone()).await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
        assert_eq!(stale.body["preview"]["digest"], digest.as_str());
        let held = api.get(&format!("/api/v1/admin/users/{ada}/permissions"), Some(&token)).await;
        assert!(!held.body.to_string().contains("manage_movies"));

        let saved = api.put(&format!("{path}?confirm={digest}"), Some(&token), body).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(saved.body["granted_by"], "boss");
        let held = api.get(&format!("/api/v1/admin/users/{ada}/permissions"), Some(&token)).await;
        assert!(held.body.to_string().contains("manage_movies"));
        app.stop().await;
    }
}
