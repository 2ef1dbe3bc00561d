//! Throttling of password guesses (login, the current-password check), of sign-ups, of reset
//! requests, of comments per account and of API calls per token, built
//! so that it cannot be turned against the people it protects:
//!
//! - per account *and* address: 5 failures in 15 minutes, then a 429 until the oldest ages out
//!   (a guesser is stopped; the same account from another address is not);
//! - per address: 300 attempts in 15 minutes, whatever the account (an office behind one NAT
//!   shares an address, so this limit is high: one person's typos never lock out a colleague);
//! - per account across all addresses: never a lockout, but after 10 failures in 15 minutes
//!   each further try must wait a delay that doubles with every failure, up to a minute;
//! - sign-ups: 10 an hour per address;
//! - comments and replies: 10 in 10 minutes per account (moderators are not counted), so a
//!   runaway script or a spammer's account floods nothing; a refused comment gives its place
//!   back.
//!
//! An attempt is counted (reserved) *before* the password is checked, atomically, so parallel
//! guesses cannot get past a limit; a successful login gives its reservation back. Keys are
//! SHA-256 hashes, so neither memory nor Redis holds names or addresses, and the in-memory table
//! is bounded (expired entries are pruned, then the stalest evicted). With Redis (sorted sets
//! updated in one `MULTI`) every instance sees the same counts; if Redis fails, the throttle
//! fails open with a warning rather than locking everybody out.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

const MINUTE_MS: i64 = 60_000;

/// One sliding-window counter: at most `limit` events per `window_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub limit: usize,
    pub window_ms: i64,
}

/// Failures per account and address.
pub const PAIR: Rule = Rule {
    limit: 5,
    window_ms: 15 * MINUTE_MS,
};
/// Attempts per address, any account (in flight or failed: successes give theirs back).
pub const ADDRESS: Rule = Rule {
    limit: 300,
    window_ms: 15 * MINUTE_MS,
};
/// Sign-ups per address.
pub const SIGNUP: Rule = Rule {
    limit: 10,
    window_ms: 60 * MINUTE_MS,
};
/// Comments and replies per account (moderators are not counted).
pub const COMMENTS: Rule = Rule {
    limit: 10,
    window_ms: 10 * MINUTE_MS,
};

/// Messages per account an hour.
pub const MESSAGES: Rule = Rule {
    limit: 60,
    window_ms: 60 * MINUTE_MS,
};
/// Messages an hour for an account younger than [`NEW_ACCOUNT_DAYS`].
pub const NEW_ACCOUNT_MESSAGES: Rule = Rule {
    limit: 5,
    window_ms: 60 * MINUTE_MS,
};
/// How long an account counts as new for [`NEW_ACCOUNT_MESSAGES`].
pub const NEW_ACCOUNT_DAYS: i64 = 7;

/// The message rule for `user`: lower while the account is new.
pub fn message_rule(user: &crate::domain::CurrentUser) -> Rule {
    let age = chrono::Utc::now().signed_duration_since(user.created_at);
    match age < chrono::Duration::days(NEW_ACCOUNT_DAYS) {
        true => NEW_ACCOUNT_MESSAGES,
        false => MESSAGES,
    }
}

/// Why a message must wait `seconds`.
pub fn messages_wait(user: &crate::domain::CurrentUser, seconds: u64) -> String {
    let rule = message_rule(user);
    let new = match rule == NEW_ACCOUNT_MESSAGES {
        true => format!(" (accounts younger than {NEW_ACCOUNT_DAYS} days send fewer)"),
        false => String::new(),
    };
    format!(
        "You have sent {} messages in the last hour{new}: wait {} minute(s) before the next one.",
        rule.limit,
        seconds.div_ceil(60).max(1)
    )
}

/// Why a comment must wait `seconds`.
pub fn comments_wait(seconds: u64) -> String {
    format!(
        "You have posted {} comments in the last {} minutes: wait {} minute(s) before the next one.",
        COMMENTS.limit,
        COMMENTS.window_ms / MINUTE_MS,
        seconds.div_ceil(60).max(1)
    )
}

/// Failures per account (all addresses) before each try must wait.
pub const ACCOUNT_FREE_FAILURES: usize = 10;
const ACCOUNT_WINDOW_MS: i64 = 15 * MINUTE_MS;
const ACCOUNT_MAX_DELAY_MS: i64 = 60_000;

/// Keys the in-memory table holds at most.
const MAX_KEYS: usize = 50_000;

/// A hashed throttle key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key([u8; 16]);

