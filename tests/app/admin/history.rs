//! A role's history and reverting it: every change is listed with what it changed; a revert
//! is previewed and confirmed like an edit, goes through the same rules (nobody restores a
//! permission they lack), and is itself audited. Through the pages and the API.

use entity::audit_log;
use entity::enums::Permission;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{permissions_of, role_id};
use crate::helpers::{PASSWORD, location};

async fn entries(db: &sea_orm::DatabaseConnection, role: i32) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::SubjectType.eq("role"))
        .filter(audit_log::Column::SubjectId.eq(role.to_string()))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .unwrap()
}

backend_tests! {
    async fn a_role_is_reverted_to_an_earlier_version_under_todays_rules(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let made = admin.post_confirmed("/admin/roles/new", &[
            ("name", "curator"), ("description", "Looks after films"), ("permissions", "comment"),
        ]).await;
        assert_eq!(made.status(), StatusCode::SEE_OTHER);
        let curator = role_id(&app.db, "curator").await;
        app.create_user("cleo", "curator").await;
        let edit = format!("/admin/roles/{curator}/edit");
        let saved = admin.post_confirmed(&edit, &[
            ("name", "curator"), ("description", "Keeps the catalogue"),
            ("permissions", "comment"), ("permissions", "manage_movies"),
        ]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        // The history: both changes, newest first, each with what it changed.
        let history = format!("/admin/roles/{curator}/history");
        let (status, html) = admin.get_html(&history).await;
        assert_eq!(status, StatusCode::OK);
        let changed = html.find("Changed").expect("the edit");
        let created = html.find("Created").expect("the creation");
        assert!(changed < created, "newest first");
        assert!(html.contains("<del>Looks after films</del>") && html.contains("<ins>Keeps the catalogue</ins>"), "{html}");
        assert!(html.contains("<ins>Comment on posts, Manage movies</ins>"), "{html}");

        // Reverting to the first version: the preview says Cleo loses “Manage movies”, and
        // nothing changes until it is confirmed.
        let first = entries(&app.db, curator).await[0].id;
        let revert = format!("{history}/{first}/revert");
        let preview = admin.post(&revert, &[]).await;
        assert_eq!(preview.status(), StatusCode::OK);
        let page = preview.text().await.unwrap();
        assert!(page.contains(">cleo</a>") && page.contains("Manage movies"), "{page}");
        assert!(permissions_of(&app.db, curator).await.contains(&Permission::ManageMovies));
        let reverted = admin.post_confirmed(&revert, &[]).await;
        assert_eq!(location(&reverted), history);
        assert_eq!(permissions_of(&app.db, curator).await, vec![Permission::Comment]);
        let role = entity::role::Entity::find_by_id(curator).one(&app.db).await.unwrap().unwrap();
        assert_eq!(role.description, "Looks after films");
        let last = entries(&app.db, curator).await.pop().unwrap();
        assert_eq!(last.action, "role.revert");
        assert!(last.after.unwrap().contains(&format!("\"reverted_to\":{first}")));
        let (_, html) = admin.get_html(&history).await;
        assert!(html.contains("Reverted"), "{html}");

        // A keeper without “Manage movies” may not restore the version that grants it.
        app.create_role("rolekeeper", &[Permission::ManageRoles, Permission::Comment, Permission::ReviewMovies]).await;
        app.create_user("keeper", "rolekeeper").await;
        let keeper = app.visitor();
        keeper.login_ok("keeper", PASSWORD).await;
        let second = entries(&app.db, curator).await[1].id;
        let refused = keeper.post_confirmed(&format!("{history}/{second}/revert"), &[]).await;
        assert_eq!(location(&refused), history);
        assert_eq!(permissions_of(&app.db, curator).await, vec![Permission::Comment]);
        let (_, html) = keeper.get_html(&history).await;
        assert!(html.contains("You cannot grant permissions you do not hold yourself: Manage movies."), "{html}");

        // Another role's entry is not one of this role's versions.
        let reader = role_id(&app.db, "reader").await;
        let response = admin.post(&format!("/admin/roles/{reader}/history/{first}/revert"), &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }

    async fn the_api_lists_a_roles_history_and_reverts_it(test_db: TestDb) {
        use crate::api_client::{Api, make_token};
        use serde_json::json;
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        app.create_user("boss", "admin").await;
        let boss = app.visitor();
        boss.login_ok("boss", PASSWORD).await;
        let token = make_token(&boss, &["manage_roles", "manage_movies", "comment", "review_movies"]).await;
        let made = api.post("/api/v1/admin/roles", Some(&token), json!({ "name": "critic", "permissions": ["comment"] })).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let critic = made.body["id"].as_i64().unwrap();
        app.create_user("cleo", "critic").await;
        let changed = api.put(&format!("/api/v1/admin/roles/{critic}"), Some(&token), json!({
            "name": "critic", "permissions": ["comment", "review_movies"],
        })).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

        let history = api.get(&format!("/api/v1/admin/roles/{critic}/history"), Some(&token)).await;
        assert_eq!(history.status, StatusCode::OK, "{}", history.body);
        let list = history.body.as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["action"], "role.update");
        assert_eq!(list[0]["current"], true);
        assert_eq!(list[0]["changes"], json!([{ "field": "Permissions", "before": "Comment on posts", "after": "Comment on posts, Review movies" }]));
        let first = list[1]["entry"].as_i64().unwrap();

        let revert = format!("/api/v1/admin/roles/{critic}/history/{first}/revert");
        let preview = api.post(&format!("{revert}?preview=true"), Some(&token), json!(null)).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert_eq!(preview.body["accounts"][0]["username"], "cleo");
        assert_eq!(preview.body["accounts"][0]["loses"], json!(["review_movies"]));
        let done = api.post(&format!("{revert}?confirm={}", preview.body["digest"].as_str().unwrap()), Some(&token), json!(null)).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(done.body["permissions"], json!(["comment"]));
        let missing = api.get("/api/v1/admin/roles/999999/history", Some(&token)).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        app.stop().await;
    }
}
