//! Mail, end to end against a real SMTP server running inside the test process ([`MailSink`]):
//! the confirmation mail after sign-up, "forgot password", the change of address, an
//! administrator's reset link. Each link works once, not after it expires, and not after the
//! password or address it was issued under changed; a reset ends every session.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{PASSWORD, TestApp, TestDb, location};

/// A real SMTP server on a free port, in this process: `mailin` speaks the protocol, a thread
/// per connection does the I/O, and `mail-parser` decodes every message it receives.
pub struct MailSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stopped: Arc<AtomicBool>,
}

/// One message as the SMTP server received and decoded it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Collects one connection's messages.
struct Collector {
    received: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin::Handler for Collector {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _8bit: bool,
        to: &[String],
    ) -> mailin::Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin::Response {
        use mail_parser::{MessageParser, PartType};
        let message = MessageParser::default()
            .parse(&self.data)
            .expect("a MIME message");
        let part = |html: bool| {
            message
                .parts
                .iter()
                .find_map(|part| match (&part.body, html) {
                    (PartType::Text(text), false) | (PartType::Html(text), true) => {
                        Some(text.to_string())
                    }
                    _ => None,
                })
                .unwrap_or_default()
        };
        let received = Received {
            to: std::mem::take(&mut self.to),
            subject: message.subject().unwrap_or_default().to_owned(),
            text: part(false),
            html: part(true),
        };
        self.received.lock().unwrap().push(received);
        mailin::response::OK
    }
}

/// Speaks SMTP with one client until it quits.
fn converse(stream: TcpStream, received: Arc<Mutex<Vec<Received>>>) -> std::io::Result<()> {
    let remote: IpAddr = stream.peer_addr()?.ip();
    let collector = Collector {
        received,
        to: Vec::new(),
        data: Vec::new(),
    };
    let mut session = mailin::SessionBuilder::new("sink.test").build(remote, collector);
    let mut writer = stream.try_clone()?;
    session.greeting().write_to(&mut writer)?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            mailin::Action::Reply => response.write_to(&mut writer)?,
            mailin::Action::NoReply => {}
            mailin::Action::Close | mailin::Action::UpgradeTls => {
                response.write_to(&mut writer)?;
                return Ok(());
            }
        }
        writer.flush()?;
    }
}

impl MailSink {
    pub fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let (store, stop) = (received.clone(), stopped.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let store = store.clone();
                std::thread::spawn(move || {
                    // A client that hangs up mid-conversation is the client's business.
                    let _ = converse(stream, store);
                });
            }
        });
        MailSink {
            port,
            received,
            stopped,
        }
    }

    /// The application on `test_db`, sending its mail here.
    pub async fn app(&self, test_db: &TestDb) -> TestApp {
        test_db.spawn_with(self.settings(test_db)).await
    }

    pub fn settings(&self, test_db: &TestDb) -> marquee::config::Settings {
        let mut settings = test_db.settings();
        settings.smtp_host = Some("127.0.0.1".into());
        settings.smtp_port = Some(self.port);
        settings.smtp_security = "none".into();
        settings
    }

    /// Every message received so far, in the order they arrived.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The messages to `to` whose subject contains `subject`.
    pub fn to(&self, to: &str, subject: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject))
            .collect()
    }

    /// Waits (up to 30 s) for the `n`-th message to `to` whose subject contains `subject`.
    pub async fn wait_for_nth(&self, to: &str, subject: &str, n: usize) -> Received {
        for _ in 0..300 {
            if let Some(found) = self.to(to, subject).into_iter().nth(n - 1) {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no mail #{n} to {to} about {subject:?}; received: {:?}",
            self.received()
        );
    }

    pub async fn wait_for(&self, to: &str, subject: &str) -> Received {
        self.wait_for_nth(to, subject, 1).await
    }
}