impl Key {
    fn new(kind: &str, value: &str) -> Key {
        let digest = Sha256::digest(format!("{kind}\u{1f}{value}").as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Key(bytes)
    }

    fn redis(&self) -> String {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        format!("marquee:throttle:{hex}")
    }
}

/// The keys of one password attempt for `account` (a username or email, as typed, or a user
/// id for the current-password check) from `ip`.
#[derive(Clone, Debug)]
pub struct PasswordKeys {
    pair: Key,
    address: Key,
    account: Key,
}

impl PasswordKeys {
    pub fn new(account: &str, ip: &str) -> PasswordKeys {
        let account = account.trim().to_lowercase();
        PasswordKeys {
            pair: Key::new("pair", &format!("{account}\u{1f}{ip}")),
            address: Key::new("address", ip),
            account: Key::new("account", &account),
        }
    }
}

/// Counted events that may be given back.
#[derive(Debug)]
pub struct Reservation {
    events: Vec<(Key, u64)>,
}

#[derive(Debug, Default)]
pub struct Entry {
    /// (time in ms, event id), oldest first.
    events: VecDeque<(i64, u64)>,
    window_ms: i64,
}

impl Entry {
    fn prune(&mut self, now: i64) {
        while self
            .events
            .front()
            .is_some_and(|(t, _)| *t <= now - self.window_ms)
        {
            self.events.pop_front();
        }
    }
}

/// The counts every limit above keeps: in this process, or in Redis shared by every instance.
pub enum Throttle {
    Memory(Mutex<HashMap<Key, Entry>>),
    Redis(ConnectionManager),
}

impl Throttle {
    pub async fn connect(redis_url: Option<&str>) -> anyhow::Result<Throttle> {
        match redis_url {
            None => Ok(Throttle::Memory(Mutex::new(HashMap::new()))),
            Some(url) => {
                let client = redis::Client::open(url)?;
                Ok(Throttle::Redis(ConnectionManager::new(client).await?))
            }
        }
    }

    /// Reserves a password attempt before the password is checked: `Err(seconds)` to wait
    /// when the account must slow down or a limit is reached.
    pub async fn begin_password(&self, keys: &PasswordKeys) -> Result<Reservation, u64> {
        self.account_wait(&keys.account).await?;
        self.reserve(&[(keys.pair, PAIR), (keys.address, ADDRESS)])
            .await
    }

    /// The password was right: the attempt is given back and the account's failures forgotten.
    pub async fn password_succeeded(&self, keys: &PasswordKeys, reservation: Reservation) {
        self.release(reservation).await;
        self.forget(&[keys.pair, keys.account]).await;
    }

    /// The password was wrong: the attempt stays counted, and the account slows down.
    pub async fn password_failed(&self, keys: &PasswordKeys) {
        let now = now_millis();
        self.add(keys.account, ACCOUNT_WINDOW_MS, now).await;
    }

    /// Reserves a sign-up from `ip`; give it back with [`Self::release`] when the form is
    /// refused before an account is created.
    pub async fn begin_signup(&self, ip: &str) -> Result<Reservation, u64> {
        self.reserve(&[(Key::new("signup", ip), SIGNUP)]).await
    }

    /// Counts a "forgot password" request from `ip` (each can send a mail).
    pub async fn begin_forgot(&self, ip: &str) -> Result<Reservation, u64> {
        self.reserve(&[(Key::new("forgot", ip), SIGNUP)]).await
    }

