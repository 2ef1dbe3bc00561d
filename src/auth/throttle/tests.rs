//! The throttle's counting, in memory (Redis is exercised by `tests/app/redis.rs`).

use super::*;

async fn memory() -> Throttle {
    Throttle::connect(None).await.unwrap()
}

#[tokio::test]
async fn five_failures_stop_that_account_from_that_address_only() {
    let throttle = memory().await;
    let keys = PasswordKeys::new("Ada", "10.0.0.1");
    for _ in 0..PAIR.limit {
        throttle.begin_password(&keys).await.unwrap();
        throttle.password_failed(&keys).await;
    }
    let wait = throttle.begin_password(&keys).await.unwrap_err();
    assert!(wait > 14 * 60 && wait <= 15 * 60, "{wait}");

    // Another account from the same address (a colleague behind the same NAT) is fine...
    assert!(
        throttle
            .begin_password(&PasswordKeys::new("bob", "10.0.0.1"))
            .await
            .is_ok()
    );
    // ...and so is the same account from another address.
    assert!(
        throttle
            .begin_password(&PasswordKeys::new("ada", "10.0.0.2"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_address_trying_many_accounts_hits_the_high_address_limit() {
    let throttle = memory().await;
    for i in 0..ADDRESS.limit {
        let keys = PasswordKeys::new(&format!("user{i}"), "10.0.0.9");
        throttle.begin_password(&keys).await.unwrap();
        throttle.password_failed(&keys).await;
    }
    assert!(
        throttle
            .begin_password(&PasswordKeys::new("new", "10.0.0.9"))
            .await
            .is_err()
    );
    assert!(
        throttle
            .begin_password(&PasswordKeys::new("new", "10.0.0.8"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn successful_logins_give_their_attempt_back() {
    let throttle = memory().await;
    for i in 0..ADDRESS.limit * 2 {
        let keys = PasswordKeys::new(&format!("user{}", i % 7), "10.0.0.5");
        let reservation = throttle.begin_password(&keys).await.unwrap();
        throttle.password_succeeded(&keys, reservation).await;
    }
}

#[tokio::test]
async fn an_account_guessed_from_many_addresses_slows_down_but_is_not_locked() {
    let throttle = memory().await;
    for i in 0..ACCOUNT_FREE_FAILURES {
        let keys = PasswordKeys::new("target", &format!("10.1.0.{i}"));
        throttle.begin_password(&keys).await.unwrap();
        throttle.password_failed(&keys).await;
    }
    let wait = throttle
        .begin_password(&PasswordKeys::new("target", "10.2.0.1"))
        .await
        .unwrap_err();
    assert_eq!(wait, 1, "a short delay, not a lockout");
    assert_eq!(account_delay_ms(ACCOUNT_FREE_FAILURES + 3), Some(8000));
    assert_eq!(account_delay_ms(ACCOUNT_FREE_FAILURES + 60), Some(60_000));
    assert_eq!(account_delay_ms(ACCOUNT_FREE_FAILURES - 1), None);
}

#[tokio::test]
async fn parallel_guesses_cannot_pass_the_limit() {
    let throttle = std::sync::Arc::new(memory().await);
    let keys = PasswordKeys::new("ada", "10.0.0.3");
    let tries = (0..20).map(|_| {
        let throttle = throttle.clone();
        let keys = keys.clone();
        tokio::spawn(async move { throttle.begin_password(&keys).await.is_ok() })
    });
    let mut allowed = 0;
    for task in tries {
        allowed += usize::from(task.await.unwrap());
    }
    assert_eq!(allowed, PAIR.limit);
}

#[test]
fn the_memory_table_stays_bounded() {
    let mut map = HashMap::new();
    let now = now_millis();
    for i in 0..MAX_KEYS + 10 {
        make_room(&mut map, now, 1);
        let entry: &mut Entry = map.entry(Key::new("t", &i.to_string())).or_default();
        entry.window_ms = 1000;
        entry.events.push_back((now, 0));
    }
    assert!(map.len() <= MAX_KEYS, "{}", map.len());
    assert!(map.contains_key(&Key::new("t", &(MAX_KEYS + 9).to_string())));
}