impl Drop for MailSink {
    fn drop(&mut self) {
        // Wake the accepting thread so that it sees the flag and ends.
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

impl Received {
    /// The path of the one link into the site's `/account/` pages, read from the plain text
    /// and checked against the HTML alternative.
    pub fn link(&self, app: &TestApp) -> String {
        let start = self
            .text
            .find(&format!("{}/account/", app.address))
            .unwrap_or_else(|| panic!("a link in {:?}", self.text));
        let url = self.text[start..].split_whitespace().next().unwrap();
        assert!(
            self.html.contains(&format!("href=\"{url}\"")),
            "the HTML alternative links the same page: {}",
            self.html
        );
        url.strip_prefix(&app.address).unwrap().to_owned()
    }
}

async fn audited(app: &TestApp, action: &str, user_id: i32) -> usize {
    entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq(action))
        .filter(entity::audit_log::Column::SubjectId.eq(user_id.to_string()))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

async fn account(app: &TestApp, username: &str) -> entity::user::Model {
    entity::user::Entity::find_by_username(username)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

backend_tests! {
    async fn signing_up_mails_a_link_that_confirms_the_address_once(test_db: TestDb) {
        let sink = MailSink::start();
        let app = sink.app(&test_db).await;
        let author = app.create_user("ada", "author").await;
        let post = app.create_post(author, "Open thread", true, None, &[]).await;
        let visitor = app.visitor();
        let response = visitor
            .post("/register", &[("username", "Newbie"), ("email", "newbie@example.test"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // Signed in, but nothing to write with until the address is confirmed.
        let comment = format!("/posts/{}/comments", post.slug);
        let response = visitor.post(&comment, &[("body", "First!")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(response.text().await.unwrap().contains("Confirm your email address first"));
        let response = visitor.post("/settings/profile", &[("display_name", "Cheap pills"), ("website", "https://spam.example")]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "nothing public before the address is confirmed");
        let (_, home) = visitor.get_html("/").await;
        assert!(home.contains("Send the link again"), "the reminder shows");

        let mail = sink.wait_for("newbie@example.test", "Confirm your email address").await;
        assert!(mail.text.contains("Hello newbie"), "{}", mail.text);
        let link = mail.link(&app);
        assert!(link.starts_with("/account/verify/"), "{link}");
        let secret = link.rsplit('/').next().unwrap();
        assert!(secret.len() >= 43, "256 random bits: {secret}");
        let stored = entity::account_link::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].token_hash, marquee::services::accounts::secrets::token_id(secret), "only its SHA-256 is stored");

        // Opening the link changes nothing by itself; its button does.
        let response = visitor.get(&link).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store", "no cache keeps a link's page");
        let page = response.text().await.unwrap();
        assert!(page.contains("Confirm my address"));
        assert!(account(&app, "newbie").await.email_verified_at.is_none());
        let response = visitor.post(&link, &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let newbie = account(&app, "newbie").await;
        assert!(newbie.email_verified_at.is_some());
        assert_eq!(audited(&app, "user.verify", newbie.id).await, 1);

        // The reader role's permissions hold now, and the banner is gone.
        let response = visitor.post(&comment, &[("body", "First!")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, home) = visitor.get_html("/").await;
        assert!(!home.contains("Send the link again"));

        // Used once: the link is gone, for a GET and a POST alike.
        assert_eq!(visitor.get(&link).await.status(), StatusCode::GONE);
        assert_eq!(visitor.post(&link, &[]).await.status(), StatusCode::GONE);
        assert_eq!(app.visitor().get("/account/verify/not-a-secret").await.status(), StatusCode::GONE);
        app.stop().await;
    }

    async fn send_the_link_again_is_limited_and_the_newest_link_works(test_db: TestDb) {
        let sink = MailSink::start();
        let app = sink.app(&test_db).await;
        let visitor = app.visitor();
        visitor
            .post("/register", &[("username", "late"), ("email", "late@example.test"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
            .await;
        sink.wait_for("late@example.test", "Confirm").await;
        for _ in 0..2 {
            let response = visitor.post("/settings/verify", &[]).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
        }
        let (_, page) = visitor.get_html("/users/late").await;
        assert!(page.contains("We have sent you a new link"), "{page}");
        // A fourth link within the hour is refused with a clear message, and not sent.
        visitor.post("/settings/verify", &[]).await;
        let (_, page) = visitor.get_html("/users/late").await;
        assert!(page.contains("several links in the last hour"), "{page}");
        let third = sink.wait_for_nth("late@example.test", "Confirm", 3).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(sink.to("late@example.test", "Confirm").len(), 3);
        let response = visitor.post(&third.link(&app), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(account(&app, "late").await.email_verified_at.is_some());
        app.stop().await;
    }

    async fn a_forgotten_password_is_reset_once_through_the_mailed_link_and_every_session_ends(test_db: TestDb) {
        let sink = MailSink::start();
        let app = sink.app(&test_db).await;
        let ada = app.create_user("ada", "reader").await;
        let elsewhere = app.visitor();
        elsewhere.login_ok("ada", PASSWORD).await;
        let token = crate::api_client::make_token(&elsewhere, &["comment"]).await;
        let me = |token: String| {
            let url = app.url("/api/v1/me");
            async move { reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap().status() }
        };
        assert_eq!(me(token.clone()).await, StatusCode::OK);

        // The same answer for an address without an account, and no mail for it.
        let stranger = app.visitor();
        let unknown = stranger.post("/password/forgot", &[("email", "nobody@example.test")]).await;
        assert_eq!(unknown.status(), StatusCode::SEE_OTHER);
        let (_, unknown_page) = stranger.get_html(&location(&unknown)).await;
        let known = stranger.post("/password/forgot", &[("email", "ADA@example.test")]).await;
        assert_eq!(known.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&known), location(&unknown));
        let (_, known_page) = stranger.get_html(&location(&known)).await;
        assert!(known_page.contains("If an account uses that address"));
        assert_eq!(known_page, unknown_page, "the same page either way");

        let mail = sink.wait_for("ada@example.test", "Reset your Marquee password").await;
        assert!(sink.to("nobody@example.test", "").is_empty());
        let link = mail.link(&app);
        let (status, page) = stranger.get_html(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("ada"));

        // A refused password keeps the link working.
        let new_password = "a brand new password 42";
        let response = stranger.post(&link, &[("password", new_password), ("password_confirm", "something else entirely")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let response = stranger.post(&link, &[("password", new_password), ("password_confirm", new_password)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/login");

        assert_eq!(elsewhere.nav_username().await, None, "every session of the account ended");
        assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "and every access token");
        assert_eq!(stranger.login("ada", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        stranger.login_ok("ada", new_password).await;
        assert_eq!(audited(&app, "user.password_reset", ada).await, 1);
        assert_eq!(app.visitor().post(&link, &[("password", PASSWORD), ("password_confirm", PASSWORD)]).await.status(), StatusCode::GONE);

        // An expired link is refused.
        app.visitor().post("/password/forgot", &[("email", "ada@example.test")]).await;
        let expiring = sink.wait_for_nth("ada@example.test", "Reset", 2).await.link(&app);
        entity::account_link::Entity::update_many()
            .col_expr(entity::account_link::Column::ExpiresAt, sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(app.visitor().get(&expiring).await.status(), StatusCode::GONE);

        // A link issued before the password changed is refused after.
        app.visitor().post("/password/forgot", &[("email", "ada@example.test")]).await;
        let stale = sink.wait_for_nth("ada@example.test", "Reset", 3).await.link(&app);
        assert_eq!(app.visitor().get(&stale).await.status(), StatusCode::OK);
        let member = app.visitor();
        member.login_ok("ada", new_password).await;
        let response = member
            .post("/settings/password", &[("current_password", new_password), ("new_password", "yet another password 7"), ("new_password_confirm", "yet another password 7")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.visitor().get(&stale).await.status(), StatusCode::GONE);
        app.stop().await;
    }

    async fn changing_the_address_needs_the_password_and_a_confirmation_from_the_new_address(test_db: TestDb) {
        let sink = MailSink::start();
        let app = sink.app(&test_db).await;
        let member = app.signed_in("ada", "reader").await;
        app.create_user("bob", "reader").await;

        let response = member.visitor.post("/settings/email", &[("email", "ada@new.example"), ("current_password", "wrong password here")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("That is not your current password."));
        assert!(page.contains("value=\"ada@new.example\""), "the value is kept");
        let response = member.visitor.post("/settings/email", &[("email", "bob@example.test"), ("current_password", PASSWORD)]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);

        let response = member.visitor.post("/settings/email", &[("email", "Ada@New.example"), ("current_password", PASSWORD)]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let confirm = sink.wait_for("ada@new.example", "Confirm your new email address").await;
        let notice = sink.wait_for("ada@example.test", "is being changed").await;
        assert!(notice.text.contains("ada@new.example"));
        assert_eq!(account(&app, "ada").await.email, "ada@example.test", "nothing changes before the link is used");

        let link = confirm.link(&app);
        let (status, page) = app.visitor().get_html(&link).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("ada@new.example"));
        let response = app.visitor().post(&link, &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let ada = account(&app, "ada").await;
        assert_eq!(ada.email, "ada@new.example");
        assert!(ada.email_verified_at.is_some());
        assert_eq!(audited(&app, "user.email_change", ada.id).await, 1);
        assert_eq!(app.visitor().post(&link, &[]).await.status(), StatusCode::GONE);
        // The new address signs in.
        app.visitor().login_ok("ada@new.example", PASSWORD).await;
        app.stop().await;
    }

    async fn an_administrator_sends_a_reset_link_and_filters_accounts_by_confirmed_address(test_db: TestDb) {
        let sink = MailSink::start();
        let app = sink.app(&test_db).await;
        let boss = app.create_user("boss", "admin").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        app.visitor()
            .post("/register", &[("username", "fresh"), ("email", "fresh@example.test"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
            .await;
        let fresh = account(&app, "fresh").await;

        let row = |id: i32| format!("href=\"/admin/users/{id}\"");
        let (_, unconfirmed) = admin.get_html("/admin/users?verified=no").await;
        assert!(unconfirmed.contains(&row(fresh.id)) && !unconfirmed.contains(&row(boss)), "{unconfirmed}");
        let (_, confirmed) = admin.get_html("/admin/users?verified=yes").await;
        assert!(confirmed.contains(&row(boss)) && !confirmed.contains(&row(fresh.id)));
        let (_, page) = admin.get_html(&format!("/admin/users/{}", fresh.id)).await;
        assert!(page.contains("not confirmed"));

        let reader = app.signed_in("nosy", "reader").await;
        let path = format!("/admin/users/{}/reset-link", fresh.id);
        assert_eq!(reader.visitor.post(&path, &[]).await.status(), StatusCode::FORBIDDEN);
        let response = admin.post(&path, &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let mail = sink.wait_for("fresh@example.test", "Reset your Marquee password").await;
        assert!(mail.link(&app).starts_with("/account/reset/"));
        assert_eq!(audited(&app, "user.reset_link", fresh.id).await, 1);
        assert_eq!(sink.to("fresh@example.test", "Reset").len(), 1, "the reader's attempt sent nothing");

        // A user manager without the admin's permissions cannot send the admin a link.
        let curator = app.create_role("curator", &[entity::enums::Permission::ManageUsers]).await;
        let manager = app.create_user("manager", "reader").await;
        entity::user::Entity::update_many()
            .col_expr(entity::user::Column::RoleId, sea_orm::sea_query::Expr::value(curator))
            .filter(entity::user::Column::Id.eq(manager))
            .exec(&app.db)
            .await
            .unwrap();
        let manager = app.visitor();
        manager.login_ok("manager", PASSWORD).await;
        let response = manager.post(&format!("/admin/users/{boss}/reset-link"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, page) = manager.get_html(&location(&response)).await;
        assert!(page.contains("permissions you do not hold"), "{page}");
        let boss_links = entity::account_link::Entity::find()
            .filter(entity::account_link::Column::UserId.eq(boss))
            .all(&app.db)
            .await
            .unwrap();
        assert!(boss_links.is_empty(), "no link was issued, so no mail can go");
        app.stop().await;
    }

    async fn mail_waits_in_the_outbox_while_the_server_is_down_and_goes_out_after_a_restart(test_db: TestDb) {
        use entity::mail_outbox;
        // An SMTP address where nothing listens.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut settings = test_db.settings();
        settings.smtp_host = Some("127.0.0.1".into());
        settings.smtp_port = Some(closed);
        settings.smtp_security = "none".into();
        // Polls every second, so that a delivery task outliving its server would show below.
        settings.mail_poll_secs = 1;
        let app = test_db.spawn_with(settings).await;
        let response = app
            .visitor()
            .post("/register", &[("username", "patient"), ("email", "patient@example.test"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "the sign-up does not wait for the mail server");
        let mut waiting = None;
        for _ in 0..100 {
            let rows = mail_outbox::Entity::find().all(&app.db).await.unwrap();
            if let Some(row) = rows.into_iter().find(|r| r.attempts >= 1 && r.last_error.is_some()) {
                waiting = Some(row);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let row = waiting.expect("a failed attempt is recorded");
        assert_eq!(row.recipient, "patient@example.test");
        assert!(!row.payload.contains("/account/"), "the outbox holds no link: {}", row.payload);
        assert!(row.failed_at.is_none(), "not given up after one attempt");
        assert!(row.next_attempt_at > chrono::Utc::now(), "the next attempt waits");
        app.stop().await;
        // A new pool: the stopped server's connections may belong to its workers' runtimes,
        // which ended with it.
        let db = test_db.connect().await;

        // Later (the wait is over), a restarted server with a working mail server sends it.
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::NextAttemptAt, sea_orm::sea_query::Expr::value(chrono::Utc::now()))
            .exec(&db)
            .await
            .unwrap();
        // The stopped instance's delivery ended with it: it does not try again.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let rows = mail_outbox::Entity::find().all(&db).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.attempts).collect::<Vec<_>>(), vec![row.attempts], "no attempt after the stop");
        let sink = MailSink::start();
        let restarted = sink.app(&test_db).await;
        let mail = sink.wait_for("patient@example.test", "Confirm your email address").await;
        let response = restarted.visitor().post(&mail.link(&restarted), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "the link still works");
        for _ in 0..50 {
            if mail_outbox::Entity::find().all(&restarted.db).await.unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(mail_outbox::Entity::find().all(&restarted.db).await.unwrap().is_empty(), "delivered mail leaves the outbox");
        restarted.stop().await;
    }
}
