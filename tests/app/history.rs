//! Histories of posts, movies and accounts: every change is kept with the object before and
//! after, shown as a readable diff (a text diff for a post's body), listed newest first through
//! the pages and the API, and a post or a movie is reverted through the same function as an
//! edit, under today's rules, audited itself.

use entity::{audit_log, movie, post};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::api_client::{Api, make_token};
use crate::helpers::location;

async fn entries(db: &sea_orm::DatabaseConnection, kind: &str, id: i32) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::SubjectType.eq(kind))
        .filter(audit_log::Column::SubjectId.eq(id.to_string()))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .unwrap()
}

async fn post_row(db: &sea_orm::DatabaseConnection, slug: &str) -> post::Model {
    post::Entity::find_by_slug(slug)
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// A body of `n` numbered lines, with line `changed` (if any) reworded.
fn essay(n: usize, changed: Option<usize>) -> String {
    (1..=n)
        .map(|i| {
            if Some(i) == changed {
                format!("Line {i}, reworded.\n")
            } else {
                format!("Line {i} of the essay.\n")
            }
        })
        .collect()
}

backend_tests! {
    async fn a_posts_history_shows_each_edit_as_a_diff_and_a_version_is_reverted(test_db: TestDb) {
        let app = test_db.spawn().await;
        let author = app.signed_in("ada", "author").await;
        let created = author.visitor.post("/posts/new", &[
            ("title", "Harbour lights"), ("body", &essay(30, None)), ("status", "published"), ("tags", "film"),
        ]).await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let slug = location(&created).trim_start_matches("/posts/").to_owned();
        let edit = format!("/posts/{slug}/edit");
        let saved = author.visitor.post(&edit, &[
            ("title", "Harbour lights at dusk"), ("body", &essay(30, Some(17))), ("status", "published"), ("tags", "film, essay"),
        ]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        // The author's own edits are kept too, each with the post before and after.
        let kept = entries(&app.db, "post", post_row(&app.db, &slug).await.id).await;
        assert_eq!(kept.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["post.create", "post.update"]);
        assert!(kept[1].before.as_deref().unwrap().contains("Line 17 of the essay."));
        assert!(kept[1].after.as_deref().unwrap().contains("Line 17, reworded."));

        // The page: newest first, the title and tags in words, the body as the changed lines
        // with a little context and nothing of the unchanged rest.
        let history = format!("/posts/{slug}/history");
        let (status, html) = author.visitor.get_html(&history).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.find("Changed").unwrap() < html.find("Created").unwrap(), "newest first");
        assert!(html.contains("<del>Harbour lights</del>") && html.contains("<ins>Harbour lights at dusk</ins>"), "{html}");
        assert!(html.contains("<ins>essay, film</ins>"), "{html}");
        assert!(html.contains("Line 17 of the essay.</del>") && html.contains("Line 17, reworded.</ins>"), "{html}");
        assert!(html.contains("Line 15 of the essay.") && !html.contains("Line 3 of the essay."), "only the context of the change");
        let (_, page) = author.visitor.get_html(&format!("/posts/{slug}")).await;
        assert!(page.contains(&format!("href=\"/posts/{slug}/history\"")), "the post links its history");

        // Someone who may not edit it cannot read its history nor revert it.
        let other = app.signed_in("bob", "author").await;
        assert_eq!(other.visitor.get(&history).await.status(), StatusCode::FORBIDDEN);
        let first = kept[0].id;
        let revert = format!("{history}/{first}/revert");
        assert_eq!(other.visitor.post(&revert, &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(post_row(&app.db, &slug).await.title, "Harbour lights at dusk");
        // A version of another post is not this post's.
        let elsewhere = app.create_post(other.id, "Another", true, None, &[]).await;
        let foreign = entries(&app.db, "post", elsewhere.id).await[0].id;
        assert_eq!(author.visitor.post(&format!("{history}/{foreign}/revert"), &[]).await.status(), StatusCode::NOT_FOUND);

        // Reverting restores the first version through the edit (its stored fields and tag
        // counts with it), and is itself a change in the history.
        let reverted = author.visitor.post(&revert, &[]).await;
        assert_eq!(reverted.status(), StatusCode::SEE_OTHER);
        let now = post_row(&app.db, &slug).await;
        assert_eq!(now.title, "Harbour lights");
        assert_eq!(now.body, essay(30, None).trim_end());
        assert_eq!(now.tag_names, "film");
        assert!(now.body_html.unwrap().contains("Line 17 of the essay."));
        let kept = entries(&app.db, "post", now.id).await;
        let last = kept.last().unwrap();
        assert_eq!(last.action, "post.revert");
        assert!(last.after.as_deref().unwrap().contains(&format!("\"reverted_to\":{first}")));
        let (_, html) = author.visitor.get_html(&history).await;
        assert!(html.contains("<strong>Reverted</strong>"), "{html}");

        // A version recorded before entries carried the text is shown but cannot be restored.
        let old = audit_log::ActiveModel {
            action: sea_orm::ActiveValue::Set("post.update".into()),
            subject_type: sea_orm::ActiveValue::Set("post".into()),
            subject_id: sea_orm::ActiveValue::Set(Some(now.id.to_string())),
            before: sea_orm::ActiveValue::Set(Some(json!({"title": "x", "status": "draft"}).to_string())),
            after: sea_orm::ActiveValue::Set(Some(json!({"title": "y", "status": "published"}).to_string())),
            created_at: sea_orm::ActiveValue::Set(chrono::Utc::now()),
            ..Default::default()
        };
        let old = sea_orm::ActiveModelTrait::insert(old, &app.db).await.unwrap();
        let refused = author.visitor.post(&format!("{history}/{}/revert", old.id), &[]).await;
        assert_eq!(refused.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&refused), history);
        let (_, html) = author.visitor.get_html(&history).await;
        assert!(html.contains("cannot be restored"), "{html}");
        assert_eq!(post_row(&app.db, &slug).await.title, "Harbour lights");
    }

    async fn the_api_lists_a_posts_changes_with_a_unified_diff_and_reverts_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let author = app.signed_in("ada", "author").await;
        let token = make_token(&author.visitor, &["write_posts"]).await;
        let made = api.post("/api/v1/posts", Some(&token), json!({
            "title": "Notes", "body": essay(12, None), "status": "draft", "tags": ["film"],
        })).await;
        assert_eq!(made.status, StatusCode::CREATED, "{:?}", made.body);
        let slug = made.body["slug"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/posts/{slug}");
        let put = api.put(&path, Some(&token), json!({"title": "Notes", "body": essay(12, Some(6)), "status": "draft", "tags": ["film"]})).await;
        assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);

        let listed = api.get(&format!("{path}/history"), Some(&token)).await;
        assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
        let changes = listed.body.as_array().unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["action"], "post.update");
        assert_eq!(changes[0]["current"], true);
        let text = changes[0]["changes"].as_array().unwrap().iter().find(|c| c["field"] == "Text").unwrap();
        let diff = text["diff"].as_str().unwrap();
        assert!(diff.contains("-Line 6 of the essay.\n+Line 6, reworded.\n"), "{diff}");
        assert!(!diff.contains("Line 1 of"), "{diff}");

        let entry = changes[1]["entry"].as_i64().unwrap();
        let back = api.post(&format!("{path}/history/{entry}/revert"), Some(&token), json!({})).await;
        assert_eq!(back.status, StatusCode::OK, "{:?}", back.body);
        assert_eq!(post_row(&app.db, &slug).await.body, essay(12, None).trim_end());
        assert_eq!(post_row(&app.db, &slug).await.status, entity::enums::PostStatus::Draft, "a revert keeps whether it is published");

        // Another author's token reads nothing of a draft that is not theirs.
        let other = app.signed_in("bob", "author").await;
        let theirs = make_token(&other.visitor, &["write_posts"]).await;
        assert_eq!(api.get(&format!("{path}/history"), Some(&theirs)).await.status, StatusCode::NOT_FOUND);
        let refused = api.post(&format!("{path}/history/{entry}/revert"), Some(&theirs), json!({})).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
    }

    async fn a_movies_history_is_kept_and_reverted_by_movie_managers_only(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let manager = app.signed_in("mia", "moderator").await;
        let created = manager.visitor.post("/movies/new", &[
            ("title", "The Matrix"), ("year", "1999"), ("mpa", "R"),
            ("directors", "Lana Wachowski\nLilly Wachowski"), ("synopsis", "Red pill."),
        ]).await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let id: i32 = location(&created).trim_start_matches("/movies/").parse().unwrap();
        let saved = manager.visitor.post(&format!("/movies/{id}/edit"), &[
            ("title", "The Matrix"), ("year", "1999"), ("mpa", "PG-13"),
            ("directors", "Lilly Wachowski"), ("synopsis", "Blue pill."),
        ]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        let history = format!("/movies/{id}/history");
        let (status, html) = manager.visitor.get_html(&history).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<del>R</del>") && html.contains("<ins>PG-13</ins>"), "{html}");
        assert!(html.contains("<del>Lana Wachowski, Lilly Wachowski</del>"), "the directors before the edit too: {html}");
        assert!(html.contains("Red pill.</del>") && html.contains("Blue pill.</ins>"), "{html}");

        let reader = app.signed_in("rob", "reader").await;
        assert_eq!(reader.visitor.get(&history).await.status(), StatusCode::FORBIDDEN);
        let first = entries(&app.db, "movie", id).await[0].id;
        let revert = format!("{history}/{first}/revert");
        assert_eq!(reader.visitor.post(&revert, &[]).await.status(), StatusCode::FORBIDDEN);

        let reverted = manager.visitor.post(&revert, &[]).await;
        assert_eq!(reverted.status(), StatusCode::SEE_OTHER);
        let now = movie::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((now.synopsis.as_str(), now.mpa.map(|r| r.as_str())), ("Red pill.", Some("R")));
        let credited: Vec<String> = marquee::services::movies::directors_of(&app.db, vec![id]).await.unwrap()
            .remove(&id).unwrap().into_iter().map(|(_, n)| n).collect();
        assert_eq!(credited, ["Lana Wachowski", "Lilly Wachowski"]);
        assert_eq!(entries(&app.db, "movie", id).await.last().unwrap().action, "movie.revert");

        // Through the API: the list, and the revert refused without manage_movies.
        let token = make_token(&manager.visitor, &["manage_movies"]).await;
        let listed = api.get(&format!("/api/v1/movies/{id}/history"), Some(&token)).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.body[0]["action"], "movie.revert");
        assert_eq!(listed.body.as_array().unwrap().len(), 3);
        let second = entries(&app.db, "movie", id).await[1].id;
        let weak = make_token(&reader.visitor, &["review_movies"]).await;
        let refused = api.post(&format!("/api/v1/movies/{id}/history/{second}/revert"), Some(&weak), json!({})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let back = api.post(&format!("/api/v1/movies/{id}/history/{second}/revert"), Some(&token), json!({})).await;
        assert_eq!(back.status, StatusCode::OK, "{:?}", back.body);
        assert_eq!(back.body["synopsis"], "Blue pill.");
    }

    async fn an_accounts_history_lists_its_role_state_and_overrides(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let admin = app.signed_in("boss", "admin").await;
        let cleo = app.create_user("cleo", "reader").await;
        let author = entity::role::Entity::find_by_name("author").one(&app.db).await.unwrap().unwrap().id;
        let account = format!("/admin/users/{cleo}");
        let changed = admin.visitor.post_confirmed(&account, &[("role_id", &author.to_string()), ("is_active", "on")]).await;
        assert_eq!(changed.status(), StatusCode::SEE_OTHER);
        let granted = admin.visitor.post_confirmed(&format!("{account}/overrides"), &[
            ("permission", "manage_movies"), ("effect", "grant"), ("reason", "Festival cover"), ("expires_on", ""),
        ]).await;
        assert_eq!(granted.status(), StatusCode::SEE_OTHER);

        let (status, html) = admin.visitor.get_html(&format!("{account}/history")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.find("Override set").unwrap() < html.find("<strong>Changed</strong>").unwrap(), "newest first: {html}");
        assert!(html.contains("<del>reader</del>") && html.contains("<ins>author</ins>"), "{html}");
        assert!(html.contains("grant “Manage movies” (Festival cover)"), "{html}");
        assert!(!html.contains("/revert"), "accounts are changed again, not reverted");
        let (_, edit) = admin.visitor.get_html(&account).await;
        assert!(edit.contains(&format!("href=\"{account}/history\"")));

        let moderator = app.signed_in("mod", "moderator").await;
        assert_eq!(moderator.visitor.get(&format!("{account}/history")).await.status(), StatusCode::FORBIDDEN);

        let token = make_token(&admin.visitor, &["manage_users"]).await;
        let listed = api.get(&format!("/api/v1/admin/users/{cleo}/history"), Some(&token)).await;
        assert_eq!(listed.status, StatusCode::OK);
        let actions: Vec<&str> = listed.body.as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["user.override", "user.update"]);
        assert_eq!(listed.body[1]["changes"][0]["field"], "Role");
        assert_eq!(api.get("/api/v1/admin/users/999999/history", Some(&token)).await.status, StatusCode::NOT_FOUND);
    }
}
