//! Pages through HTTP: the home page, `/healthz`, error pages, static files.

use marquee::seed::data::{MOVIES, POSTS};
use reqwest::StatusCode;

use crate::helpers::Doc;

backend_tests! {
    async fn the_home_page_shows_published_posts_and_newest_movies(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;

        let (status, html) = app.get_html("/").await;

        assert_eq!(status, StatusCode::OK);
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("title"), "Home · Marquee");
        // The most recently published demo post is listed first...
        let listed = doc.texts(".post-title a");
        assert_eq!(listed.first().map(String::as_str), Some(POSTS[0].title), "newest post first");
        // ...drafts (the last two demo posts) are not listed.
        for draft in &POSTS[POSTS.len() - 2..] {
            assert!(!listed.iter().any(|t| t == draft.title), "draft {} must not show", draft.title);
        }
        // The newest movie by year is listed, with its directors.
        let newest_movie = MOVIES.iter().max_by_key(|m| m.year).unwrap();
        assert!(doc.texts(".movie-title a").iter().any(|t| t == newest_movie.title), "{html}");
        assert!(doc.texts(".movie-card").iter().any(|card| card.contains(newest_movie.directors[0])));
        app.stop().await;
    }

    async fn the_home_page_of_an_empty_site_says_so(test_db: TestDb) {
        let app = test_db.spawn().await;
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("No posts have been published yet."));
        assert!(html.contains("The catalogue is empty."));
        app.stop().await;
    }

    async fn healthz_reports_ok_and_503_when_the_database_is_gone(test_db: TestDb) {
        let app = test_db.spawn().await;
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["database"], "ok");

        // Closing the pool the server shares makes every query fail.
        app.db.clone().close().await.unwrap();
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "unavailable");
        app.stop().await;
    }

    async fn an_unknown_page_gets_the_404_page_or_json_when_asked(test_db: TestDb) {
        let app = test_db.spawn().await;

        let (status, html) = app.get_html("/no/such/page").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("title"), "Page not found · Marquee");
        assert_eq!(doc.attrs("main a", "href").first().map(String::as_str), Some("/"), "a way back home");

        let response = app.get_json("/no/such/page").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        // The same problem details as the API's (one JSON error shape).
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], 404);
        assert_eq!(body["type"], "/docs/api#not-found");
        assert!(body["detail"].as_str().unwrap().contains("could not find"), "{body}");

        let response = app.get("/static/no-such-file.css").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }

    async fn responses_carry_a_request_id_and_static_files_are_cacheable(test_db: TestDb) {
        let app = test_db.spawn().await;
        let first = app.get("/").await;
        let second = app.get("/").await;
        let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(id(&first), id(&second), "every request gets its own id");

        let csp = first.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");

        // The page names its stylesheet by content; that URL is cached for a year.
        let (_, home) = app.get_html("/").await;
        let href = Doc::parse(&home).attrs("link[rel=stylesheet]", "href").remove(0);
        let hash = href.strip_prefix("/static/").and_then(|rest| rest.strip_suffix("/css/site.css"));
        assert!(hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit())), "{href}");
        let css = app.get(&href).await;
        assert_eq!(css.status(), StatusCode::OK);
        assert_eq!(css.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        let etag = css.headers()["etag"].to_str().unwrap().to_owned();
        assert!(!etag.starts_with("W/"), "a strong validator: {etag}");
        let again = app.client.get(app.url(&href)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        // Another build's hash, or none, gets the current file with a short lifetime.
        for other in ["/static/0123456789abcdef/css/site.css", "/static/css/site.css"] {
            let response = app.get(other).await;
            assert_eq!(response.status(), StatusCode::OK, "{other}");
            assert_eq!(response.headers()["cache-control"], "public, max-age=300", "{other}");
        }
        for bad in ["/static/../Cargo.toml", "/static/%2e%2e/Cargo.toml", "/static/0123456789abcdef/"] {
            assert_eq!(app.get(bad).await.status(), StatusCode::NOT_FOUND, "{bad}");
        }
        assert!(!css.headers().contains_key("set-cookie"), "no session for static files");
        app.stop().await;
    }

    async fn a_page_without_a_form_starts_no_session_and_is_shared_by_visitors_until_content_changes(test_db: TestDb) {
        use std::sync::atomic::Ordering;
        let app = test_db.spawn().await;
        let writer = app.signed_in("penman", "author").await;
        app.create_post(writer.id, "First light", true, None, &[]).await;

        // Reading starts no session: no cookie, nothing in a session store.
        let visitor = app.visitor();
        for path in ["/", "/posts", "/movies", "/posts/first-light"] {
            let response = visitor.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert!(!response.headers().contains_key("set-cookie"), "{path} set a cookie");
            assert!(!response.text().await.unwrap().contains("csrf-token"), "{path}");
        }
        // A form does: the login page's token lives in a new session.
        let login = visitor.get("/login").await;
        assert!(login.headers().contains_key("set-cookie"), "the login form starts a session");

        // The second visitor without a session is answered from the kept page: only the content
        // version is read.
        let before = app.statements.load(Ordering::SeqCst);
        let (status, shared) = app.visitor().get_html("/posts").await;
        assert_eq!(status, StatusCode::OK);
        assert!(shared.contains("First light"));
        assert_eq!(app.statements.load(Ordering::SeqCst) - before, 1, "served from the page cache");

        // Signed in, the page is the member's own, never the kept one.
        let (_, own) = writer.get_html("/posts").await;
        assert!(own.contains("class=\"nav-username\" href=\"/users/penman\""), "{own}");
        assert!(!shared.contains("nav-username"));

        // A change is on the shared pages at the very next request.
        let response = writer
            .post("/posts/new", &[("title", "Second light"), ("body", "Hello."), ("status", "published")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        for path in ["/", "/posts"] {
            let (_, html) = app.visitor().get_html(path).await;
            assert!(html.contains("Second light"), "{path} shows the new post at once");
        }
        app.stop().await;
    }
}
