//! Notifications through the pages and the API, on every backend: a reply to a comment, a
//! comment on a post, a new message and a review of a film on a watchlist each tell the member
//! concerned (never the one who did it), with unread counts and marking read; each kind reaches
//! a member as they chose (the site, mail at once, a daily digest), and a day's digest goes out
//! once however many instances try.

use entity::{mail_outbox, notification};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::accounts::mail::MailSink;
use crate::api_client::{Api, make_token};
use crate::helpers::{Doc, location};
use crate::movies::add;

/// The notification badge's number (0 without one).
async fn badge(member: &crate::helpers::Member) -> u64 {
    let (_, html) = member.get_html("/members").await;
    let doc = Doc::parse(&html);
    match doc.count(".nav-notifications .unread-count") {
        0 => 0,
        _ => doc
            .text(".nav-notifications .unread-count")
            .trim_end_matches("unread")
            .trim()
            .parse()
            .unwrap(),
    }
}

backend_tests! {
    async fn members_are_told_of_replies_comments_messages_and_reviews_and_mark_them_read(test_db: TestDb) {
        let app = test_db.spawn().await;
        let author = app.signed_in("author", "author").await;
        let ada = app.signed_in("ada", "reader").await;
        let linus = app.signed_in("linus", "reader").await;
        let post = app.create_post(author.id, "Notes on Vertigo", true, None, &[]).await;

        // A comment on the post tells its author; a reply tells the comment's author only.
        let commented = ada.post(&format!("/posts/{}/comments", post.slug), &[("body", "Lovely")]).await;
        assert_eq!(commented.status(), StatusCode::SEE_OTHER);
        assert_eq!(badge(&author).await, 1);
        assert_eq!(badge(&ada).await, 0, "never of what one did oneself");
        let comment = entity::comment::Entity::find().one(&app.db).await.unwrap().unwrap();
        let replied = author.post(&format!("/comments/{}/reply", comment.id), &[("body", "Thank you")]).await;
        assert_eq!(replied.status(), StatusCode::SEE_OTHER);
        assert_eq!(badge(&ada).await, 1);
        assert_eq!(badge(&author).await, 1, "the author's own reply tells them nothing");

        // A message, and a review of a film on the watchlist.
        let heat = add(&app, "Heat", 1995, None, true, &["Michael Mann"]).await;
        assert_eq!(ada.post(&format!("/movies/{heat}/watchlist"), &[("status", "want")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(linus.review(heat, "9", "Tense.").await.status(), StatusCode::SEE_OTHER);
        assert_eq!(linus.post("/messages", &[("to", "ada"), ("subject", "Heat"), ("body", "Seen it?")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(badge(&ada).await, 3);

        let (status, html) = ada.get_html("/notifications").await;
        assert_eq!(status, StatusCode::OK);
        let doc = Doc::parse(&html);
        assert_eq!(
            doc.texts(".notification p:first-child a"),
            [
                "linus wrote to you in “Heat”",
                "linus reviewed “Heat”, which is on your watchlist",
                "author replied to your comment on “Notes on Vertigo”",
            ]
        );
        assert_eq!(doc.count(".notification.unread"), 3);
        // The reply's link leads to the comment on its post's page.
        let link = doc.attrs(".notification p:first-child a", "href")[2].clone();
        let followed = ada.get(&link).await;
        assert_eq!(followed.status(), StatusCode::SEE_OTHER);
        assert!(location(&followed).starts_with(&format!("/posts/{}?page=1#comment-", post.slug)), "{}", location(&followed));

        // Reading the conversation reads its message's notification.
        let conversation = entity::conversation::Entity::find().one(&app.db).await.unwrap().unwrap();
        let (_, html) = ada.get_html(&format!("/messages/{}", conversation.id)).await;
        assert!(Doc::parse(&html).text(".nav-notifications .unread-count").starts_with('2'));
        assert_eq!(badge(&ada).await, 2);

        // Marking one read, then all; another member's id changes nothing of theirs.
        let theirs = notification::Entity::find().filter(notification::Column::UserId.eq(author.id)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(ada.post("/notifications/read", &[("id", &theirs.id.to_string())]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(badge(&author).await, 1);
        assert_eq!(ada.post("/notifications/read", &[("id", "x")]).await.status(), StatusCode::NOT_FOUND);
        let mine = notification::Entity::find().filter(notification::Column::UserId.eq(ada.id)).order_by_asc(notification::Column::Id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(ada.post("/notifications/read", &[("id", &mine.id.to_string())]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(badge(&ada).await, 1);
        assert_eq!(ada.post("/notifications/read", &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(badge(&ada).await, 0);
        let (_, html) = ada.get_html("/notifications").await;
        assert_eq!(Doc::parse(&html).count(".notification.unread"), 0);
        assert!(location(&app.visitor().get("/notifications").await).starts_with("/login"));
        app.stop().await;
    }

    async fn each_kind_reaches_a_member_as_they_chose_and_a_days_digest_goes_out_once(test_db: TestDb) {
        let sink = MailSink::start();
        let app = test_db.spawn_with(sink.settings(&test_db)).await;
        let author = app.signed_in("author", "author").await;
        let ada = app.signed_in("ada", "reader").await;
        let post = app.create_post(author.id, "Digest me", true, None, &[]).await;

        // The settings page: a value that is none of the three comes back saying so.
        let (status, html) = author.get_html("/settings/notifications").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(Doc::parse(&html).attrs("input[name=message][checked]", "value"), ["mail"]);
        let refused = author.post("/settings/notifications", &[("post_comment", "pigeon")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(author.post("/settings/notifications", &[("post_comment", "digest"), ("comment_reply", "site")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(ada.post("/settings/notifications", &[("comment_reply", "mail")]).await.status(), StatusCode::SEE_OTHER);
        let (_, html) = author.get_html("/settings/notifications").await;
        assert_eq!(Doc::parse(&html).attrs("input[name=post_comment][checked]", "value"), ["digest"]);

        // Mail at once for ada's reply; nothing at once for the author's comment (digest).
        ada.post(&format!("/posts/{}/comments", post.slug), &[("body", "First")]).await;
        let comment = entity::comment::Entity::find().one(&app.db).await.unwrap().unwrap();
        author.post(&format!("/comments/{}/reply", comment.id), &[("body", "Answer")]).await;
        let mail = sink.wait_for("ada@example.test", "reply to your comment").await;
        assert!(mail.text.contains("author replied to your comment on “Digest me”") && mail.text.contains("/comments/"), "{}", mail.text);
        ada.post(&format!("/posts/{}/comments", post.slug), &[("body", "Second")]).await;
        assert!(sink.to("author@example.test", "").is_empty(), "digest only");

        // Two instances make the day's digests at once: one mail.
        let other = test_db.spawn_with(sink.settings(&test_db)).await;
        let now = chrono::Utc::now();
        let (a, b) = tokio::join!(
            marquee::services::notifications::digest::send_digests(&app.db, now),
            marquee::services::notifications::digest::send_digests(&other.db, now),
        );
        assert_eq!(a.unwrap() + b.unwrap(), 1);
        assert_eq!(marquee::services::notifications::digest::send_digests(&app.db, now).await.unwrap(), 0, "once a day");
        assert_eq!(mail_outbox::Entity::find().filter(mail_outbox::Column::Payload.contains("\"digest\"")).count(&app.db).await.unwrap(), 1);
        // Anything queued wakes the delivery, which takes the digest along.
        ada.post("/messages", &[("to", "author"), ("subject", "Hi"), ("body", "Hi")]).await;
        let digest = sink.wait_for("author@example.test", "digest").await;
        assert_eq!(digest.text.matches("commented on your post “Digest me”").count(), 2, "{}", digest.text);
        assert_eq!(sink.to("author@example.test", "digest").len(), 1);
        other.stop().await;
        app.stop().await;
    }

    async fn the_api_lists_marks_and_sets_notifications_by_the_same_rules(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let ada = app.signed_in("ada", "reader").await;
        let grace = app.signed_in("grace", "reader").await;
        let token = make_token(&ada, &[]).await;
        grace.post("/messages", &[("to", "ada"), ("subject", "Hello"), ("body", "Hi")]).await;

        assert_eq!(api.get("/api/v1/me/notifications", None).await.status, StatusCode::UNAUTHORIZED);
        let list = api.get("/api/v1/me/notifications", Some(&token)).await;
        assert_eq!((list.body["unread"].as_u64(), list.body["total"].as_u64()), (Some(1), Some(1)));
        assert_eq!(list.body["items"][0]["text"], "grace wrote to you in “Hello”");
        assert_eq!(list.body["items"][0]["kind"], "message");
        let marked = api.post("/api/v1/me/notifications/read", Some(&token), json!({})).await;
        assert_eq!((marked.status, marked.body["marked"].as_u64()), (StatusCode::OK, Some(1)));
        assert_eq!(api.get("/api/v1/me/notifications", Some(&token)).await.body["unread"], 0);

        let settings = api.get("/api/v1/me/notification-settings", Some(&token)).await;
        assert_eq!(settings.body, json!({"comment_reply": "site", "post_comment": "site", "message": "mail", "watchlist_review": "site"}));
        let refused = api.put("/api/v1/me/notification-settings", Some(&token), json!({"message": "pigeon"})).await;
        assert_eq!((refused.status, refused.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["message".to_owned()]));
        let saved = api.put("/api/v1/me/notification-settings", Some(&token), json!({"message": "digest"})).await;
        assert_eq!((saved.status, saved.body["message"].as_str(), saved.body["comment_reply"].as_str()), (StatusCode::OK, Some("digest"), Some("site")));
        // What the API saved, the page shows.
        let (_, html) = ada.get_html("/settings/notifications").await;
        assert_eq!(Doc::parse(&html).attrs("input[name=message][checked]", "value"), ["digest"]);
        app.stop().await;
    }
}
