//! Comments after they are posted, through the pages and the API, on the demo data: the author
//! edits theirs (marked edited, the earlier text in the audit log), the author or a moderator
//! deletes one (a placeholder keeps its place, the text goes to the audit log), nobody else
//! does either.

use entity::{audit_log, comment};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::api_client::{Api, make_token};
use crate::helpers::{Doc, location};

backend_tests! {
    async fn an_author_edits_and_deletes_their_comment_and_a_moderator_deletes_anyones(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let boss = app.create_user("scribe", "author").await;
        let post = app.create_post(boss, "Talk here", true, None, &[]).await;
        let writer = app.signed_in_as("reader").await;
        let other = app.signed_in_as("reader").await;
        let moderator = app.signed_in_as("moderator").await;
        let page = format!("/posts/{}", post.slug);

        let posted = writer.post(&format!("{page}/comments"), &[("body", "First thoughts")]).await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER);
        let id = comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).one(&app.db).await.unwrap().unwrap().id;
        let (_, html) = writer.get_html(&page).await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.attrs(&format!("#comment-{id} a.comment-edit"), "href"), [format!("/comments/{id}/edit")]);
        assert_eq!(doc.attrs(&format!("#comment-{id} a.comment-delete"), "href"), [format!("/comments/{id}/delete")]);
        let (_, html) = other.get_html(&page).await;
        assert_eq!(Doc::parse(&html).count(&format!("#comment-{id} a.comment-edit")), 0, "not for someone else");

        // Someone else may neither edit nor delete it, by page or API.
        assert_eq!(other.get(&format!("/comments/{id}/edit")).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post(&format!("/comments/{id}/edit"), &[("body", "Mine now")]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post(&format!("/comments/{id}/delete"), &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(moderator.get(&format!("/comments/{id}/edit")).await.status(), StatusCode::FORBIDDEN, "moderators delete, never rewrite");
        let other_token = make_token(&other, &["comment"]).await;
        let reply = api.patch(&format!("/api/v1/comments/{id}"), Some(&other_token), serde_json::json!({"body": "x"})).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);

        // An empty text is refused with the input kept; a real edit is saved and marked.
        let (status, html) = {
            let response = writer.post(&format!("/comments/{id}/edit"), &[("body", "   ")]).await;
            (response.status(), response.text().await.unwrap())
        };
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("aria-invalid=\"true\""));
        let saved = writer.post(&format!("/comments/{id}/edit"), &[("body", "Second thoughts")]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&saved), format!("{page}?page=1#comment-{id}"));
        let (_, html) = other.get_html(&page).await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.text(&format!("#comment-{id} .comment-body")), "Second thoughts");
        assert!(doc.text(&format!("#comment-{id} .meta")).contains("edited"));
        let edit = audit_log::Entity::find().filter(audit_log::Column::Action.eq("comment.edit")).one(&app.db).await.unwrap().unwrap();
        assert!(edit.before.unwrap().contains("First thoughts"), "the earlier text is kept");

        // Through the API: the author edits; the reply says when.
        let token = make_token(&writer, &["comment"]).await;
        let reply = api.patch(&format!("/api/v1/comments/{id}"), Some(&token), serde_json::json!({"body": "Third thoughts"})).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["body"], "Third thoughts");
        assert!(reply.body["edited_at"].is_string());

        // A moderator deletes it: a placeholder keeps its place, nothing more may be done to it.
        let (_, html) = moderator.get_html(&format!("/comments/{id}/delete")).await;
        assert!(html.contains("Third thoughts"), "the question shows what goes");
        let deleted = moderator.post(&format!("/comments/{id}/delete"), &[]).await;
        assert_eq!(deleted.status(), StatusCode::SEE_OTHER);
        let (_, html) = other.get_html(&page).await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.text(&format!("#comment-{id} .comment-body")), "This comment was deleted.");
        assert!(!html.contains("Third thoughts"));
        let stored = comment::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert!(stored.deleted_at.is_some() && stored.body.is_empty());
        let removal = audit_log::Entity::find().filter(audit_log::Column::Action.eq("comment.delete")).one(&app.db).await.unwrap().unwrap();
        assert!(removal.before.unwrap().contains("Third thoughts"));
        assert_eq!(removal.actor_id, Some(moderator.id));
        assert_eq!(writer.post(&format!("/comments/{id}/edit"), &[("body", "Back")]).await.status(), StatusCode::NOT_FOUND);
        let listed = api.get(&format!("/api/v1/posts/{}/comments", post.slug), None).await;
        assert_eq!(listed.body["items"][0]["deleted"], true, "{}", listed.body);
        assert_eq!(listed.body["items"][0]["body"], "");

        // The author deletes their own through the API.
        writer.post(&format!("{page}/comments"), &[("body", "Another one")]).await;
        let second = comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).order_by_desc(comment::Column::Id).one(&app.db).await.unwrap().unwrap().id;
        let reply = api.delete(&format!("/api/v1/comments/{second}"), Some(&other_token)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let reply = api.delete(&format!("/api/v1/comments/{second}"), Some(&token)).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
        let reply = api.delete(&format!("/api/v1/comments/{second}"), Some(&token)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "once");
        app.stop().await;
    }
}

