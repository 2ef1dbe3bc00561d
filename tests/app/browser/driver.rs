//! The browser harness: a chromedriver process, one WebDriver session, and the checks run on
//! every page shown (axe in the browser, the Nu HTML checker at the end).

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// A chromedriver process and one browser session, closed on drop.
pub struct Browser {
    driver: Child,
    client: Client,
    _profile: tempfile::TempDir,
    /// Every page shown so far: its address and its markup as the browser parsed it.
    pages: RefCell<Vec<(String, String)>>,
    /// Accessibility violations found by axe, with the page they were on.
    violations: RefCell<Vec<String>>,
}

pub(super) fn chromedriver_path() -> String {
    std::env::var("MARQUEE_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into())
}

pub(super) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A checker's file, from its variable: the tests that need one are ignored when it was not
/// set to an existing file as they were built (`build.rs`), so here it must be there.
pub(super) fn tool(var: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{var} is not set (the tests were built with it)"));
    assert!(path.is_file(), "{var}: {} is not a file", path.display());
    path
}

pub(super) fn axe_source() -> &'static str {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AXE.get_or_init(|| std::fs::read_to_string(tool("MARQUEE_AXE_JS")).unwrap())
}

/// Runs axe in the page; its violations as lines (rule, help, the elements).
pub(super) const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ["violations"] }).then(
  (result) => done(result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)),
  (error) => done([`axe failed: ${error}`]),
);
"#;

impl Browser {
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(chromedriver_path())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (install chromium-driver)");
        let profile = tempfile::tempdir().unwrap();
        let binary =
            std::env::var("MARQUEE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({
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
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = String::new();
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    // axe over a page can take tens of seconds while the other tests load
                    // both cores; WebDriver's default script timeout (30 s) failed a journey
                    // in a loaded CI run.
                    let timeouts = fantoccini::wd::TimeoutConfiguration::new(
                        Some(Duration::from_secs(180)),
                        None,
                        None,
                    );
                    client
                        .update_timeouts(timeouts)
                        .await
                        .expect("WebDriver takes the script timeout");
                    return Browser {
                        driver,
                        client,
                        _profile: profile,
                        pages: RefCell::default(),
                        violations: RefCell::default(),
                    };
                }
                Err(error) => last_error = error.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no WebDriver session: {last_error}");
    }

    /// Keeps the page being shown for the Nu checker, and runs axe over it.
    async fn check_page(&self) {
        let url = self.current_url().await;
        if self.pages.borrow().iter().any(|(seen, _)| *seen == url) {
            return;
        }
        let source = self.client.source().await.unwrap();
        self.pages.borrow_mut().push((url.clone(), source));
        self.client.execute(axe_source(), vec![]).await.unwrap();
        let found = self.client.execute_async(AXE_RUN, vec![]).await.unwrap();
        for violation in found.as_array().into_iter().flatten() {
            let line = violation.as_str().unwrap_or_default();
            self.violations.borrow_mut().push(format!("{url}: {line}"));
        }
    }

    /// Waits (up to 5 s) until the page shows `needle`: a click that submits a form returns
    /// before the next page has loaded.
    pub async fn wait_for_text(&self, needle: &str) {
        let mut last = String::new();
        for _ in 0..50 {
            let script = "return document.body ? document.body.innerText : '';";
            if let Ok(text) = self.client.execute(script, vec![]).await {
                last = text.as_str().unwrap_or_default().to_owned();
                if last.contains(needle) {
                    self.check_page().await;
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
                self.check_page().await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(self.current_url().await, url);
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.check_page().await;
    }

    pub async fn title(&self) -> String {
        self.client.title().await.unwrap()
    }

    /// Texts of every element matching a CSS selector.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            texts.push(element.text().await.unwrap());
        }
        texts
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Types into an input (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        element.clear().await.unwrap();
        element.send_keys(text).await.unwrap();
    }

    /// Chooses a file in a file input (the path is typed into it, as WebDriver does).
    pub async fn attach(&self, css: &str, path: &std::path::Path) {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        element
            .send_keys(&path.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    /// Sets an input's value directly (a date field takes keystrokes in the browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    /// How many images matching a CSS selector have loaded, once the page has loaded them.
    pub async fn loaded_images(&self, css: &str) -> usize {
        let script = "const done = arguments[arguments.length - 1];
            const images = Array.from(document.querySelectorAll(arguments[0]));
            Promise.all(images.map(i => i.decode().then(() => 1, () => 0)))
                .then(loaded => done(loaded.reduce((a, b) => a + b, 0)));";
        let loaded = self
            .client
            .execute_async(script, vec![json!(css)])
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        usize::try_from(loaded.as_u64().unwrap_or(0)).unwrap()
    }

    /// Resizes the window (a phone is 390 px wide).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Whether the page is wider than the window, so that it scrolls sideways.
    pub async fn scrolls_sideways(&self) -> bool {
        let script = "const page = document.documentElement;
            return page.scrollWidth > page.clientWidth;";
        let wide = self.client.execute(script, vec![]).await.unwrap();
        wide.as_bool().unwrap()
    }

    pub async fn current_url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// Saves a PNG screenshot as `target/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the session, then fails if axe or the Nu checker found anything on any page shown.
    pub async fn quit(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let mut problems = std::mem::take(&mut *self.violations.borrow_mut());
        problems.extend(nu_errors(&self.pages.borrow()));
        assert!(
            problems.is_empty(),
            "{} problem(s) in the pages shown:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// The Nu HTML checker's errors over these pages (one run of `vnu.jar` for all of them).
pub(super) fn nu_errors(pages: &[(String, String)]) -> Vec<String> {
    let jar = tool("MARQUEE_VNU_JAR");
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (url, source)) in pages.iter().enumerate() {
        let path = dir.path().join(format!("page{i}.html"));
        // The browser's serialisation leaves out the doctype the page was sent with.
        let html = if source
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype")
        {
            source.clone()
        } else {
            format!("<!DOCTYPE html>\n{source}")
        };
        std::fs::write(&path, html).unwrap();
        files.push((path, url));
    }
    // A short run: the client compiler only (the server compiler's work on the validator
    // was half the JVM's CPU and never paid back within one journey's pages) and the serial
    // collector; the client compiler's frames need the bigger stack the checker asks for.
    let output = Command::new("java")
        .args(["-Xss8m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"])
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(files.iter().map(|(path, _)| path))
        .output()
        .expect("java runs vnu.jar");
    let report: Value = serde_json::from_slice(&output.stderr)
        .unwrap_or_else(|_| panic!("vnu: {}", String::from_utf8_lossy(&output.stderr)));
    let mut errors = Vec::new();
    for message in report["messages"].as_array().into_iter().flatten() {
        let file = message["url"].as_str().unwrap_or_default();
        let url = files
            .iter()
            .find(|(path, _)| file.ends_with(&*path.to_string_lossy()))
            .map_or(file, |(_, url)| url.as_str());
        errors.push(format!(
            "{url}: line {}: {} ({})",
            message["lastLine"],
            message["message"].as_str().unwrap_or_default(),
            message["extract"].as_str().unwrap_or_default().trim()
        ));
    }
    errors
}
