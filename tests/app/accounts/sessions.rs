//! Sessions tracked on the server: logout ends a copied cookie, the sessions page ends any or all
//! others, lifetimes are enforced; login throttling that cannot be turned against others; the
//! trusted-proxy setting; `/metrics` and `Cache-Control` for signed-in pages.

use entity::{audit_log, user_session};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::helpers::{PASSWORD, TestApp, Visitor, client, location};

/// Logs in and returns the session cookie as set at login (`name=value`), as a thief who copied
/// it would have it.
async fn login_and_copy_cookie(visitor: &Visitor, name: &str) -> String {
    let response = visitor.login(name, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    crate::helpers::session_cookie(&response)
}

/// The status of `path` fetched with only `cookie` (no cookie jar).
async fn status_with_cookie(app: &TestApp, path: &str, cookie: &str) -> u16 {
    client()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn sessions_of(app: &TestApp, user: i32) -> u64 {
    user_session::Entity::find()
        .filter(user_session::Column::UserId.eq(user))
        .count(&app.db)
        .await
        .unwrap()
}

backend_tests! {
    async fn a_cookie_copied_before_logout_opens_nothing_after_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "reader").await;
        let visitor = app.visitor();
        let copied = login_and_copy_cookie(&visitor, "ada").await;
        assert_eq!(status_with_cookie(&app, "/settings/profile", &copied).await, 200);
        assert_eq!(sessions_of(&app, ada).await, 1);

        let response = visitor.post("/logout", &[]).await;

        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(sessions_of(&app, ada).await, 0);
        assert_eq!(status_with_cookie(&app, "/settings/profile", &copied).await, 303, "sent to log in");
        app.stop().await;
    }

    async fn the_sessions_page_lists_sessions_and_ends_others_or_all(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "reader").await;
        let (laptop, phone, tablet) = (app.visitor(), app.visitor(), app.visitor());
        let mut ids: Vec<String> = Vec::new();
        for device in [&laptop, &phone, &tablet] {
            device.login_ok("ada", PASSWORD).await;
            let new = user_session::Entity::find()
                .filter(user_session::Column::UserId.eq(ada))
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .find(|id| !ids.contains(id))
                .unwrap();
            ids.push(new);
        }

        let (status, html) = laptop.get_html("/settings/sessions").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(html.matches("/end\"").count(), 3, "three sessions listed");
        assert!(html.contains("(this session)"));

        // End one other session (the phone's) by its id.
        let response = laptop.post(&format!("/settings/sessions/{}/end", ids[1]), &[]).await;
        assert_eq!(location(&response), "/settings/sessions");
        assert_eq!(phone.nav_username().await, None, "the phone's session ended");
        assert_eq!(laptop.nav_username().await.as_deref(), Some("ada"));

        // Someone else's session id is not found, and ends nothing.
        let bob = app.signed_in("bob", "reader").await;
        let response = bob.post(&format!("/settings/sessions/{}/end", ids[2]), &[]).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(tablet.nav_username().await.as_deref(), Some("ada"));

        // End all others.
        laptop.post("/settings/sessions/end-others", &[]).await;
        assert_eq!(tablet.nav_username().await, None);
        assert_eq!(laptop.nav_username().await.as_deref(), Some("ada"));

        // Log out everywhere, this session too.
        phone.login_ok("ada", PASSWORD).await;
        laptop.post("/settings/sessions/end-all", &[]).await;
        assert_eq!(laptop.nav_username().await, None);
        assert_eq!(phone.nav_username().await, None);
        assert_eq!(sessions_of(&app, ada).await, 0);

        let revocations = audit_log::Entity::find()
            .filter(audit_log::Column::Action.starts_with("session."))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(revocations, 3, "each revocation is audited");
        app.stop().await;
    }

    async fn an_idle_or_too_old_session_ends_on_the_server(test_db: TestDb) {
        let app = test_db.spawn().await;
        let visitor = app.signed_in("ada", "reader").await;
        let ada = visitor.id;
        assert_eq!(visitor.nav_username().await.as_deref(), Some("ada"));

        // Four days without use (the idle lifetime is three).
        let four_days_ago = chrono::Utc::now() - chrono::Duration::days(4);
        user_session::Entity::update_many()
            .col_expr(user_session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(four_days_ago))
            .filter(user_session::Column::UserId.eq(ada))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(visitor.nav_username().await, None);
        assert_eq!(sessions_of(&app, ada).await, 0, "the expired row is removed");

        // Busy, but signed in fifteen days ago (the absolute lifetime is fourteen).
        visitor.login_ok("ada", PASSWORD).await;
        let long_ago = chrono::Utc::now() - chrono::Duration::days(15);
        user_session::Entity::update_many()
            .col_expr(user_session::Column::CreatedAt, sea_orm::sea_query::Expr::value(long_ago))
            .filter(user_session::Column::UserId.eq(ada))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(visitor.nav_username().await, None);
        app.stop().await;
    }

    async fn failures_for_made_up_names_do_not_lock_out_real_accounts_from_the_same_address(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("ada", "reader").await;
        let attacker = app.visitor();
        for i in 0..8 {
            let response = attacker.login(&format!("nobody{i}"), "wrong password").await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        // The same made-up name is stopped after five...
        for _ in 0..5 {
            attacker.login("nobody", "wrong password").await;
        }
        assert_eq!(attacker.login("nobody", "wrong password").await.status(), StatusCode::TOO_MANY_REQUESTS);

        // ...but a colleague behind the same address signs in as usual.
        let colleague = app.visitor();
        colleague.login_ok("ada", PASSWORD).await;
        let failed = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("auth.login_failed"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(failed, 13, "every failed attempt that was checked is audited");
        app.stop().await;
    }

    async fn the_current_password_check_is_throttled_too(test_db: TestDb) {
        let app = test_db.spawn().await;
        let visitor = app.signed_in("ada", "reader").await;
        let new = "a brand new passphrase";
        for _ in 0..5 {
            let response = visitor
                .post("/settings/password", &[("current_password", "guess"), ("new_password", new), ("new_password_confirm", new)])
                .await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        let response = visitor
            .post("/settings/password", &[("current_password", PASSWORD), ("new_password", new), ("new_password_confirm", new)])
            .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.headers().contains_key("retry-after"));
        app.stop().await;
    }

    async fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy(test_db: TestDb) {
        let untrusted = test_db.spawn().await;
        untrusted.create_user("ada", "reader").await;
        let bob = untrusted.create_user("bob", "reader").await;
        let login = |app: &TestApp, name: &'static str| {
            let visitor = app.visitor();
            async move {
                let token = visitor.csrf().await;
                visitor
                    .client
                    .post(visitor.url("/login"))
                    .header("x-forwarded-for", "203.0.113.7")
                    .form(&[("login", name), ("password", PASSWORD), ("csrf_token", token.as_str())])
                    .send()
                    .await
                    .unwrap()
            }
        };
        login(&untrusted, "ada").await;
        let entry = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("auth.login"))
            .one(&untrusted.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(entry.ip.as_deref(), Some("127.0.0.1"), "a forged header is ignored");
        untrusted.stop().await;

        let mut settings = test_db.settings();
        settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        let proxied = test_db.spawn_with(settings).await;
        login(&proxied, "bob").await;
        let entry = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("auth.login"))
            .order_by_desc(audit_log::Column::Id)
            .one(&proxied.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(entry.ip.as_deref(), Some("203.0.113.7"));
        let session = user_session::Entity::find()
            .filter(user_session::Column::UserId.eq(bob))
            .one(&proxied.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(session.ip.as_deref(), Some("203.0.113.7"));

        // /metrics answers loopback only, or the token: a proxied client is neither.
        let metrics = |forwarded: &'static str, token: Option<&'static str>| {
            let mut request = client().get(proxied.url("/metrics")).header("x-forwarded-for", forwarded);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(metrics("203.0.113.7", None).await, 404);
        assert_eq!(metrics("127.0.0.1", None).await, 200);
        proxied.stop().await;
    }

    async fn pages_for_signed_in_users_are_never_stored_by_caches(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("ada", "reader").await;
        let anonymous = app.visitor();
        let response = anonymous.get("/posts").await;
        assert_ne!(response.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));

        let member = app.visitor();
        member.login_ok("ada", PASSWORD).await;
        for path in ["/posts", "/settings/profile", "/settings/sessions"] {
            let response = member.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers().get("cache-control").unwrap(), "no-store", "{path}");
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn the_metrics_token_opens_metrics_to_other_addresses() {
    let test_db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).await;
    let mut settings = test_db.settings();
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    settings.metrics_token = Some(marquee::config::long_secret(&"m".repeat(40)).unwrap());
    let app = test_db.spawn_with(settings).await;
    let status = |token: &'static str| {
        let request = client()
            .get(app.url("/metrics"))
            .header("x-forwarded-for", "198.51.100.4")
            .bearer_auth(token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status("wrong").await, 404);
    let right = "m".repeat(40);
    let right: &'static str = Box::leak(right.into_boxed_str());
    assert_eq!(status(right).await, 200);
    app.stop().await;
}