backend_tests! {
    async fn replies_follow_the_comment_they_answer_and_a_reply_to_a_reply_links_to_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let boss = app.create_user("scribe", "author").await;
        let post = app.create_post(boss, "Threads here", true, None, &[]).await;
        let ada = app.signed_in("ada_r", "reader").await;
        let bob = app.signed_in("bob_r", "reader").await;
        let page = format!("/posts/{}", post.slug);
        ada.post(&format!("{page}/comments"), &[("body", "Root one")]).await;
        bob.post(&format!("{page}/comments"), &[("body", "Root two")]).await;
        let ids = |rows: Vec<comment::Model>| rows.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let roots = ids(comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).order_by_asc(comment::Column::Id).all(&app.db).await.unwrap());
        let (one, two) = (roots[0], roots[1]);

        // A reply through the page: the form shows what is answered; an empty one is refused.
        let (status, html) = bob.get_html(&format!("/comments/{one}/reply")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Root one") && html.contains("To ada_r"));
        let refused = bob.post(&format!("/comments/{one}/reply"), &[("body", " ")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let posted = bob.post(&format!("/comments/{one}/reply"), &[("body", "Reply to one")]).await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER);
        let reply = comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).order_by_desc(comment::Column::Id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((reply.parent_id, reply.thread_id), (Some(one), Some(one)));
        assert_eq!(location(&posted), format!("{page}?page=1#comment-{}", reply.id));

        // A reply to the reply, through the API: same conversation, names its parent.
        let token = make_token(&ada, &["comment"]).await;
        let answer = api.post(&format!("/api/v1/comments/{}/replies", reply.id), Some(&token), serde_json::json!({"body": "Reply to the reply"})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(answer.body["parent_id"], reply.id);
        assert_eq!(answer.body["thread_id"], one);
        let deeper = answer.body["id"].as_i64().unwrap();

        // Each conversation together, its replies indented; the reply to a reply says whom.
        let (_, html) = app.visitor().get_html(&page).await;
        let doc = Doc::parse(&html);
        let order: Vec<String> = doc.attrs(".comment-list > li", "id");
        assert_eq!(order, [one, reply.id, deeper as i32, two].map(|id| format!("comment-{id}")));
        assert_eq!(doc.count(".comment-list > li.comment-reply"), 2);
        assert_eq!(doc.text(&format!("#comment-{deeper} .in-reply-to")), "↪ in reply to bob_r");
        assert_eq!(doc.attrs(&format!("#comment-{deeper} .in-reply-to a"), "href"), [format!("#comment-{}", reply.id)]);
        let listed = api.get(&format!("/api/v1/posts/{}/comments", post.slug), None).await;
        let listed: Vec<i64> = listed.body["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(listed, [one as i64, reply.id as i64, deeper, two as i64]);

        // Nobody replies to a deleted comment, nor without an account.
        ada.post(&format!("/comments/{one}/delete"), &[]).await;
        assert_eq!(bob.post(&format!("/comments/{one}/reply"), &[("body", "Late")]).await.status(), StatusCode::NOT_FOUND);
        let (_, html) = app.visitor().get_html(&page).await;
        assert!(html.contains("This comment was deleted.") && html.contains("Reply to one"), "the conversation still reads");
        let anonymous = app.visitor().get(&format!("/comments/{two}/reply")).await;
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
        assert!(location(&anonymous).starts_with("/login"));
        app.stop().await;
    }
}

backend_tests! {
    async fn comments_are_markdown_and_every_comment_form_previews_without_saving(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let boss = app.create_user("scribe", "author").await;
        let post = app.create_post(boss, "Markdown here", true, None, &[]).await;
        let member = app.signed_in_as("reader").await;
        let page = format!("/posts/{}", post.slug);
        let count = || async { comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).all(&app.db).await.unwrap().len() };

        // Preview on the post's own form: the rendering and the kept text, nothing saved.
        let text = "Some *stress*, `code` and ![pixel](https://tracker.example/p.gif) <b>raw</b>";
        let response = member.post(&format!("{page}/comments"), &[("body", text), ("preview", "1")]).await;
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        let doc = Doc::parse(&html);
        let shown = doc.text(".preview .comment-body");
        assert!(shown.contains("pixel") && shown.contains("<b>raw</b>"), "{shown}");
        assert!(html.contains("<em>stress</em>") && !html.contains("<img"), "no image: {html}");
        assert_eq!(doc.text("textarea#body"), text, "the input is kept");
        assert_eq!(count().await, 0);
        let empty = member.post(&format!("{page}/comments"), &[("body", "  "), ("preview", "1")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Posted, it shows the same; the reply and edit forms preview too.
        member.post(&format!("{page}/comments"), &[("body", text)]).await;
        let id = comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).one(&app.db).await.unwrap().unwrap().id;
        let (_, html) = app.visitor().get_html(&page).await;
        assert!(html.contains("<em>stress</em>") && html.contains("&lt;b&gt;raw&lt;/b&gt;"));
        let reply = member.post(&format!("/comments/{id}/reply"), &[("body", "**Yes**"), ("preview", "1")]).await;
        assert_eq!(reply.status(), StatusCode::OK);
        assert!(reply.text().await.unwrap().contains("<strong>Yes</strong>"));
        let edit = member.post(&format!("/comments/{id}/edit"), &[("body", "_Edited_"), ("preview", "1")]).await;
        assert_eq!(edit.status(), StatusCode::OK);
        assert!(edit.text().await.unwrap().contains("<em>Edited</em>"));
        assert_eq!(count().await, 1, "previews save nothing");
        let stored = comment::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((stored.body.as_str(), stored.edited_at), (text, None));

        // The API previews a comment by the same function.
        let token = make_token(&member, &["comment"]).await;
        let previewed = api.post("/api/v1/preview", Some(&token), serde_json::json!({"body": "*hi*", "comment": true})).await;
        assert_eq!(previewed.status, StatusCode::OK, "{}", previewed.body);
        assert_eq!(previewed.body["html"], "<p><em>hi</em></p>\n");
        let too_long = api.post("/api/v1/preview", Some(&token), serde_json::json!({"body": "x".repeat(5001), "comment": true})).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.stop().await;
    }
}

backend_tests! {
    async fn an_account_posts_ten_comments_in_ten_minutes_then_waits_and_a_moderator_does_not(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let boss = app.create_user("scribe", "author").await;
        let post = app.create_post(boss, "Busy", true, None, &[]).await;
        let page = format!("/posts/{}", post.slug);
        let member = app.signed_in_as("reader").await;
        let token = make_token(&member, &["comment"]).await;
        // A refused comment gives its place back: an empty one does not count.
        assert_eq!(member.post(&format!("{page}/comments"), &[("body", " ")]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        for n in 0..5 {
            let posted = member.post(&format!("{page}/comments"), &[("body", &format!("Page comment {n}"))]).await;
            assert_eq!(posted.status(), StatusCode::SEE_OTHER, "{n}");
            let sent = api.post(&format!("/api/v1/posts/{}/comments", post.slug), Some(&token), serde_json::json!({"body": format!("API comment {n}")})).await;
            assert_eq!(sent.status, StatusCode::CREATED, "{n}: {}", sent.body);
        }
        // The eleventh, by either face or as a reply, waits; the text is kept on the page.
        let refused = member.post(&format!("{page}/comments"), &[("body", "One more")]).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let html = refused.text().await.unwrap();
        assert!(html.contains("You have posted 10 comments in the last 10 minutes") && html.contains(">One more</textarea>"), "{html}");
        let sent = api.post(&format!("/api/v1/posts/{}/comments", post.slug), Some(&token), serde_json::json!({"body": "One more"})).await;
        assert_eq!(sent.status, StatusCode::TOO_MANY_REQUESTS, "{}", sent.body);
        assert!(sent.header("retry-after").parse::<u64>().unwrap() > 0);
        let first = comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).one(&app.db).await.unwrap().unwrap().id;
        assert_eq!(member.post(&format!("/comments/{first}/reply"), &[("body", "Me too")]).await.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).all(&app.db).await.unwrap().len(), 10);
        // Others are not held back by it, nor are moderators ever.
        let other = app.signed_in_as("reader").await;
        assert_eq!(other.post(&format!("{page}/comments"), &[("body", "Mine")]).await.status(), StatusCode::SEE_OTHER);
        let moderator = app.signed_in_as("moderator").await;
        for n in 0..12 {
            assert_eq!(moderator.post(&format!("{page}/comments"), &[("body", &format!("Note {n}"))]).await.status(), StatusCode::SEE_OTHER);
        }
        app.stop().await;
    }
}

backend_tests! {
    async fn a_comments_edit_reply_and_delete_pages_read_the_same_few_statements_however_long_the_thread(test_db: TestDb) {
        use std::sync::atomic::Ordering;
        let app = test_db.spawn().await;
        let boss = app.create_user("scribe", "author").await;
        let quiet = app.create_post(boss, "Quiet", true, None, &[]).await;
        let busy = app.create_post(boss, "Busy", true, None, &[]).await;
        let writer = app.signed_in_as("moderator").await;
        let mut own = Vec::new();
        for (post, count) in [(&quiet, 1), (&busy, 40)] {
            for n in 0..count {
                let posted = writer.post(&format!("/posts/{}/comments", post.slug), &[("body", format!("Comment {n}").as_str())]).await;
                assert_eq!(posted.status(), StatusCode::SEE_OTHER);
            }
            let first = comment::Entity::find().filter(comment::Column::PostId.eq(post.id)).order_by_asc(comment::Column::Id).one(&app.db).await.unwrap().unwrap();
            own.push(first.id);
        }
        // Signed-in pages: the session's statements are counted too, the same for both.
        let counted = |path: String| {
            let (app, writer) = (&app, &writer);
            async move {
                writer.get("/healthz").await;
                let before = app.statements.load(Ordering::SeqCst);
                let response = writer.get(&path).await;
                assert_eq!(response.status(), StatusCode::OK, "{path}");
                app.statements.load(Ordering::SeqCst) - before
            }
        };
        for page in ["edit", "reply", "delete"] {
            let quiet_count = counted(format!("/comments/{}/{page}", own[0])).await;
            let busy_count = counted(format!("/comments/{}/{page}", own[1])).await;
            assert_eq!(quiet_count, busy_count, "/comments/{{id}}/{page} grows with the thread");
            // The signed-in account (two), the content version, the comment and its post.
            assert!(quiet_count <= 5, "/comments/{{id}}/{page} reads {quiet_count} statements");
        }
        app.stop().await;
    }
}
