//! What deploying and keeping a site takes: the binary alone, copied anywhere, serves the
//! site with its stylesheet and images; `marquee backup` copies a serving SQLite site
//! consistently, with every write acknowledged before it began; the other backends are told
//! which tool to use.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{Backend, Doc, TestDb, client};
use crate::migrate_verbs::run_program;

/// A `marquee` process, killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `binary serve` in `folder` (on a free port, with the default SQLite database there)
/// and returns it with the address it printed.
async fn serve(binary: &Path, folder: &Path) -> (Process, String) {
    let mut child = Command::new(binary)
        .arg("serve")
        .current_dir(folder)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("MARQUEE_BIND", "127.0.0.1:0")
        .env("MARQUEE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the copied binary starts");
    let stdout = child.stdout.take().unwrap();
    let process = Process(child);
    // Read every line the server prints, to the end: the address is sent on as soon as it
    // comes, and the pipe stays open for the rest.
    let (sender, address) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut sender = Some(sender);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("Marquee is running at ")
                && let Some(sender) = sender.take()
            {
                let _ = sender.send(address.to_owned());
            }
        }
    });
    let address = tokio::time::timeout(Duration::from_secs(60), address)
        .await
        .expect("the server starts within a minute")
        .expect("the server says where it listens");
    (process, address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_binary_alone_serves_the_home_page_with_its_stylesheet_and_images() {
    // The binary cargo built for these tests embeds `static/` as a release build does.
    let folder = tempfile::tempdir().unwrap();
    let binary = folder.path().join("marquee");
    std::fs::copy(env!("CARGO_BIN_EXE_marquee"), &binary).unwrap();
    let (_server, address) = serve(&binary, folder.path()).await;

    let http = client();
    let home = http.get(format!("{address}/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let doc = Doc::parse(&home.text().await.unwrap());
    let stylesheet = doc.attrs("link[rel=stylesheet]", "href").remove(0);
    let icon = doc.attrs("link[rel=icon]", "href").remove(0);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    for (href, file) in [(stylesheet, "css/site.css"), (icon, "img/favicon.svg")] {
        let response = http.get(format!("{address}{href}")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{href}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let served = response.bytes().await.unwrap();
        assert_eq!(
            served.as_ref(),
            std::fs::read(source.join(file)).unwrap(),
            "{href} is {file}"
        );
    }
}

#[test]
fn every_file_under_static_is_built_in() {
    let mut built_in: Vec<String> = marquee::assets::paths().collect();
    built_in.sort();
    assert_eq!(built_in, ["css/site.css", "img/favicon.svg"]);
    assert!(marquee::assets::stylesheet().ends_with("/css/site.css"));
    assert!(marquee::assets::favicon().ends_with("/img/favicon.svg"));
}

/// Every comment body in the database at `url`.
async fn comment_bodies(url: &str) -> Vec<String> {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT body FROM comment",
        ))
        .await
        .unwrap();
    db.close().await.unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_fifty_writers_comment_holds_every_write_acknowledged_before_it() {
    let test_db = TestDb::create(Backend::Sqlite).await;
    let app = test_db.spawn().await;
    let author = app.create_user("backup_author", "author").await;
    let post = app.create_post(author, "Backed up", true, None, &[]).await;
    let mut writers = Vec::new();
    // Moderators, whose comments are not throttled: the writers must keep writing while the
    // backup runs, past a member's ten comments in ten minutes.
    for i in 0..50 {
        writers.push(app.signed_in(&format!("writer{i}"), "moderator").await);
    }

    // Every writer comments again and again; each acknowledged comment is noted with when it
    // was sent and when its answer came.
    let acknowledged: Arc<Mutex<Vec<(String, Instant, Instant)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let path = format!("/posts/{}/comments", post.slug);
    let tasks: Vec<_> = writers
        .into_iter()
        .enumerate()
        .map(|(i, writer)| {
            let (acknowledged, stop, path) = (acknowledged.clone(), stop.clone(), path.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let body = format!("writer {i}, comment {n}");
                    let sent = Instant::now();
                    let response = writer.post(&path, &[("body", &body)]).await;
                    // A write that waited too long for the database is refused with a 503
                    // (and `Retry-After`): not acknowledged, so the backup owes it nothing.
                    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
                        assert!(response.headers().contains_key("retry-after"), "{body}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{body}");
                    acknowledged
                        .lock()
                        .unwrap()
                        .push((body, sent, Instant::now()));
                    n += 1;
                }
            })
        })
        .collect();

    // The backup starts once a hundred comments are in, however slow the machine.
    let waiting = Instant::now();
    while acknowledged.lock().unwrap().len() < 100 {
        assert!(
            waiting.elapsed() < Duration::from_secs(120),
            "the writers make progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let file = tempfile::tempdir().unwrap();
    let copy = file.path().join("copy.db");
    let started = Instant::now();
    let backup = run_program(
        Path::new(env!("CARGO_BIN_EXE_marquee")),
        &["backup".into(), copy.display().to_string()],
        &test_db.url,
    )
    .await;
    backup.expect_ok("marquee backup");
    assert!(
        backup.stdout.contains("integrity check ok"),
        "{}",
        backup.stdout
    );
    assert!(
        backup.stdout.contains("to restore"),
        "it says how to restore: {}",
        backup.stdout
    );
    let finished = Instant::now();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let overlapping = acknowledged
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, sent, acked)| *sent < finished && *acked > started)
        .count();
    assert!(
        overlapping > 0,
        "writes were in flight while the backup ran"
    );

    let copy_url = format!("sqlite://{}?mode=ro", copy.display());
    let db = sea_orm::Database::connect(copy_url.as_str()).await.unwrap();
    let check = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    db.close().await.unwrap();
    let in_copy: std::collections::HashSet<String> =
        comment_bodies(&copy_url).await.into_iter().collect();
    let before: Vec<String> = acknowledged
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, _, acked)| *acked < started)
        .map(|(body, _, _)| body.clone())
        .collect();
    assert!(
        before.len() >= 100,
        "writes were acknowledged before the backup: {}",
        before.len()
    );
    let missing: Vec<&String> = before.iter().filter(|b| !in_copy.contains(*b)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, missing from it: {missing:?}"
    );
    app.stop().await;

    // The copy is a working site.
    let mut settings = test_db.settings();
    settings.database_url = format!("sqlite://{}?mode=rwc", copy.display());
    let site = test_db.spawn_with(settings).await;
    let (status, html) = site.get_html(&format!("/posts/{}", post.slug)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Backed up"));
    site.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_names_the_tool_for_postgres_and_mysql_and_refuses_to_overwrite() {
    let marquee = Path::new(env!("CARGO_BIN_EXE_marquee"));
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("copy.db").display().to_string();
    for (url, tool) in [
        ("postgres://postgres@127.0.0.1:5432/postgres", "pg_dump"),
        ("mysql://root@127.0.0.1:3306/test", "mariadb-dump"),
        ("sqlite://:memory:", "memory"),
        (
            &format!("sqlite://{}/none.db?mode=rwc", folder.path().display()),
            "no SQLite database",
        ),
    ] {
        let outcome = run_program(marquee, &["backup".into(), target.clone()], url).await;
        assert!(!outcome.ok, "{url}");
        assert!(
            outcome.stderr.starts_with("error: ") && outcome.stderr.contains(tool),
            "{url}: {}",
            outcome.stderr
        );
        assert_eq!(
            outcome.stderr.trim().lines().count(),
            1,
            "{}",
            outcome.stderr
        );
    }
    assert!(
        !folder.path().join("none.db").exists(),
        "no empty database is made on the way"
    );
    std::fs::write(&target, b"keep me").unwrap();
    let test_db = TestDb::create(Backend::Sqlite).await;
    test_db.spawn().await.stop().await;
    let outcome = run_program(marquee, &["backup".into(), target.clone()], &test_db.url).await;
    assert!(
        !outcome.ok && outcome.stderr.contains("already exists"),
        "{}",
        outcome.stderr
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
}
