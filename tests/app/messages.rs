//! Private messages through the pages and the API, on every backend: conversations between
//! members with unread counts, leaving, blocking, reports to moderators who act on the sender,
//! the hourly limits, the mail of a new message and its opt-out — and nobody reads a
//! conversation they are not in, by any path.

use entity::{conversation_member, message, message_report, user};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::accounts::mail::MailSink;
use crate::api_client::{Api, make_token};
use crate::helpers::{Doc, TestApp, location};

/// The number in the navigation's unread badge (0 when there is none).
async fn unread_badge(member: &crate::helpers::Member) -> u64 {
    let (_, html) = member.get_html("/messages").await;
    let doc = Doc::parse(&html);
    match doc.count(".nav-messages .unread-count") {
        0 => 0,
        _ => doc
            .text(".nav-messages .unread-count")
            .trim_end_matches("unread")
            .trim()
            .parse()
            .unwrap(),
    }
}

/// Starts a conversation through the form and returns its id.
async fn start(member: &crate::helpers::Member, to: &str, subject: &str, body: &str) -> i32 {
    let sent = member
        .post(
            "/messages",
            &[("to", to), ("subject", subject), ("body", body)],
        )
        .await;
    assert_eq!(
        sent.status(),
        StatusCode::SEE_OTHER,
        "{}",
        sent.text().await.unwrap()
    );
    location(&sent)
        .trim_start_matches("/messages/")
        .parse()
        .unwrap()
}

/// Makes `username`'s account older than the new-account limit.
async fn age(app: &TestApp, username: &str) {
    user::Entity::update_many()
        .col_expr(
            user::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::days(30)),
        )
        .filter(user::Column::Username.eq(username))
        .exec(&app.db)
        .await
        .unwrap();
}