    /// Runs `write`, a comment (or reply) by `user`, within their share, pages and API alike,
    /// on every instance: `Err(seconds)` to wait, without running it, once they have posted
    /// [`COMMENTS`]' limit in its window. A refused comment gives its place back; a moderator
    /// is not counted.
    pub async fn comment<T, E>(
        &self,
        user: &crate::domain::CurrentUser,
        write: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<Result<T, E>, u64> {
        if crate::services::blog::is_moderator(user) {
            return Ok(write.await);
        }
        let key = Key::new("comment", &user.id.to_string());
        let reservation = self.reserve(&[(key, COMMENTS)]).await?;
        let outcome = write.await;
        if outcome.is_err() {
            self.release(reservation).await;
        }
        Ok(outcome)
    }

    /// Runs `write`, a message by `user`, within their hourly share ([`message_rule`]), pages
    /// and API alike, on every instance: `Err(seconds)` to wait, without running it. A refused
    /// message gives its place back.
    pub async fn message<T, E>(
        &self,
        user: &crate::domain::CurrentUser,
        write: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<Result<T, E>, u64> {
        let key = Key::new("message", &user.id.to_string());
        let reservation = self.reserve(&[(key, message_rule(user))]).await?;
        let outcome = write.await;
        if outcome.is_err() {
            self.release(reservation).await;
        }
        Ok(outcome)
    }

    /// Counts one JSON API request made with token `token_id`: `Err(seconds)` to wait once
    /// the token has made `per_minute` requests in the last minute.
    pub async fn api_call(&self, token_id: i32, per_minute: u32) -> Result<(), u64> {
        let rule = Rule {
            limit: usize::try_from(per_minute.max(1)).unwrap_or(usize::MAX),
            window_ms: 60_000,
        };
        self.reserve(&[(Key::new("api", &token_id.to_string()), rule)])
            .await
            .map(|_| ())
    }

    /// Gives reserved events back.
    pub async fn release(&self, reservation: Reservation) {
        match self {
            Throttle::Memory(map) => {
                if let Ok(mut map) = map.lock() {
                    for (key, id) in &reservation.events {
                        if let Some(entry) = map.get_mut(key) {
                            entry.events.retain(|(_, e)| e != id);
                        }
                    }
                }
            }
            Throttle::Redis(conn) => {
                let mut pipe = redis::pipe();
                for (key, id) in &reservation.events {
                    pipe.zrem(key.redis(), id.to_string()).ignore();
                }
                run(conn, &pipe, "release").await;
            }
        }
    }

    /// Counts one event under every key, atomically; when any key is then over its limit the
    /// events are taken back and the wait until the oldest ages out is returned.
    async fn reserve(&self, counters: &[(Key, Rule)]) -> Result<Reservation, u64> {
        let now = now_millis();
        let id = rand::random::<u64>();
        let reservation = Reservation {
            events: counters.iter().map(|(key, _)| (*key, id)).collect(),
        };
        let wait = match self {
            Throttle::Memory(map) => {
                let Ok(mut map) = map.lock() else {
                    return Ok(reservation);
                };
                make_room(&mut map, now, counters.len());
                let mut wait = 0i64;
                for (key, rule) in counters {
                    let entry = map.entry(*key).or_default();
                    entry.window_ms = entry.window_ms.max(rule.window_ms);
                    entry.prune(now);
                    entry.events.push_back((now, id));
                    if entry.events.len() > rule.limit {
                        let oldest = entry.events.front().map_or(now, |(t, _)| *t);
                        wait = wait.max(oldest + rule.window_ms - now);
                    }
                }
                wait
            }
            Throttle::Redis(conn) => {
                let mut pipe = redis::pipe();
                pipe.atomic();
                for (key, rule) in counters {
                    let name = key.redis();
                    pipe.zrembyscore(&name, "-inf", now - rule.window_ms)
                        .ignore()
                        .zadd(&name, id.to_string(), now)
                        .ignore()
                        .zcard(&name)
                        .zrange_withscores(&name, 0, 0)
                        .pexpire(&name, rule.window_ms)
                        .ignore();
                }
                let mut conn = conn.clone();
                // Per key: the count after adding, and the oldest event with its time.
                let answer: redis::RedisResult<Vec<redis::Value>> =
                    pipe.query_async(&mut conn).await;
                match answer.and_then(|values| over_limit_wait(&values, counters, now)) {
                    Ok(wait) => wait,
                    Err(error) => {
                        tracing::warn!(%error, "throttle: Redis failed; not throttling");
                        0
                    }
                }
            }
        };
        if wait > 0 {
            self.release(reservation).await;
            Err(seconds(wait))
        } else {
            Ok(reservation)
        }
    }

    /// `Err(seconds)` while an account with many recent failures must wait before its next try.
    async fn account_wait(&self, key: &Key) -> Result<(), u64> {
        let now = now_millis();
        let (failures, last) = match self {
            Throttle::Memory(map) => match map.lock() {
                Ok(mut map) => match map.get_mut(key) {
                    Some(entry) => {
                        entry.prune(now);
                        (
                            entry.events.len(),
                            entry.events.back().map_or(0, |(t, _)| *t),
                        )
                    }
                    None => (0, 0),
                },
                Err(_) => (0, 0),
            },
            Throttle::Redis(conn) => {
                let mut conn = conn.clone();
                let name = key.redis();
                let answer: redis::RedisResult<(usize, Vec<(String, f64)>)> = redis::pipe()
                    .zcount(&name, now - ACCOUNT_WINDOW_MS, "+inf")
                    .zrange_withscores(&name, -1, -1)
                    .query_async(&mut conn)
                    .await;
                match answer {
                    Ok((count, last)) => (count, last.first().map_or(0, |(_, s)| *s as i64)),
                    Err(error) => {
                        tracing::warn!(%error, "throttle: Redis failed; not throttling");
                        (0, 0)
                    }
                }
            }
        };
        match account_delay_ms(failures) {
            Some(delay) if last + delay > now => Err(seconds(last + delay - now)),
            _ => Ok(()),
        }
    }

    async fn add(&self, key: Key, window_ms: i64, now: i64) {
        let id = rand::random::<u64>();
        match self {
            Throttle::Memory(map) => {
                if let Ok(mut map) = map.lock() {
                    make_room(&mut map, now, 1);
                    let entry = map.entry(key).or_default();
                    entry.window_ms = entry.window_ms.max(window_ms);
                    entry.prune(now);
                    entry.events.push_back((now, id));
                }
            }
            Throttle::Redis(conn) => {
                let name = key.redis();
                let mut pipe = redis::pipe();
                pipe.atomic()
                    .zrembyscore(&name, "-inf", now - window_ms)
                    .ignore()
                    .zadd(&name, id.to_string(), now)
                    .ignore()
                    .pexpire(&name, window_ms)
                    .ignore();
                run(conn, &pipe, "add").await;
            }
        }
    }

    async fn forget(&self, keys: &[Key]) {
        match self {
            Throttle::Memory(map) => {
                if let Ok(mut map) = map.lock() {
                    for key in keys {
                        map.remove(key);
                    }
                }
            }
            Throttle::Redis(conn) => {
                let mut pipe = redis::pipe();
                for key in keys {
                    pipe.del(key.redis()).ignore();
                }
                run(conn, &pipe, "forget").await;
            }
        }
    }
}

/// The longest wait among the counters that went over their limit, from the answers of the
/// reserve pipeline (a count, then the oldest `(member, time)`, per counter).
fn over_limit_wait(
    values: &[redis::Value],
    counters: &[(Key, Rule)],
    now: i64,
) -> redis::RedisResult<i64> {
    let mut wait = 0i64;
    for (pair, (_, rule)) in values.chunks(2).zip(counters) {
        let [count, oldest] = pair else { break };
        let count: usize = redis::from_redis_value(count)?;
        if count > rule.limit {
            let oldest: Vec<(String, f64)> = redis::from_redis_value(oldest)?;
            let oldest = oldest.first().map_or(now, |(_, t)| *t as i64);
            wait = wait.max(oldest + rule.window_ms - now);
        }
    }
    Ok(wait)
}

async fn run(conn: &ConnectionManager, pipe: &redis::Pipeline, what: &str) {
    let mut conn = conn.clone();
    let result: redis::RedisResult<()> = pipe.query_async(&mut conn).await;
    if let Err(error) = result {
        tracing::warn!(%error, what, "throttle: Redis write failed");
    }
}

/// The wait between tries once an account has `failures` recent failures: none up to
/// [`ACCOUNT_FREE_FAILURES`], then 1 s doubling with each failure, at most a minute.
fn account_delay_ms(failures: usize) -> Option<i64> {
    let over = failures.checked_sub(ACCOUNT_FREE_FAILURES)?;
    let doublings = u32::try_from(over).unwrap_or(u32::MAX).min(6);
    Some((1000i64 << doublings).min(ACCOUNT_MAX_DELAY_MS))
}

/// Keeps the in-memory table bounded: when `incoming` more keys would pass [`MAX_KEYS`],
/// expired entries go first, then the tenth of entries whose newest event is oldest.
fn make_room(map: &mut HashMap<Key, Entry>, now: i64, incoming: usize) {
    if map.len() + incoming <= MAX_KEYS {
        return;
    }
    map.retain(|_, entry| {
        entry.prune(now);
        !entry.events.is_empty()
    });
    if map.len() + incoming <= MAX_KEYS {
        return;
    }
    let mut newest: Vec<(i64, Key)> = map
        .iter()
        .map(|(key, entry)| (entry.events.back().map_or(0, |(t, _)| *t), *key))
        .collect();
    newest.sort_unstable_by_key(|(t, _)| *t);
    let evict = (MAX_KEYS / 10).max(incoming);
    for (_, key) in newest.into_iter().take(evict) {
        map.remove(&key);
    }
}

fn seconds(ms: i64) -> u64 {
    u64::try_from(ms.max(1)).unwrap_or(1).div_ceil(1000)
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests;
