//! What the pages let a member or an administrator do, an API client does too, by the same
//! service functions: categories (create, rename, move, delete) and groups (create, rename,
//! delete, remove a member), on the demo data.

use entity::{audit_log, category, user_group};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::api_client::{Api, make_token};

backend_tests! {
    async fn categories_are_created_renamed_moved_and_deleted_through_the_api(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let admin = app.signed_in_as("admin").await;
        let token = make_token(&admin, &["manage_categories"]).await;
        let reader = app.signed_in_as("reader").await;
        let reader_token = make_token(&reader, &["comment"]).await;

        let created = api.post("/api/v1/categories", Some(&token), json!({"name": "Silent film"})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        assert_eq!(created.body["slug"], "silent-film");
        let id = created.body["id"].as_i64().unwrap();
        let child = api.post("/api/v1/categories", Some(&token), json!({"name": "Keaton", "parent_id": id})).await;
        assert_eq!(child.status, StatusCode::CREATED);
        let child_id = child.body["id"].as_i64().unwrap();

        // The same rules as the pages: an unknown parent, a move under itself, a name.
        let twin = api.post("/api/v1/categories", Some(&token), json!({"name": "Silent film"})).await;
        assert_eq!(twin.body["slug"], "silent-film-2", "names may repeat; slugs never");
        let unknown = api.post("/api/v1/categories", Some(&token), json!({"name": "Orphan", "parent_id": 999_999})).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.fields(), ["parent_id"]);
        assert_eq!(api.post("/api/v1/categories", Some(&token), json!({"name": ""})).await.fields(), ["name"]);
        let loop_ = api.put(&format!("/api/v1/categories/{id}"), Some(&token), json!({"name": "Silent film", "parent_id": child_id})).await;
        assert_eq!(loop_.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", loop_.body);
        assert_eq!(api.post("/api/v1/categories", Some(&reader_token), json!({"name": "Mine"})).await.status, StatusCode::FORBIDDEN);

        // Rename and move to the top; then it cannot go while it has a subcategory.
        let moved = api.put(&format!("/api/v1/categories/{child_id}"), Some(&token), json!({"name": "Buster Keaton"})).await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
        assert_eq!(moved.body["parent_id"], serde_json::Value::Null);
        assert_eq!(moved.body["slug"], "keaton", "a slug stays when the name changes");
        let (_, html) = app.visitor().get_html("/categories").await;
        assert!(html.contains("Buster Keaton"));
        api.put(&format!("/api/v1/categories/{child_id}"), Some(&token), json!({"name": "Buster Keaton", "parent_id": id})).await;
        assert_eq!(api.delete(&format!("/api/v1/categories/{id}"), Some(&token)).await.status, StatusCode::CONFLICT);
        assert_eq!(api.delete(&format!("/api/v1/categories/{child_id}"), Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.delete(&format!("/api/v1/categories/{id}"), Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.delete(&format!("/api/v1/categories/{id}"), Some(&token)).await.status, StatusCode::NOT_FOUND);
        assert!(category::Entity::find_by_id(id as i32).one(&app.db).await.unwrap().is_none());
        let audited = audit_log::Entity::find().filter(audit_log::Column::Action.starts_with("category.")).count(&app.db).await.unwrap();
        assert_eq!(audited, 7, "three created, two updated, two deleted");
        app.stop().await;
    }

    async fn groups_are_created_renamed_deleted_and_members_removed_through_the_api(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let admin = app.signed_in_as("admin").await;
        let token = make_token(&admin, &["manage_groups"]).await;
        let member = app.signed_in_as("reader").await;
        let member_token = make_token(&member, &["comment"]).await;

        let created = api.post("/api/v1/groups", Some(&token), json!({"name": "Midnight matinee", "description": "Late screenings"})).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_i64().unwrap();
        assert_eq!(api.post("/api/v1/groups", Some(&token), json!({"name": "Midnight matinee"})).await.status, StatusCode::CONFLICT);
        assert_eq!(api.post("/api/v1/groups", Some(&token), json!({"name": "x".repeat(65)})).await.fields(), ["name"]);
        assert_eq!(api.post("/api/v1/groups", Some(&member_token), json!({"name": "Mine"})).await.status, StatusCode::FORBIDDEN);
        let renamed = api.put(&format!("/api/v1/groups/{id}"), Some(&token), json!({"name": "Midnight matinee club", "description": "After ten"})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
        assert_eq!(renamed.body["name"], "Midnight matinee club");

        // A member joins; an administrator removes them; removing them again is a 404.
        let joined = member.post(&format!("/groups/{id}/join"), &[]).await;
        assert_eq!(joined.status(), StatusCode::SEE_OTHER);
        let path = format!("/api/v1/groups/{id}/members/{}", member.id);
        assert_eq!(api.delete(&path, Some(&member_token)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.delete(&path, Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(user_group::Entity::find().filter(user_group::Column::GroupId.eq(id as i32)).count(&app.db).await.unwrap(), 0);
        assert_eq!(api.delete(&path, Some(&token)).await.status, StatusCode::NOT_FOUND);
        let removal = audit_log::Entity::find().filter(audit_log::Column::Action.eq("group.remove_member")).one(&app.db).await.unwrap().unwrap();
        assert!(removal.before.unwrap().contains(&member.id.to_string()));

        assert_eq!(api.delete(&format!("/api/v1/groups/{id}"), Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&format!("/api/v1/groups/{id}"), None).await.status, StatusCode::NOT_FOUND);
        app.stop().await;
    }
}

backend_tests! {
    async fn a_member_lists_and_ends_their_sessions_and_tokens_and_a_moderator_reads_the_queue(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let member = app.signed_in_as("reader").await;
        let other_browser = app.visitor();
        let username = entity::user::Entity::find_by_id(member.id).one(&app.db).await.unwrap().unwrap().username;
        other_browser.login_ok(&username, crate::helpers::PASSWORD).await;
        let token = make_token(&member, &["comment"]).await;
        let spare = make_token(&member, &["comment"]).await;

        let listed = api.get("/api/v1/me/sessions", Some(&token)).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        let sessions = listed.body["items"].as_array().unwrap().clone();
        assert_eq!(sessions.len(), 2, "{}", listed.body);
        let id = sessions[0]["id"].as_str().unwrap().to_owned();
        assert_eq!(api.delete(&format!("/api/v1/me/sessions/{id}"), Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.delete(&format!("/api/v1/me/sessions/{id}"), Some(&token)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.get("/api/v1/me/sessions", Some(&token)).await.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(api.get("/api/v1/me/sessions", None).await.status, StatusCode::UNAUTHORIZED);

        let tokens = api.get("/api/v1/me/tokens", Some(&token)).await;
        assert_eq!(tokens.status, StatusCode::OK, "{}", tokens.body);
        let items = tokens.body["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 2);
        assert!(!tokens.body.to_string().contains("mqt_"), "never a secret");
        let spare_id = items[0]["id"].as_i64().unwrap();
        assert_eq!(api.delete(&format!("/api/v1/me/tokens/{spare_id}"), Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get("/api/v1/me", Some(&spare)).await.status, StatusCode::UNAUTHORIZED, "a revoked token is refused");
        let someone_else = app.signed_in_as("reader").await;
        let theirs = make_token(&someone_else, &["comment"]).await;
        let their_id = api.get("/api/v1/me/tokens", Some(&theirs)).await.body["items"][0]["id"].as_i64().unwrap();
        assert_eq!(api.delete(&format!("/api/v1/me/tokens/{their_id}"), Some(&token)).await.status, StatusCode::NOT_FOUND);

        // The moderation queue: moderators only, newest first, hidden comments included.
        assert_eq!(api.get("/api/v1/moderation/comments", Some(&token)).await.status, StatusCode::FORBIDDEN);
        let moderator = app.signed_in_as("moderator").await;
        let mod_token = make_token(&moderator, &["moderate_comments"]).await;
        let queue = api.get("/api/v1/moderation/comments", Some(&mod_token)).await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        let total = entity::comment::Entity::find().count(&app.db).await.unwrap();
        assert_eq!(queue.body["total"], total);
        assert!(queue.body["items"][0]["post_slug"].is_string());
        app.stop().await;
    }
}