backend_tests! {
    async fn members_write_to_each_other_and_nobody_else_reads_a_word(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.signed_in("ada", "reader").await;
        let grace = app.signed_in("grace", "reader").await;
        let linus = app.signed_in("linus", "reader").await;
        let outsider = app.signed_in("outsider", "reader").await;
        let moderator = app.signed_in("mod", "moderator").await;

        // A problem keeps every value; unknown members and oneself are named.
        let refused = ada.post("/messages", &[("to", "grace, nobody"), ("subject", "Films"), ("body", "Hello **there**")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let doc = Doc::parse(&refused.text().await.unwrap());
        assert!(doc.text("#to-error").contains("nobody"), "{}", doc.text("#to-error"));
        assert_eq!(doc.attrs("#to", "value"), ["grace, nobody"]);
        assert_eq!(doc.attrs("#subject", "value"), ["Films"]);
        assert_eq!(doc.text("#body"), "Hello **there**");
        let refused = ada.post("/messages", &[("to", "ada"), ("subject", "Me"), ("body", "x")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = ada.post("/messages", &[("to", ""), ("subject", ""), ("body", "")]).await;
        let doc = Doc::parse(&refused.text().await.unwrap());
        assert_eq!(doc.count(".field-error"), 3);

        let id = start(&ada, "Grace, @LINUS", "Films", "Hello **there** <script>alert(1)</script>").await;
        assert_eq!(unread_badge(&grace).await, 1);
        assert_eq!(unread_badge(&ada).await, 0, "what you wrote you have read");
        let (_, html) = grace.get_html("/messages").await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.texts(".conversation h2 a"), ["Films"]);
        assert_eq!(doc.count(".conversation.unread"), 1);
        assert!(doc.text(".conversation .meta").contains("ada, linus"));

        // Opening it reads it; the Markdown is sanitized as a comment's.
        let (status, html) = grace.get_html(&format!("/messages/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<strong>there</strong>") && !html.contains("<script>alert"), "{html}");
        assert_eq!(unread_badge(&grace).await, 0);
        let answer = grace.post(&format!("/messages/{id}"), &[("body", "Gladly")]).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let empty = grace.post(&format!("/messages/{id}"), &[("body", "  ")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unread_badge(&ada).await, 1);
        let (_, html) = ada.get_html(&format!("/messages/{id}")).await;
        assert_eq!(Doc::parse(&html).count(".message"), 2);

        // Nobody outside reads or writes it, moderators included; nor a visitor.
        for member in [&outsider, &moderator] {
            assert_eq!(member.get(&format!("/messages/{id}")).await.status(), StatusCode::NOT_FOUND);
            assert_eq!(member.post(&format!("/messages/{id}"), &[("body", "hi")]).await.status(), StatusCode::NOT_FOUND);
            assert_eq!(member.post(&format!("/messages/{id}/leave"), &[]).await.status(), StatusCode::NOT_FOUND);
            let (_, html) = member.get_html("/messages").await;
            assert_eq!(Doc::parse(&html).count(".conversation"), 0);
        }
        let first = message::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(outsider.get(&format!("/messages/report/{}", first.id)).await.status(), StatusCode::NOT_FOUND);
        let visitor = app.visitor();
        assert!(location(&visitor.get(&format!("/messages/{id}")).await).starts_with("/login"));
        assert_eq!(app.visitor().get("/messages/999999").await.status(), StatusCode::SEE_OTHER);

        // Leaving: nothing of it any more, nothing further reaches them.
        assert_eq!(linus.post(&format!("/messages/{id}/leave"), &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(linus.get(&format!("/messages/{id}")).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(linus.post(&format!("/messages/{id}/leave"), &[]).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(ada.post(&format!("/messages/{id}"), &[("body", "After you left")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(unread_badge(&linus).await, 0);
        let (_, html) = ada.get_html(&format!("/messages/{id}")).await;
        assert!(!Doc::parse(&html).texts(".meta a").contains(&"linus".to_owned()), "off the members");
        assert_eq!(Doc::parse(&html).count(".message"), 3, "{html}");

        // An account whose address is not confirmed cannot message.
        user::Entity::update_many()
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
            .filter(user::Column::Id.eq(outsider.id))
            .exec(&app.db)
            .await
            .unwrap();
        let refused = outsider.post("/messages", &[("to", "ada"), ("subject", "Hi"), ("body", "Hi")]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(message::Entity::find().count(&app.db).await.unwrap(), 3);
        app.stop().await;
    }

    async fn blocks_silence_a_member_and_moderators_act_on_reported_messages(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.signed_in("ada", "reader").await;
        let grace = app.signed_in("grace", "reader").await;
        let linus = app.signed_in("linus", "reader").await;
        let moderator = app.signed_in("mod", "moderator").await;
        let group = start(&ada, "grace linus", "Group", "First").await;
        grace.get(&format!("/messages/{group}")).await;

        // Grace blocks ada: no new conversation, and nothing of ada's reaches her.
        assert_eq!(grace.post("/users/ada/block", &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(grace.post("/users/ada/block", &[]).await.status(), StatusCode::SEE_OTHER, "twice is once");
        let (_, html) = grace.get_html("/messages/blocked").await;
        assert_eq!(Doc::parse(&html).texts(".blocked-list a"), ["ada"]);
        let refused = ada.post("/messages", &[("to", "grace"), ("subject", "Hi"), ("body", "Hi")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(Doc::parse(&refused.text().await.unwrap()).text("#to-error").contains("does not accept"));
        assert_eq!(ada.post(&format!("/messages/{group}"), &[("body", "Unwanted")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(unread_badge(&grace).await, 0);
        assert_eq!(unread_badge(&linus).await, 1);
        let (_, html) = grace.get_html(&format!("/messages/{group}")).await;
        assert!(!html.contains("Unwanted") && !html.contains("First"));
        let unwanted = message::Entity::find().filter(message::Column::Body.eq("Unwanted")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(grace.get(&format!("/messages/report/{}", unwanted.id)).await.status(), StatusCode::NOT_FOUND);
        let refused = grace.post("/messages/blocked", &[("username", "nobody")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(Doc::parse(&refused.text().await.unwrap()).attrs("#username", "value"), ["nobody"]);
        assert_eq!(grace.post("/users/ada/unblock", &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(grace.post("/users/ada/unblock", &[]).await.status(), StatusCode::NOT_FOUND);

        // Linus reports ada's message: his own is not his to report; twice is a conflict.
        let report = format!("/messages/report/{}", unwanted.id);
        let (status, _) = linus.get_html(&report).await;
        assert_eq!(status, StatusCode::OK);
        let refused = linus.post(&report, &[("reason", "")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(linus.post(&report, &[("reason", "Spam")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(linus.post(&report, &[("reason", "Spam")]).await.status(), StatusCode::CONFLICT);
        assert_eq!(ada.post(&report, &[("reason", "Mine")]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Moderators see the reported message, and nothing else of the conversation.
        assert_eq!(linus.get("/moderation/messages").await.status(), StatusCode::FORBIDDEN);
        let (status, html) = moderator.get_html("/moderation/messages").await;
        assert_eq!(status, StatusCode::OK);
        let doc = Doc::parse(&html);
        assert_eq!(doc.count(".report"), 1);
        assert!(html.contains("Unwanted") && html.contains("Spam") && !html.contains("First"));
        let open = message_report::Entity::find().one(&app.db).await.unwrap().unwrap();
        let refused = moderator.post(&format!("/moderation/messages/{}", open.id), &[("action", "explode")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let acted = moderator.post(&format!("/moderation/messages/{}", open.id), &[("action", "deactivate_sender")]).await;
        assert_eq!(acted.status(), StatusCode::SEE_OTHER);
        assert_eq!(moderator.post(&format!("/moderation/messages/{}", open.id), &[("action", "dismiss")]).await.status(), StatusCode::NOT_FOUND);
        let (_, html) = moderator.get_html("/moderation/messages").await;
        assert_eq!(Doc::parse(&html).count(".report"), 0);

        // The deactivated sender is signed out, and no one can write to them any more.
        assert!(location(&ada.get("/messages").await).starts_with("/login"));
        let refused = linus.post("/messages", &[("to", "ada"), ("subject", "Hi"), ("body", "Hi")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(linus.post(&format!("/messages/{group}"), &[("body", "To all")]).await.status(), StatusCode::SEE_OTHER);
        let ada_row = conversation_member::Entity::find()
            .filter(conversation_member::Column::UserId.eq(ada.id))
            .one(&app.db).await.unwrap().unwrap();
        let to_all = message::Entity::find().filter(message::Column::Body.eq("To all")).one(&app.db).await.unwrap().unwrap();
        assert!(ada_row.last_message_id < to_all.id, "a deactivated member gets nothing further");
        let audited = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::Action.eq("user.deactivate"))
            .count(&app.db).await.unwrap();
        assert_eq!(audited, 1);

        // A moderator's own messages are for an administrator.
        let other = start(&moderator, "linus", "From a moderator", "Hello").await;
        let sent = message::Entity::find().filter(message::Column::ConversationId.eq(other)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(linus.post(&format!("/messages/report/{}", sent.id), &[("reason", "Rude")]).await.status(), StatusCode::SEE_OTHER);
        let open = message_report::Entity::find().filter(message_report::Column::MessageId.eq(sent.id)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(moderator.post(&format!("/moderation/messages/{}", open.id), &[("action", "deactivate_sender")]).await.status(), StatusCode::FORBIDDEN);
        app.stop().await;
    }

    async fn new_accounts_send_few_messages_an_hour_and_mail_goes_to_those_who_want_it(test_db: TestDb) {
        let sink = MailSink::start();
        let app = test_db.spawn_with(sink.settings(&test_db)).await;
        let ada = app.signed_in("ada", "reader").await;
        let _grace = app.signed_in("grace", "reader").await;
        let linus = app.signed_in("linus", "reader").await;
        let id = start(&ada, "grace, linus", "Limits", "One").await;
        sink.wait_for("grace@example.test", "new message").await;
        let mail = sink.wait_for("linus@example.test", "new message").await;
        assert!(mail.text.contains(&format!("/messages/{id}")) && mail.text.contains("Limits"), "{}", mail.text);
        assert!(!mail.text.contains("One"), "the text stays on the site");

        // Linus says no more mail; grace still gets hers.
        let (_, html) = linus.get_html("/messages").await;
        assert_eq!(Doc::parse(&html).attrs(".message-mail input[name=mail]", "value"), ["false"]);
        assert_eq!(linus.post("/messages/mail", &[("mail", "false")]).await.status(), StatusCode::SEE_OTHER);
        for n in 2..=5 {
            assert_eq!(ada.post(&format!("/messages/{id}"), &[("body", &format!("Message {n}"))]).await.status(), StatusCode::SEE_OTHER);
        }
        sink.wait_for_nth("grace@example.test", "new message", 5).await;
        assert_eq!(sink.to("linus@example.test", "new message").len(), 1);

        // A new account has used its hour: the form comes back with the text kept.
        let refused = ada.post(&format!("/messages/{id}"), &[("body", "Sixth")]).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(Doc::parse(&refused.text().await.unwrap()).text("#body"), "Sixth");
        // An older one has more.
        age(&app, "ada").await;
        assert_eq!(ada.post(&format!("/messages/{id}"), &[("body", "Sixth")]).await.status(), StatusCode::SEE_OTHER);
        app.stop().await;
    }

    async fn the_api_keeps_the_same_conversations_by_the_same_rules(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let ada = app.signed_in("ada", "reader").await;
        let grace = app.signed_in("grace", "reader").await;
        let outsider = app.signed_in("outsider", "reader").await;
        let moderator = app.signed_in("mod", "moderator").await;
        let ada_token = make_token(&ada, &["comment"]).await;
        let read_only = make_token(&ada, &[]).await;
        let grace_token = make_token(&grace, &["comment"]).await;
        let outsider_token = make_token(&outsider, &["comment"]).await;
        let mod_token = make_token(&moderator, &["moderate_comments"]).await;

        let body = json!({"to": ["grace"], "subject": "Through the API", "body": "Hello"});
        assert_eq!(api.post("/api/v1/me/conversations", None, body.clone()).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(api.post("/api/v1/me/conversations", Some(&read_only), body.clone()).await.status, StatusCode::FORBIDDEN);
        let refused = api.post("/api/v1/me/conversations", Some(&ada_token), json!({"to": [], "subject": "", "body": ""})).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut fields = refused.fields();
        fields.sort();
        assert_eq!(fields, ["body", "subject", "to"]);
        let started = api.post("/api/v1/me/conversations", Some(&ada_token), body).await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
        let id = started.body["id"].as_i64().unwrap();
        assert_eq!(started.body["members"], json!(["ada", "grace"]));

        let list = api.get("/api/v1/me/conversations", Some(&grace_token)).await;
        assert_eq!((list.body["unread"].as_u64(), list.body["items"][0]["unread"].as_bool()), (Some(1), Some(true)));
        assert_eq!(list.body["items"][0]["with"], json!(["ada"]));
        let path = format!("/api/v1/me/conversations/{id}");
        let read = api.get(&path, Some(&grace_token)).await;
        assert_eq!(read.body["messages"][0]["body_html"], "<p>Hello</p>\n");
        assert_eq!(api.get("/api/v1/me/conversations", Some(&grace_token)).await.body["unread"], 0);
        let sent = api.post(&format!("{path}/messages"), Some(&grace_token), json!({"body": "Hi *back*"})).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        assert_eq!(sent.body["sender"], "grace");
        // What the API sent, the page shows.
        let (_, html) = ada.get_html(&format!("/messages/{id}")).await;
        assert!(html.contains("<em>back</em>"));

        // Nobody outside reads, writes or leaves it.
        assert_eq!(api.get(&path, Some(&outsider_token)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.get(&path, Some(&mod_token)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.post(&format!("{path}/messages"), Some(&outsider_token), json!({"body": "x"})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.delete(&path, Some(&outsider_token)).await.status, StatusCode::NOT_FOUND);
        let message_id = read.body["messages"][0]["id"].as_i64().unwrap();
        let report = format!("/api/v1/messages/{message_id}/report");
        assert_eq!(api.post(&report, Some(&outsider_token), json!({"reason": "x"})).await.status, StatusCode::NOT_FOUND);

        // Blocks and reports.
        assert_eq!(api.put("/api/v1/me/blocks/ada", Some(&grace_token), json!({})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get("/api/v1/me/blocks", Some(&grace_token)).await.body["usernames"], json!(["ada"]));
        assert_eq!(api.put("/api/v1/me/blocks/grace", Some(&grace_token), json!({})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refused = api.post("/api/v1/me/conversations", Some(&ada_token), json!({"to": ["grace"], "subject": "Again", "body": "Hi"})).await;
        assert_eq!((refused.status, refused.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["to".to_owned()]));
        assert_eq!(api.delete("/api/v1/me/blocks/ada", Some(&grace_token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.delete("/api/v1/me/blocks/ada", Some(&grace_token)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.post(&report, Some(&grace_token), json!({"reason": "Rude"})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.post(&report, Some(&grace_token), json!({"reason": "Rude"})).await.status, StatusCode::CONFLICT);
        assert_eq!(api.get("/api/v1/moderation/message-reports", Some(&grace_token)).await.status, StatusCode::FORBIDDEN);
        let reports = api.get("/api/v1/moderation/message-reports", Some(&mod_token)).await;
        assert_eq!(reports.body["total"], 1);
        assert_eq!((reports.body["items"][0]["body"].as_str(), reports.body["items"][0]["reporter"].as_str()), (Some("Hello"), Some("grace")));
        let report_id = reports.body["items"][0]["id"].as_i64().unwrap();
        let resolve = format!("/api/v1/moderation/message-reports/{report_id}");
        assert_eq!(api.post(&resolve, Some(&mod_token), json!({"action": "nothing"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(api.post(&resolve, Some(&mod_token), json!({"action": "dismiss"})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get("/api/v1/moderation/message-reports", Some(&mod_token)).await.body["total"], 0);

        // Leaving.
        assert_eq!(api.delete(&path, Some(&grace_token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&path, Some(&grace_token)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.get("/api/v1/me/conversations", Some(&grace_token)).await.body["total"], 0);
        app.stop().await;
    }
}
