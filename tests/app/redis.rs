//! Scale-out: two instances on one PostgreSQL database, sharing sessions and login throttling
//! through Redis, each with its own content cache. Runs when `MARQUEE_TEST_REDIS_URL` and
//! `MARQUEE_TEST_POSTGRES_URL` are set (`.ci/run` sets both).

use crate::helpers::{Backend, PASSWORD, TestDb, Visitor};
use reqwest::StatusCode;

#[cfg_attr(
    not(all(marquee_redis, marquee_postgres)),
    ignore = "MARQUEE_TEST_REDIS_URL and MARQUEE_TEST_POSTGRES_URL are not both set"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_postgres_share_sessions_throttling_and_fresh_pages() {
    let redis = std::env::var("MARQUEE_TEST_REDIS_URL").expect("MARQUEE_TEST_REDIS_URL");
    // The address counters are shared by every test run from this machine: start clean.
    let forget_ip = async || {
        let client = ::redis::Client::open(redis.as_str()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = ::redis::cmd("KEYS")
            .arg("marquee:throttle:*")
            .query_async(&mut conn)
            .await
            .unwrap();
        if !keys.is_empty() {
            let _: () = ::redis::cmd("DEL")
                .arg(keys)
                .query_async(&mut conn)
                .await
                .unwrap();
        }
    };
    forget_ip().await;
    let test_db = TestDb::create(Backend::Postgres).await;
    let mut settings = test_db.settings();
    settings.redis_url = Some(redis.clone());
    settings.api_rate_per_minute = 4;
    let one = test_db.spawn_with(settings.clone()).await;
    let two = test_db.spawn_with(settings).await;
    let suffix = std::process::id();
    let name = format!("scaled{suffix}");
    one.create_user(&name, "reader").await;

    // One person, one cookie jar, two servers behind a load balancer.
    let on_one = one.visitor();
    let on_two = Visitor {
        address: two.address.clone(),
        client: on_one.client.clone(),
    };
    let login = on_one.login(&name, PASSWORD).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let copied = crate::helpers::session_cookie(&login);
    assert_eq!(
        on_two.nav_username().await.as_deref(),
        Some(name.as_str()),
        "a session started on instance one is used on instance two (no cookie store)"
    );

    // Both instances have the post list and the home page in their caches...
    let anonymous_two = Visitor {
        address: two.address.clone(),
        client: crate::helpers::client(),
    };
    for path in ["/", "/posts"] {
        assert!(
            !anonymous_two
                .get_html(path)
                .await
                .1
                .contains("Written on one")
        );
    }
    // ...a post written through instance one is on instance two's pages on the next request.
    one.create_user(&format!("writer{suffix}"), "author").await;
    let author = one.visitor();
    author.login_ok(&format!("writer{suffix}"), PASSWORD).await;
    let response = author
        .post(
            "/posts/new",
            &[
                ("title", "Written on one"),
                ("body", "Hello."),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for path in ["/", "/posts"] {
        assert!(
            anonymous_two
                .get_html(path)
                .await
                .1
                .contains("Written on one"),
            "{path} on instance two shows the new post at once"
        );
    }

    // Logging out through instance two ends the session for instance one too, even for a
    // copy of the cookie.
    let token = on_one.csrf().await;
    let response = on_two
        .post_raw("/logout", &[("csrf_token", token.as_str())])
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "a form from one is accepted by two"
    );
    assert_eq!(on_one.nav_username().await, None, "logged out everywhere");
    let replayed = crate::helpers::client()
        .get(one.url("/settings/profile"))
        .header("cookie", &copied)
        .send()
        .await
        .unwrap();
    assert_eq!(
        replayed.status(),
        StatusCode::SEE_OTHER,
        "the copied cookie opens nothing on instance one"
    );

    // Failures counted on one instance throttle the other.
    let attacker_one = one.visitor();
    for _ in 0..5 {
        assert_eq!(
            attacker_one.login(&name, "wrong password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let attacker_two = Visitor {
        address: two.address.clone(),
        client: crate::helpers::client(),
    };
    assert_eq!(
        attacker_two.login(&name, PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // A personal access token's rate limit is counted across both instances.
    let secret = crate::api_client::make_token(&author, &[]).await;
    let me = |app: &crate::helpers::TestApp| {
        reqwest::Client::new()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
    };
    for app in [&one, &two, &one, &two] {
        assert_eq!(me(app).await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(
        me(&one).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS,
        "four calls spread over both instances use up the token's minute"
    );

    forget_ip().await;
    // Comments per account are counted across instances: ten on one, the eleventh on two waits.
    let host = one.create_user(&format!("host{suffix}"), "author").await;
    let post = one
        .create_post(host, &format!("Scaled talk {suffix}"), true, None, &[])
        .await;
    let talker_on_one = one.signed_in(&format!("talker{suffix}"), "reader").await;
    let talker_on_two = Visitor {
        address: two.address.clone(),
        client: talker_on_one.client.clone(),
    };
    let path = format!("/posts/{}/comments", post.slug);
    for n in 0..10 {
        let posted = talker_on_one
            .post(&path, &[("body", &format!("Comment {n}"))])
            .await;
        assert_eq!(
            crate::helpers::location(&posted),
            format!("/posts/{}?page=1#comment-{}", post.slug, n + 1),
            "{n}"
        );
    }
    let refused = talker_on_two.post(&path, &[("body", "One more")]).await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the limit holds on the other instance"
    );

    // Messages per account too: a new account's five on one, the sixth on two waits.
    let friend = format!("friend{suffix}");
    one.create_user(&friend, "reader").await;
    let sender_on_one = one.signed_in(&format!("sender{suffix}"), "reader").await;
    let sender_on_two = Visitor {
        address: two.address.clone(),
        client: sender_on_one.client.clone(),
    };
    let started = sender_on_one
        .post(
            "/messages",
            &[("to", &friend), ("subject", "Hello"), ("body", "One")],
        )
        .await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let conversation = crate::helpers::location(&started);
    for n in 2..=5 {
        let sent = sender_on_one
            .post(&conversation, &[("body", &format!("Message {n}"))])
            .await;
        assert_eq!(sent.status(), StatusCode::SEE_OTHER, "{n}");
    }
    let refused = sender_on_two
        .post(&conversation, &[("body", "Sixth")])
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the message limit holds on the other instance"
    );

    one.stop().await;
    two.stop().await;
    // Made outside `backend_tests!`, so nothing else drops it.
    test_db.drop_database().await;
}
