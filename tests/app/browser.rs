//! A real Chromium, driven through WebDriver (`chromedriver`), against the spawned app.
//!
//! Needs Debian's `chromium` and `chromium-driver`; `.ci/run` installs them. Where no
//! chromedriver was found when the tests were built, these tests are listed as ignored.
//! Screenshots go to `target/screenshots/`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestDb};

/// A chromedriver process and one browser session, closed on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    profile: tempfile::TempDir,
}

fn chromedriver_path() -> String {
    std::env::var("MARQUEE_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver_path())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (install chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let binary =
            std::env::var("MARQUEE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": binary,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                        "--window-size=1280,900",
                        format!("--user-data-dir={}", profile.path().display()),
                    ]
                }
            }}
        });
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("a WebDriver session")
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Browser {
            driver,
            base,
            session,
            http,
            profile,
        }
    }

    async fn try_command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = reply["value"].get("error") {
            return Err(format!(
                "WebDriver {path}: {error} {}",
                reply["value"]["message"]
            ));
        }
        Ok(reply["value"].clone())
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_command(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Waits (up to 5 s) until the page shows `needle`: a click that submits a form returns
    /// before the next page has loaded.
    pub async fn wait_for_text(&self, needle: &str) {
        let mut last = String::new();
        for _ in 0..50 {
            let script = json!({ "script": "return document.body ? document.body.innerText : '';", "args": [] });
            if let Ok(text) = self
                .try_command(reqwest::Method::POST, "/execute/sync", Some(script))
                .await
            {
                last = text.as_str().unwrap_or_default().to_owned();
                if last.contains(needle) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {needle:?}; it shows:\n{last}");
    }

    /// Waits (up to 5 s) for the browser to be at `url`.
    pub async fn wait_for_url(&self, url: &str) {
        for _ in 0..50 {
            if self.current_url().await == url {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(self.current_url().await, url);
    }

    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn title(&self) -> String {
        self.command(reqwest::Method::GET, "/title", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Texts of every element matching a CSS selector.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let found = self
            .command(
                reqwest::Method::POST,
                "/elements",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        let mut texts = Vec::new();
        for element in found.as_array().unwrap() {
            let id = element
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .as_str()
                .unwrap();
            let text = self
                .command(reqwest::Method::GET, &format!("/element/{id}/text"), None)
                .await;
            texts.push(text.as_str().unwrap_or_default().to_owned());
        }
        texts
    }

    pub async fn click(&self, css: &str) {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        let id = found
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Types into an input (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn current_url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Saves a PNG screenshot as `target/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let data = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn quit(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = &self.profile;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_opens_the_home_page_in_chromium_and_sees_the_navigation() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;

    assert_eq!(browser.title().await, "Home · Marquee");
    let nav = browser.texts("nav .nav-links a").await;
    assert_eq!(nav, ["Home", "Posts", "Movies", "Groups"]);
    let posts = browser.texts(".post-card .post-title").await;
    assert!(!posts.is_empty(), "published posts are listed");
    let shot = browser.screenshot("home").await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );

    browser.goto(&app.url("/no-such-page")).await;
    assert_eq!(browser.title().await, "Page not found · Marquee");
    browser.click(".error-page a.button").await;
    browser.wait_for_url(&app.url("/")).await;
    browser.screenshot("not-found-then-home").await;

    browser.quit().await;
    app.stop().await;
}

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_member_gains_a_capability_when_an_admin_gives_them_a_new_role() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.create_user("boss", "admin").await;
    let browser = Browser::start().await;
    let password = crate::helpers::PASSWORD;

    // A visitor signs up through the form (a first attempt with a short password fails).
    browser.goto(&app.url("/register")).await;
    browser.fill("#username", "Juno").await;
    browser.fill("#email", "juno@example.test").await;
    browser.fill("#password", "short").await;
    browser.fill("#password_confirm", "short").await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    browser.wait_for_text("Use at least 10 characters.").await;
    browser.screenshot("register-errors").await;
    browser.fill("#password", password).await;
    browser.fill("#password_confirm", password).await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    browser.wait_for_url(&app.url("/users/juno")).await;
    browser.wait_for_text("Welcome to Marquee, juno!").await;
    assert!(
        !browser
            .texts("nav .nav-links a")
            .await
            .contains(&"Admin".to_owned())
    );
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // The admin logs in, creates a role with chosen permissions and assigns it.
    browser.goto(&app.url("/login")).await;
    browser.fill("#login", "boss").await;
    browser.fill("#password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back, boss.").await;
    browser.goto(&app.url("/admin/roles/new")).await;
    browser.fill("#name", "curator").await;
    browser
        .fill("#description", "Looks after the member list")
        .await;
    browser
        .click("input[name=permissions][value=manage_users]")
        .await;
    browser
        .click("input[name=permissions][value=comment]")
        .await;
    browser.screenshot("admin-role-form").await;
    browser
        .click("form[action='/admin/roles/new'] button[type=submit]")
        .await;
    browser.wait_for_text("Role “curator” created.").await;
    browser.wait_for_url(&app.url("/admin/roles")).await;
    browser.screenshot("admin-roles").await;

    let juno = entity::user::Entity::find_by_username("juno")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let curator = entity::role::Entity::find_by_name("curator")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    browser
        .goto(&app.url(&format!("/admin/users/{}", juno.id)))
        .await;
    browser
        .click(&format!("#role_id option[value='{}']", curator.id))
        .await;
    browser
        .click(&format!(
            "form[action='/admin/users/{}'] button[type=submit]",
            juno.id
        ))
        .await;
    browser.wait_for_text("juno is saved.").await;
    browser.screenshot("admin-users").await;
    browser.goto(&app.url("/admin")).await;
    browser.screenshot("admin-dashboard").await;
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;

    // The member logs in again and now has the admin area's user list.
    browser.goto(&app.url("/login")).await;
    browser.fill("#login", "juno@example.test").await;
    browser.fill("#password", password).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back, juno.").await;
    assert!(
        browser
            .texts("nav .nav-links a")
            .await
            .contains(&"Admin".to_owned())
    );
    browser.goto(&app.url("/admin/users")).await;
    browser.wait_for_text("boss").await;
    let subnav = browser.texts(".subnav a").await;
    assert!(subnav.contains(&"Users".to_owned()) && !subnav.contains(&"Roles".to_owned()));
    browser.screenshot("member-admin-users").await;

    browser.quit().await;
    app.stop().await;
}

async fn log_in(browser: &Browser, app: &crate::helpers::TestApp, login: &str) {
    browser.goto(&app.url("/login")).await;
    browser.fill("#login", login).await;
    browser.fill("#password", crate::helpers::PASSWORD).await;
    browser
        .click("form[action='/login'] button[type=submit]")
        .await;
    browser.wait_for_text("Welcome back").await;
}

async fn log_out(browser: &Browser) {
    browser.click("form[action='/logout'] button").await;
    browser.wait_for_text("You are logged out.").await;
}

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_posts_a_reader_comments_and_a_moderator_hides_the_comment() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    app.create_user("writer", "author").await;
    app.create_user("viewer", "reader").await;
    app.create_user("warden", "moderator").await;
    let rust = entity::category::Entity::find_by_slug("rust")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let browser = Browser::start().await;

    // The author writes a post with a category and tags.
    log_in(&browser, &app, "writer").await;
    browser.click("a[href='/posts/new']").await;
    browser.wait_for_text("Write a post").await;
    browser.fill("#title", "Borrow checker diaries").await;
    browser
        .fill("#body", "## Day one\n\nThe compiler is **always** right.")
        .await;
    browser
        .click(&format!("#category_id option[value='{}']", rust.id))
        .await;
    browser.fill("#tags", "rust, learning").await;
    browser.click("#status option[value='published']").await;
    browser.screenshot("post-form").await;
    browser
        .click("form[action='/posts/new'] button[type=submit]")
        .await;
    browser.wait_for_text("Your post is published.").await;
    browser
        .wait_for_url(&app.url("/posts/borrow-checker-diaries"))
        .await;
    let tags = browser.texts(".post header .tag").await;
    assert_eq!(tags, ["#learning", "#rust"]);
    log_out(&browser).await;

    // A reader finds it in its category and comments.
    log_in(&browser, &app, "viewer").await;
    browser.goto(&app.url("/categories/programming")).await;
    browser.wait_for_text("Borrow checker diaries").await;
    browser.screenshot("category-page").await;
    browser
        .click("a[href='/posts/borrow-checker-diaries']")
        .await;
    browser.wait_for_text("Day one").await;
    browser
        .fill("#body", "Wait until you meet lifetimes.")
        .await;
    browser.click("form.comment-form button[type=submit]").await;
    browser.wait_for_text("Your comment is posted.").await;
    browser
        .wait_for_text("Wait until you meet lifetimes.")
        .await;
    browser.screenshot("post-with-comment").await;
    log_out(&browser).await;

    // A moderator hides it from the moderation queue.
    log_in(&browser, &app, "warden").await;
    browser.click("nav a[href='/moderation']").await;
    browser
        .wait_for_text("Wait until you meet lifetimes.")
        .await;
    browser.screenshot("moderation").await;
    browser
        .click("ol.comment-list li:first-child form button")
        .await;
    browser.wait_for_text("Comment hidden.").await;
    log_out(&browser).await;

    // The reader no longer sees it.
    log_in(&browser, &app, "viewer").await;
    browser
        .goto(&app.url("/posts/borrow-checker-diaries"))
        .await;
    browser.wait_for_text("No comments yet.").await;
    let comments = browser.texts(".comment-body").await;
    assert!(comments.is_empty(), "{comments:?}");

    browser.quit().await;
    app.stop().await;
}

#[cfg_attr(
    not(marquee_browser),
    ignore = "no chromedriver found when the tests were built (apt-get install chromium chromium-driver)"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_filters_the_catalogue_opens_a_movie_and_reviews_it() {
    use marquee::seed::data::MOVIES;
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    app.seed_demo().await;
    app.create_user("critic", "reader").await;
    let browser = Browser::start().await;
    log_in(&browser, &app, "critic").await;

    // Pick a rating and decade the demo catalogue has, then expect exactly those movies.
    let target = MOVIES
        .iter()
        .find(|m| m.mpa == Some("PG") && m.year < 2000)
        .expect("a PG movie before 2000");
    let decade = target.year / 10 * 10;
    let mut expected: Vec<&str> = MOVIES
        .iter()
        .filter(|m| m.mpa == Some("PG") && m.year / 10 * 10 == decade)
        .map(|m| m.title)
        .collect();
    expected.sort_unstable();

    browser.goto(&app.url("/movies")).await;
    browser
        .click("#facet-mpa a[href*='mpa=PG']:not([href*='PG-13'])")
        .await;
    browser
        .wait_for_text(&format!(
            "{} movie",
            MOVIES.iter().filter(|m| m.mpa == Some("PG")).count()
        ))
        .await;
    browser
        .click(&format!("#facet-decade a[href*='year_from={decade}']"))
        .await;
    browser
        .wait_for_text(&format!("{} movie", expected.len()))
        .await;
    assert!(
        browser
            .current_url()
            .await
            .contains(&format!("year_from={decade}")),
        "the filter lives in the URL"
    );
    let mut shown = browser.texts(".movie-grid .movie-title a").await;
    shown.sort_unstable();
    assert_eq!(shown, expected);
    browser.screenshot("movies-filtered").await;

    // Open the movie and review it; the average follows.
    browser
        .click(".movie-grid a[href^='/movies/']:not([href*='?'])")
        .await;
    browser.wait_for_text("Directed by").await;
    let before = browser.texts("#average").await.concat();
    browser.click("#rating option[value='1']").await;
    browser.fill("#body", "Not for me, I am afraid.").await;
    browser.click("form.review-form button[type=submit]").await;
    browser
        .wait_for_text("Thank you: your review is posted.")
        .await;
    let after = browser.texts("#average").await.concat();
    assert_ne!(before, after, "the average and count change");
    assert!(after.contains("review"), "{after}");
    browser.wait_for_text("Not for me, I am afraid.").await;
    browser.screenshot("movie-reviewed").await;

    browser.quit().await;
    app.stop().await;
}
