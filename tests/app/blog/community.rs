//! Categories, breadcrumbs, comments and moderation, and the top-authors report.

#[allow(unused_imports)]
use super::*;
use entity::{category, comment, post};
use marquee::seed::data::POSTS;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{Doc, PASSWORD, escaped};

backend_tests! {
    async fn categories_form_a_tree_that_moderators_manage(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let moderator = app.signed_in("boss", "moderator").await;

        let (_, tree) = app.visitor().get_html("/categories").await;
        let silent = POSTS.iter().filter(|p| p.category == "silent-era").count();
        assert!(tree.contains("href=\"/categories/film\"") && tree.contains("Silent era"));
        assert!(!tree.contains("Rename or move"), "readers do not manage");

        // The top-level category page lists posts of every level below it, with breadcrumbs.
        let (_, film) = app.visitor().get_html("/categories/silent-era").await;
        assert_eq!(film.matches("class=\"card post-card\"").count(), silent);
        let crumbs = Doc::parse(&film);
        assert_eq!(crumbs.texts(".breadcrumbs a, .breadcrumbs [aria-current=page]"), ["Categories", "Film", "Film history", "Silent era"], "breadcrumbs");
        let (_, top) = app.visitor().get_html("/categories/film").await;
        let first_silent = POSTS.iter().find(|p| p.category == "silent-era").unwrap();
        assert!(top.contains(&escaped(first_silent.title)), "descendant posts are included");

        // Create, move under its own descendant (refused), rename and move, delete.
        let film_id = category_id(&app.db, "film").await;
        let response = moderator.post("/categories", &[("name", "Documentaries"), ("parent_id", &film_id.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let silent_id = category_id(&app.db, "silent-era").await;
        let response = moderator.post("/categories/film/edit", &[("name", "Film"), ("parent_id", &silent_id.to_string())]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("cannot move under itself or one of its own subcategories"));
        assert_eq!(category::Entity::find_by_id(film_id).one(&app.db).await.unwrap().unwrap().parent_id, None);

        let response = moderator.post("/categories/documentaries/edit", &[("name", "Docs"), ("parent_id", "")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let docs = category::Entity::find_by_slug("documentaries").one(&app.db).await.unwrap().unwrap();
        assert_eq!((docs.name.as_str(), docs.parent_id), ("Docs", None));

        let response = moderator.post("/categories/film/delete", &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "a category with children stays");
        let posts_in_silent = post::Entity::find().filter(post::Column::CategoryId.eq(silent_id)).count(&app.db).await.unwrap();
        let response = moderator.post("/categories/silent-era/delete", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let uncategorised = post::Entity::find().filter(post::Column::Title.eq(first_silent.title)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(uncategorised.category_id, None);
        assert!(posts_in_silent > 0);

        let reader = app.visitor();
        app.create_user("reader1", "reader").await;
        reader.login_ok("reader1", PASSWORD).await;
        assert_eq!(reader.post("/categories", &[("name", "Nope")]).await.status(), StatusCode::FORBIDDEN);
        app.stop().await;
    }

    async fn a_post_page_takes_its_breadcrumbs_from_the_stored_trail_which_follows_every_category_change(test_db: TestDb) {
        use marquee::services::blog;
        use std::sync::atomic::Ordering;
        let mut settings = test_db.settings();
        settings.cache = false; // every page from the database, and its statements counted
        let app = test_db.spawn_with(settings).await;
        app.seed_demo().await;
        let moderator = app.signed_in("boss", "moderator").await;
        let silent = POSTS.iter().find(|p| p.category == "silent-era").unwrap();
        let page = format!("/posts/{}", post::Entity::find().filter(post::Column::Title.eq(silent.title)).one(&app.db).await.unwrap().unwrap().slug);
        let reader = app.visitor();
        let crumbs = async || {
            let before = app.statements.load(Ordering::SeqCst);
            let (status, html) = reader.get_html(&page).await;
            assert_eq!(status, StatusCode::OK);
            let statements = app.statements.load(Ordering::SeqCst) - before;
            (Doc::parse(&html).texts(".breadcrumbs a"), statements)
        };
        // Every stored trail is what the tree gives.
        let trails_hold = async |when: &str| {
            let all = blog::categories(&app.db).await.unwrap();
            for c in &all {
                assert_eq!(blog::parse_trail(c.trail.as_deref()), Some(blog::trail(&all, c.id)), "{}'s trail {when}", c.slug);
            }
        };
        trails_hold("after seeding").await;
        assert_eq!(crumbs().await, (vec!["Categories".to_owned(), "Film".into(), "Film history".into(), "Silent era".into()], test_db.backend.post_page_statements()), "one statement (two on MySQL)");

        // Renaming an ancestor and moving the subtree change the trails below them.
        let film = category_id(&app.db, "film").await;
        let response = moderator.post("/categories/film/edit", &[("name", "Cinema & <Film>"), ("parent_id", "")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        trails_hold("after a rename").await;
        assert_eq!(crumbs().await.0, ["Categories", "Cinema & <Film>", "Film history", "Silent era"]);
        let response = moderator.post("/categories", &[("name", "Archive"), ("parent_id", "")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let archive = category_id(&app.db, "archive").await;
        let response = moderator.post("/categories/film-history/edit", &[("name", "Film history"), ("parent_id", &archive.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        trails_hold("after a move").await;
        assert_eq!(crumbs().await.0, ["Categories", "Archive", "Film history", "Silent era"]);
        let response = moderator.post("/categories/film-history/edit", &[("name", "Film history"), ("parent_id", &film.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        trails_hold("after moving back").await;

        // A category whose trail is missing (written by other means) is shown from the tree.
        category::Entity::update_many()
            .col_expr(category::Column::Trail, sea_orm::sea_query::Expr::value(None::<String>))
            .filter(category::Column::Slug.eq("silent-era"))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(crumbs().await, (vec!["Categories".to_owned(), "Cinema & <Film>".into(), "Film history".into(), "Silent era".into()], test_db.backend.post_page_statements() + 1), "the tree, one statement more");
        app.stop().await;
    }

    async fn readers_comment_and_moderators_hide_comments(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        app.create_user("grace", "reader").await;
        app.create_user("mod", "moderator").await;
        app.create_post(ada, "Discuss", true, None, &[]).await;
        let reader = app.visitor();
        reader.login_ok("grace", PASSWORD).await;

        let empty = reader.post("/posts/discuss/comments", &[("body", "   ")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().await.unwrap().contains("Write something before posting your comment."));
        let response = reader.post("/posts/discuss/comments", &[("body", "Lovely <b>post</b>")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = reader.get_html("/posts/discuss").await;
        assert!(html.contains("Lovely &lt;b&gt;post&lt;/b&gt;"), "HTML in a comment shows as typed");

        let written = comment::Entity::find().one(&app.db).await.unwrap().unwrap();
        let moderator = app.visitor();
        moderator.login_ok("mod", PASSWORD).await;
        let (status, queue) = moderator.get_html("/moderation").await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains("Lovely"));
        assert_eq!(reader.get("/moderation").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(reader.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await.status(), StatusCode::FORBIDDEN);

        let response = moderator.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = reader.get_html("/posts/discuss").await;
        assert!(!html.contains("Lovely"), "hidden for readers");
        let (_, html) = moderator.get_html("/posts/discuss").await;
        assert!(html.contains("Lovely") && html.contains("hidden"), "moderators still see it, marked");
        let card_count = |html: String| Doc::parse(&html).text(".post-card .comment-count");
        stored_list_fields_hold(&app.db, "after hiding").await;
        assert_eq!(card_count(reader.get_html("/posts").await.1), "0 comments", "the list counts visible comments");
        moderator.post(&format!("/moderation/comments/{}/unhide", written.id), &[]).await;
        let (_, html) = reader.get_html("/posts/discuss").await;
        assert!(html.contains("Lovely"));
        stored_list_fields_hold(&app.db, "after showing again").await;
        assert_eq!(card_count(reader.get_html("/posts").await.1), "1 comment");
        // Hiding what is already hidden changes nothing.
        moderator.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await;
        moderator.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await;
        stored_list_fields_hold(&app.db, "after hiding twice").await;
        assert_eq!(card_count(reader.get_html("/posts").await.1), "0 comments");
        app.stop().await;
    }

    async fn the_dashboard_reports_the_top_authors_of_the_last_30_days(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let ada = app.create_user("ada", "author").await;
        let bob = app.create_user("bob", "author").await;
        let grace = app.create_user("grace", "reader").await;
        for i in 0..3 {
            let p = app.create_post(ada, &format!("Ada {i}"), true, None, &[]).await;
            marquee::services::blog::add_comment(&app.db, &app.acting(grace).await, &p.slug, crate::helpers::comment_text("nice")).await.unwrap();
        }
        app.create_post(bob, "Bob 1", true, None, &[]).await;
        app.create_post(bob, "Bob draft", false, None, &[]).await;
        // An old post does not count.
        let old = app.create_post(bob, "Bob old", true, None, &[]).await;
        let mut old: post::ActiveModel = old.into();
        old.published_at = sea_orm::ActiveValue::Set(Some(chrono::Utc::now() - chrono::Duration::days(40)));
        sea_orm::ActiveModelTrait::update(old, &app.db).await.unwrap();

        let top = marquee::services::blog::top_authors(&app.db, 5).await.unwrap();
        let got: Vec<(String, i64, i64)> = top.into_iter().map(|a| (a.username, a.posts, a.comments)).collect();
        assert_eq!(got, vec![("ada".to_owned(), 3, 3), ("bob".to_owned(), 1, 0)]);

        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let (_, html) = admin.get_html("/admin").await;
        let doc = Doc::parse(&html);
        assert!(doc.texts("h2").iter().any(|h| h == "Top authors in the last 30 days"));
        assert_eq!(doc.texts(".top-authors tbody tr").first().map(String::as_str), Some("ada 3 3"));
        app.stop().await;
    }
}
