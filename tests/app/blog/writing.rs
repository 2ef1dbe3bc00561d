//! Writing, editing and deleting posts: permissions, kept input, nothing half written, and
//! the counts kept with every change.

#[allow(unused_imports)]
use super::*;
use entity::{category, post, tag};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{Doc, PASSWORD, count_rows, location};

/// The version an edit form carries (its hidden `version` field).
fn form_version(html: &str) -> String {
    let field = "name=\"version\" value=\"";
    let start = html.find(field).expect("a version field") + field.len();
    html[start..].split('"').next().unwrap().to_owned()
}

backend_tests! {
    async fn saving_over_someone_elses_edit_saves_nothing_and_shows_theirs_beside_mine(test_db: TestDb) {
        let app = test_db.spawn().await;
        let writer = app.create_user("writer", "author").await;
        let post = app.create_post(writer, "Lanterns", true, None, &[]).await;
        let (mine, theirs) = (app.visitor(), app.visitor());
        mine.login_ok("writer", PASSWORD).await;
        theirs.login_ok("writer", PASSWORD).await;
        let edit = format!("/posts/{}/edit", post.slug);
        let opened = form_version(&mine.get_html(&edit).await.1);
        assert_eq!(opened, form_version(&theirs.get_html(&edit).await.1));

        // The other tab saves first.
        let saved = theirs
            .post(&edit, &[("title", "Lanterns at dusk"), ("body", "Their text."), ("status", "published"), ("version", &opened)])
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        // Saving over it: 409, nothing saved, their version shown, my input kept.
        let stale = mine
            .post(&edit, &[("title", "Lanterns at dawn"), ("body", "My text."), ("status", "published"), ("version", &opened)])
            .await;
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let page = stale.text().await.unwrap();
        assert!(page.contains("Nothing was saved") && page.contains("Their text."), "{page}");
        assert!(page.contains("value=\"Lanterns at dawn\"") && page.contains("My text."), "{page}");
        let stored = post::Entity::find_by_id(post.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.title, "Lanterns at dusk");

        // The page now carries their version: saving again replaces theirs, knowingly.
        let current = form_version(&page);
        assert_ne!(current, opened);
        let replaced = mine
            .post(&edit, &[("title", "Lanterns at dawn"), ("body", "My text."), ("status", "published"), ("version", &current)])
            .await;
        assert_eq!(replaced.status(), StatusCode::SEE_OTHER);
        let stored = post::Entity::find_by_id(post.id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.title, "Lanterns at dawn");
        app.stop().await;
    }

    async fn an_author_writes_edits_and_deletes_a_post_with_tags_and_a_category(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let writer = app.signed_in("writer", "author").await;
        let rust = category_id(&app.db, "rust").await;

        let response = writer.post("/posts/new", &[
            ("title", "Hello, Marquee!"),
            ("body", "A *first* post."),
            ("category_id", &rust.to_string()),
            ("tags", "Rust, brand new tag, rust"),
            ("status", "draft"),
        ]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/posts/hello-marquee");
        let created = post::Entity::find_by_slug("hello-marquee").one(&app.db).await.unwrap().unwrap();
        assert_eq!(created.category_id, Some(rust));
        assert!(created.published_at.is_none());
        assert!(tag::Entity::find_by_name("brand-new-tag").one(&app.db).await.unwrap().is_some(), "missing tags are created");
        let tags = marquee::services::blog::tags_of(&app.db, vec![created.id]).await.unwrap();
        assert_eq!(tags[&created.id], vec!["brand-new-tag", "rust"]);

        // A draft is for its author (and moderators) only.
        assert_eq!(writer.get("/posts/hello-marquee").await.status(), StatusCode::OK);
        assert_eq!(app.visitor().get("/posts/hello-marquee").await.status(), StatusCode::NOT_FOUND);
        let (_, mine) = writer.get_html("/users/writer/posts").await;
        assert!(mine.contains("Hello, Marquee!") && mine.contains("draft"));
        let (_, public) = app.visitor().get_html("/users/writer/posts").await;
        assert!(!public.contains("Hello, Marquee!"));

        // Publishing through the edit form; the slug stays.
        let response = writer.post("/posts/hello-marquee/edit", &[
            ("title", "Hello again, Marquee"),
            ("body", "Now published."),
            ("category_id", ""),
            ("tags", "rust"),
            ("status", "published"),
        ]).await;
        assert_eq!(location(&response), "/posts/hello-marquee");
        let (status, html) = app.visitor().get_html("/posts/hello-marquee").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Hello again, Marquee") && html.contains("Now published."));
        let updated = post::Entity::find_by_id(created.id).one(&app.db).await.unwrap().unwrap();
        assert!(updated.published_at.is_some() && updated.category_id.is_none());

        // Same title again: a new, unique slug.
        let again = writer.write_post("Hello, Marquee!", "x", true).await;
        assert_eq!(location(&again), "/posts/hello-marquee-2");

        let (_, confirm) = writer.get_html("/posts/hello-marquee/delete").await;
        assert!(confirm.contains("Delete “Hello again, Marquee”?"));
        assert_eq!(writer.post("/posts/hello-marquee/delete", &[]).await.status(), StatusCode::SEE_OTHER);
        assert!(post::Entity::find_by_id(created.id).one(&app.db).await.unwrap().is_none());
        app.stop().await;
    }

    async fn bad_post_input_comes_back_with_messages_and_the_input_kept(test_db: TestDb) {
        let app = test_db.spawn().await;
        let writer = app.signed_in("writer", "author").await;
        let long_body = "x".repeat(marquee::domain::PostBody::MAX + 1);

        let response = writer.post("/posts/new", &[
            ("title", "   "),
            ("body", &long_body),
            ("category_id", "999999"),
            ("tags", "good, <b>bad</b>"),
            ("status", "published"),
        ]).await;

        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("Give the post a title."));
        assert!(html.contains("The post is too long"));
        assert!(html.contains("is not allowed"));
        assert!(html.contains("good, &#60;b&#62;bad&#60;/b&#62;"), "tags kept");
        assert!(html.contains(&long_body[..100]), "body kept");
        assert_eq!(count_rows(&app.db, "post").await, 0);

        let response = writer.post("/posts/new", &[("title", "Only a title"), ("body", ""), ("tags", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("#body-error"), "Write the post before saving it.");
        assert_eq!(doc.attrs("#title", "value"), ["Only a title"]);

        // A category that does not exist is the service's refusal, with the form kept.
        let response = writer.post("/posts/new", &[("title", "Lost"), ("body", "Text"), ("category_id", "999999")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("#category_id-error"), "Choose a category from the list.");
        assert_eq!(doc.attrs("#title", "value"), ["Lost"]);
        assert_eq!(count_rows(&app.db, "post").await, 0);
        app.stop().await;
    }

    async fn only_the_author_or_a_moderator_may_edit_or_delete(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        app.create_user("other", "author").await;
        app.create_user("mod", "moderator").await;
        app.create_user("grace", "reader").await;
        app.create_post(ada, "Ada's post", true, None, &[]).await;
        app.create_post(ada, "Ada's draft", false, None, &[]).await;

        let other = app.visitor();
        other.login_ok("other", PASSWORD).await;
        assert_eq!(other.get("/posts/adas-post/edit").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post("/posts/adas-post/edit", &[("title", "Hijacked"), ("body", "x")]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.get("/posts/adas-post/delete").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post("/posts/adas-post/delete", &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.get("/posts/adas-draft").await.status(), StatusCode::NOT_FOUND, "others' drafts do not exist for them");
        let stored = post::Entity::find_by_slug("adas-post").one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.title, "Ada's post");

        let reader = app.visitor();
        reader.login_ok("grace", PASSWORD).await;
        assert_eq!(reader.get("/posts/new").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(reader.post("/posts/new", &[("title", "x"), ("body", "y")]).await.status(), StatusCode::FORBIDDEN);

        let moderator = app.visitor();
        moderator.login_ok("mod", PASSWORD).await;
        assert_eq!(moderator.get("/posts/adas-draft").await.status(), StatusCode::OK);
        let response = moderator.post("/posts/adas-post/edit", &[("title", "Ada's post (edited)"), ("body", "Fixed a typo."), ("status", "published")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        app.stop().await;
    }

    async fn a_failed_save_leaves_nothing_half_written(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let before = count_rows(&app.db, "post").await;
        // Break the second half of the work (the tag links) so the transaction must roll back.
        crate::helpers::exec(&app.db, "DROP TABLE post_tag").await;

        let result = marquee::services::blog::create_post(&app.db, &app.acting(ada).await, None, crate::helpers::post_input("Half written", "x", None, &["film"], true)).await;

        assert!(result.is_err());
        assert_eq!(count_rows(&app.db, "post").await, before, "the post was rolled back with its tags");
        assert_eq!(count_rows(&app.db, "tag").await, 0);
        app.stop().await;
    }

    async fn category_and_tag_post_counts_follow_every_change_even_from_concurrent_writers(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        post_counts_hold(&app.db, "after seeding").await;
        stored_list_fields_hold(&app.db, "after seeding").await;
        let film = category_id(&app.db, "film").await;
        let rust = category_id(&app.db, "rust").await;
        let writer = app.signed_in("writer", "author").await;
        let post = |title: &'static str, category: i32, tags: &'static str, status: &'static str| {
            let category = category.to_string();
            let writer = &writer;
            async move {
                writer.post("/posts/new", &[
                    ("title", title), ("body", "Text."), ("category_id", &category), ("tags", tags), ("status", status),
                ]).await
            }
        };
        assert_eq!(post("Counted", film, "counted, film", "draft").await.status(), StatusCode::SEE_OTHER);
        post_counts_hold(&app.db, "after a draft").await;
        stored_list_fields_hold(&app.db, "after a draft").await;
        let edit = |category: String, tags: &'static str, status: &'static str| {
            let writer = &writer;
            async move {
                let response = writer.post("/posts/counted/edit", &[
                    ("title", "Counted"), ("body", "Text."), ("category_id", &category), ("tags", tags), ("status", status),
                ]).await;
                assert_eq!(response.status(), StatusCode::SEE_OTHER);
            }
        };
        edit(film.to_string(), "counted, film", "published").await;
        post_counts_hold(&app.db, "after publishing").await;
        stored_list_fields_hold(&app.db, "after publishing").await;
        let counted = tag::Entity::find_by_name("counted").one(&app.db).await.unwrap().unwrap();
        assert_eq!(counted.post_count, 1);
        edit(rust.to_string(), "rust, other", "published").await;
        post_counts_hold(&app.db, "after moving and retagging").await;
        stored_list_fields_hold(&app.db, "after moving and retagging").await;
        edit(String::new(), "other", "draft").await;
        post_counts_hold(&app.db, "after unpublishing").await;
        stored_list_fields_hold(&app.db, "after unpublishing").await;
        edit(rust.to_string(), "counted", "published").await;
        assert_eq!(writer.post("/posts/counted/delete", &[]).await.status(), StatusCode::SEE_OTHER);
        post_counts_hold(&app.db, "after deleting").await;
        stored_list_fields_hold(&app.db, "after deleting").await;

        // Writers at once, all on one tag and category: no change is lost.
        let writers = futures_util::future::join_all((0..6).map(|i| {
            let app = &app;
            async move { app.signed_in(&format!("crowd{i}"), "author").await }
        }))
        .await;
        let results = futures_util::future::join_all(writers.iter().enumerate().map(|(i, w)| {
            let category = film.to_string();
            async move {
                let mut statuses = Vec::new();
                for k in 0..3 {
                    let title = format!("Crowd {i} {k}");
                    statuses.push(w.post("/posts/new", &[
                        ("title", &title), ("body", "Text."), ("category_id", &category), ("tags", "crowd"), ("status", "published"),
                    ]).await.status());
                }
                statuses
            }
        }))
        .await;
        assert!(results.iter().flatten().all(|s| *s == StatusCode::SEE_OTHER), "{results:?}");
        post_counts_hold(&app.db, "after concurrent writers").await;
        stored_list_fields_hold(&app.db, "after concurrent writers").await;
        let crowd = tag::Entity::find_by_name("crowd").one(&app.db).await.unwrap().unwrap();
        assert_eq!(crowd.post_count, 18);

        // The tree and the tag list show the maintained counts.
        let (_, tree) = app.visitor().get_html("/categories").await;
        let all = category::Entity::find().all(&app.db).await.unwrap();
        let film_total = post::Entity::find()
            .filter(post::Column::Status.eq(entity::enums::PostStatus::Published))
            .filter(post::Column::CategoryId.is_in(marquee::services::blog::descendants(&all, film)))
            .count(&app.db)
            .await
            .unwrap();
        assert!(film_total > 18 && tree.contains(&format!(">{film_total} posts</span>")), "{film_total}: {tree}");
        let tags: serde_json::Value = app.visitor().get("/api/v1/tags").await.json().await.unwrap();
        assert!(tags["items"].as_array().unwrap().iter().any(|t| t["name"] == "crowd" && t["posts"] == 18), "{tags}");
        assert!(!tags["items"].as_array().unwrap().iter().any(|t| t["name"] == "other"), "a tag without published posts is not listed");
        app.stop().await;
    }

}
