//! Scale-out: two instances on one database share sessions and login throttling through
//! Redis. Runs when `MARQUEE_TEST_REDIS_URL` is set (`.ci/run` sets it).

use crate::helpers::{Backend, PASSWORD, TestDb, Visitor};

#[cfg_attr(not(marquee_redis), ignore = "MARQUEE_TEST_REDIS_URL is not set")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_and_login_throttling_through_redis() {
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
    let test_db = TestDb::create(Backend::Sqlite).await;
    let mut settings = test_db.settings();
    settings.redis_url = Some(redis.clone());
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
    on_one.login_ok(&name, PASSWORD).await;
    assert_eq!(
        on_two.signed_in_as().await.as_deref(),
        Some(name.as_str()),
        "session seen by instance two"
    );

    // A form rendered by one instance is accepted by the other (same CSRF token in Redis).
    let token = on_one.csrf().await;
    let response = on_two
        .post_raw("/logout", &[("csrf_token", token.as_str())])
        .await;
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(on_one.signed_in_as().await, None, "logged out everywhere");

    // Failures counted on one instance throttle the other.
    let attacker_one = one.visitor();
    for _ in 0..5 {
        assert_eq!(
            attacker_one
                .login(&name, "wrong password")
                .await
                .status()
                .as_u16(),
            401
        );
    }
    let attacker_two = Visitor {
        address: two.address.clone(),
        client: crate::helpers::client(),
    };
    assert_eq!(
        attacker_two.login(&name, PASSWORD).await.status().as_u16(),
        429
    );

    forget_ip().await;
    one.stop().await;
    two.stop().await;
}
