//! Property-based: every form and every query parameter driven with generated hostile values
//! (huge and negative numbers, NUL and other control characters, invalid percent-encoding,
//! 100 KB strings, SQL and HTML metacharacters, odd Unicode), by an administrator (who reaches
//! every form), on every back-end. Asserted for each request: no 5xx and no dropped connection.
//! Asserted at the end: nothing stored that a form would have refused.
//!
//! Values come from proptest strategies with a fixed seed, so a failure repeats; set
//! `MARQUEE_FUZZ_CASES` for more cases (default 24 per target).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::helpers::{PASSWORD, TestApp, Visitor};

mod api;

/// A hostile value for any field or parameter.
fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        // Numbers of every size and sign, and things that look almost like numbers.
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("99999999999999999999999999999".to_owned()),
        Just("1e309".to_owned()),
        Just("-0".to_owned()),
        Just("0x10".to_owned()),
        // Dates out of range or malformed.
        Just("0000-00-00".to_owned()),
        Just("9999-12-31".to_owned()),
        Just("-262144-01-01".to_owned()),
        Just("2024-02-30".to_owned()),
        // Control characters, NUL first among them.
        "[\\x00-\\x1f\\x7f]{1,8}",
        "[a-z]{0,4}\\x00[a-z]{0,4}",
        // SQL, LIKE and HTML metacharacters.
        Just("%".to_owned()),
        Just("_".to_owned()),
        Just("100%".to_owned()),
        Just("' OR 1=1 --".to_owned()),
        Just("\"; DROP TABLE post; --".to_owned()),
        Just("\\".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        // Full-text query syntax of every engine.
        Just("\"a b\" NEAR/3 c* OR -d ^e (f) +g ~h @i:j <k>".to_owned()),
        // Unicode: emoji, right-to-left, combining marks, a BOM, an unpaired-looking mix.
        "\\PC{0,40}",
        Just("👩‍👩‍👧‍👦🎬".repeat(20)),
        Just("\u{202e}gnp.exe".to_owned()),
        Just("e\u{301}\u{301}\u{301}".to_owned()),
        Just("\u{feff}admin".to_owned()),
        // Very long values (past every column and MySQL's 64 KiB TEXT).
        (1usize..4).prop_map(|k| "x".repeat(k * 40_000)),
        Just("é".repeat(70_000)),
        // Empty and blank.
        Just(String::new()),
        Just("   ".to_owned()),
    ]
    .boxed()
}

/// Raw query-string or body fragments that are not even well-formed percent-encoding.
fn hostile_raw() -> BoxedStrategy<String> {
    prop_oneof![
        Just("%FF%FE".to_owned()),
        Just("%C3".to_owned()),
        Just("%ED%A0%80".to_owned()),
        Just("%".to_owned()),
        Just("%zz".to_owned()),
        Just("%00".to_owned()),
        Just("a=1&a=2&a=3".to_owned()),
    ]
    .boxed()
}

/// A form or query: its path and field names (`{s}` in a path takes a hostile value too).
struct Target {
    post: bool,
    path: &'static str,
    fields: &'static [&'static str],
}

const fn get(path: &'static str, fields: &'static [&'static str]) -> Target {
    Target {
        post: false,
        path,
        fields,
    }
}

const fn post(path: &'static str, fields: &'static [&'static str]) -> Target {
    Target {
        post: true,
        path,
        fields,
    }
}

const TARGETS: &[Target] = &[
    get("/posts", &["q", "page"]),
    get(
        "/movies",
        &[
            "q",
            "director",
            "year_from",
            "year_to",
            "mpa",
            "theatre",
            "sort",
            "dir",
            "page",
        ],
    ),
    get(
        "/admin/users",
        &["q", "role", "active", "verified", "sort", "dir", "page"],
    ),
    get("/admin/audit", &["action", "subject", "actor", "page"]),
    get("/moderation", &["page"]),
    get("/login", &["next"]),
    get("/users/{s}", &[]),
    get("/users/{s}/posts", &["page"]),
    get("/tags/{s}", &["page"]),
    get("/categories/{s}", &["page"]),
    get("/posts/{s}", &["page"]),
    get("/movies/{s}", &["page"]),
    get("/people/{s}", &["page"]),
    get("/account/verify/{s}", &[]),
    get("/account/reset/{s}", &[]),
    get("/account/email/{s}", &[]),
    get("/groups/{s}", &["page"]),
    get("/admin/roles/{s}/edit", &[]),
    get("/admin/users/{s}", &[]),
    get("/admin/roles/{s}/history", &[]),
    get("/admin/roles/{s}/delete", &[]),
    get("/admin/users/{s}/history", &[]),
    get("/posts/{s}/history", &[]),
    get("/movies/{s}/history", &[]),
    get("/movies/{s}/poster", &[]),
    get("/people/{s}/portrait", &[]),
    get("/media/{s}/{s}", &[]),
    get("/posts/{s}/pictures", &[]),
    get("/tags", &["page"]),
    get("/people", &["q", "page"]),
    get("/members", &["q", "page"]),
    get("/search", &["q", "kind", "page"]),
    get("/comments/{s}/edit", &[]),
    get("/comments/{s}/reply", &[]),
    get("/comments/{s}/delete", &[]),
    get("/api/v1/search", &["q", "kind", "cursor"]),
    get("/groups", &["page"]),
    get("/users/{s}/reviews", &["page"]),
    get("/users/{s}/watchlist", &["status", "page"]),
    get("/messages", &["page"]),
    get("/messages/new", &["to"]),
    get("/messages/{s}", &["page"]),
    get("/messages/report/{s}", &[]),
    get("/messages/blocked", &[]),
    get("/moderation/messages", &["page"]),
    get("/notifications", &["page"]),
    get("/settings/notifications", &[]),
    get("/comments/{s}", &[]),
    get("/posts/fuzz-target/pictures", &[]),
    post(
        "/posts/new",
        &["title", "body", "category_id", "tags", "status"],
    ),
    post(
        "/posts/new",
        &["title", "body", "category_id", "tags", "status", "preview"],
    ),
    post(
        "/posts/fuzz-target/edit",
        &["title", "body", "category_id", "tags", "status", "preview"],
    ),
    post(
        "/posts/fuzz-target/edit",
        &["title", "body", "category_id", "tags", "status"],
    ),
    post("/posts/fuzz-target/comments", &["body"]),
    post("/comments/{s}/edit", &["body"]),
    post("/comments/{s}/reply", &["body"]),
    post("/comments/{s}/delete", &[]),
    post("/groups/{s}/members/{s}/remove", &[]),
    post("/categories", &["name", "parent_id"]),
    post(
        "/movies/new",
        &["title", "year", "mpa", "theatre", "synopsis", "directors"],
    ),
    post("/movies/{s}/reviews", &["rating", "body"]),
    post("/movies/{s}/watchlist", &["status", "seen_on"]),
    post("/movies/{s}/watchlist/remove", &[]),
    post("/watchlist/visibility", &["public"]),
    post("/messages", &["to", "subject", "body"]),
    post("/messages/{s}", &["body"]),
    post("/messages/{s}/leave", &[]),
    post("/messages/mail", &["mail"]),
    post("/messages/blocked", &["username"]),
    post("/messages/report/{s}", &["reason"]),
    post("/users/{s}/block", &[]),
    post("/users/{s}/unblock", &[]),
    post("/moderation/messages/{s}", &["action"]),
    post("/notifications/read", &["id"]),
    post(
        "/settings/notifications",
        &[
            "comment_reply",
            "post_comment",
            "message",
            "watchlist_review",
        ],
    ),
    post(
        "/settings/profile",
        &[
            "display_name",
            "bio",
            "birth_date",
            "job",
            "location",
            "website",
            "country_id",
            "version",
        ],
    ),
    post("/groups", &["name", "description"]),
    post(
        "/admin/roles/new",
        &[
            "name",
            "description",
            "is_default",
            "permissions",
            "includes",
            "confirm",
            "step",
        ],
    ),
    post(
        "/admin/users/{s}",
        &["role_id", "is_active", "confirm", "step"],
    ),
    post(
        "/admin/users/{s}/overrides",
        &[
            "permission",
            "effect",
            "reason",
            "expires_on",
            "confirm",
            "step",
        ],
    ),
    post("/admin/users/{s}/overrides/{s}/remove", &["confirm"]),
    post("/admin/roles/{s}/delete", &["confirm"]),
    post("/admin/roles/{s}/history/{s}/revert", &["confirm"]),
    post("/posts/fuzz-target/history/{s}/revert", &[]),
    post("/movies/{s}/history/{s}/revert", &[]),
    post("/movies/{s}/poster", &["poster"]),
    post("/movies/{s}/poster/remove", &[]),
    post("/people/{s}/portrait", &["portrait"]),
    post("/settings/avatar", &["avatar"]),
    post("/settings/avatar/remove", &[]),
    post("/users/{s}/avatar/remove", &[]),
    post("/posts/fuzz-target/pictures", &["picture"]),
    post("/posts/fuzz-target/pictures/{s}/remove", &[]),
    post("/posts/{s}/pictures/{s}/remove", &[]),
    post(
        "/admin/users/bulk",
        &[
            "users",
            "all",
            "q",
            "role",
            "active",
            "verified",
            "action",
            "role_id",
            "permission",
            "reason",
            "expires_on",
            "page",
            "confirm",
            "step",
        ],
    ),
    post(
        "/register",
        &["username", "email", "password", "password_confirm"],
    ),
    post("/login", &["login", "password", "next"]),
    post("/password/forgot", &["email"]),
    post("/settings/email", &["email", "current_password"]),
    post("/account/reset/{s}", &["password", "password_confirm"]),
    post("/account/verify/{s}", &[]),
    post("/account/email/{s}", &[]),
    post("/admin/users/{s}/reset-link", &[]),
];

fn encode(value: &str) -> String {
    marquee::routes::respond::urlencode(value)
}

/// One request with hostile values; panics on a 5xx or a dropped connection.
async fn attempt(visitor: &Visitor, token: &str, target: &Target, values: &[String], raw: &str) {
    // An address (path and query) is cut to 3,000 characters a value: the client refuses to
    // build longer ones. Bodies keep the whole value.
    let cut = |v: &String| -> String { v.chars().take(3_000).collect() };
    let mut values = values.iter();
    let path = match target.path.contains("{s}") {
        true => target
            .path
            .replace("{s}", &encode(&values.next().map(cut).unwrap_or_default())),
        false => target.path.to_owned(),
    };
    let values: Vec<String> = match target.post {
        true => values.cloned().collect(),
        false => values.map(cut).collect(),
    };
    let values = values.iter();
    let mut pairs: Vec<String> = target
        .fields
        .iter()
        .zip(values)
        .map(|(field, value)| format!("{field}={}", encode(value)))
        .collect();
    pairs.push(raw.to_owned());
    let request = if target.post {
        pairs.push(format!("csrf_token={token}"));
        visitor
            .client
            .post(visitor.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(pairs.join("&"))
    } else {
        visitor
            .client
            .get(format!("{}?{}", visitor.url(&path), pairs.join("&")))
    };
    let shown: String = pairs.join("&").chars().take(300).collect();
    let path: String =
        path.chars().take(300).collect::<String>() + if path.len() > 300 { "…" } else { "" };
    let response = request.send().await.unwrap_or_else(|e| {
        let method = if target.post { "POST" } else { "GET" };
        panic!(
            "{method} {path}?{shown} ({} bytes): connection failed: {:?}",
            pairs.join("&").len(),
            e.without_url()
        )
    });
    let status = response.status().as_u16();
    assert!(
        status < 500,
        "{} {path}?{shown}: {status}",
        if target.post { "POST" } else { "GET" }
    );
}

/// Every stored text is one a form accepts: no control characters but line breaks and tabs,
/// and within the limits the forms state.
async fn nothing_refusable_is_stored(app: &TestApp) {
    use sea_orm::EntityTrait;
    let clean = |text: &str, max_chars: usize, what: &str| {
        assert!(
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')),
            "{what} holds a control character: {:?}",
            text.chars().take(80).collect::<String>()
        );
        assert!(
            text.chars().count() <= max_chars,
            "{what} is longer than {max_chars}"
        );
    };
    for p in entity::post::Entity::find().all(&app.db).await.unwrap() {
        clean(&p.title, 200, "post.title");
        clean(&p.body, marquee::domain::PostBody::MAX, "post.body");
        assert!(!p.title.trim().is_empty(), "an empty title was stored");
    }
    for c in entity::comment::Entity::find().all(&app.db).await.unwrap() {
        clean(&c.body, 5_000, "comment.body");
    }
    for m in entity::movie::Entity::find().all(&app.db).await.unwrap() {
        clean(&m.title, 200, "movie.title");
        clean(&m.synopsis, 5_000, "movie.synopsis");
    }
    for t in entity::tag::Entity::find().all(&app.db).await.unwrap() {
        clean(&t.name, 50, "tag.name");
    }
    for c in entity::category::Entity::find().all(&app.db).await.unwrap() {
        clean(&c.name, 64, "category.name");
    }
    for g in entity::group::Entity::find().all(&app.db).await.unwrap() {
        clean(&g.name, 64, "group.name");
    }
    for r in entity::role::Entity::find().all(&app.db).await.unwrap() {
        clean(&r.name, 64, "role.name");
    }
    for p in entity::profile::Entity::find().all(&app.db).await.unwrap() {
        clean(&p.display_name, 64, "profile.display_name");
        clean(&p.bio, 2_000, "profile.bio");
    }
    for r in entity::review::Entity::find().all(&app.db).await.unwrap() {
        assert!((1..=10).contains(&r.rating), "review.rating {}", r.rating);
        clean(&r.body, 5_000, "review.body");
    }
}

backend_tests! {
    async fn no_generated_hostile_input_gets_a_5xx_or_stores_what_a_form_refuses(test_db: TestDb) {
        let app = test_db.spawn().await;
        let boss = app.create_user("boss", "admin").await;
        app.create_post(boss, "Fuzz target", true, None, &["rust"]).await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let token = admin.csrf().await;
        let cases: usize = std::env::var("MARQUEE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24);

        // Generated up front: strategies are not `Send`, requests are.
        let plan: Vec<(&Target, Vec<String>, String)> = {
            let mut runner = TestRunner::deterministic();
            let values = proptest::collection::vec(hostile(), 10);
            let raw = hostile_raw();
            let mut plan = Vec::new();
            for target in TARGETS {
                for _ in 0..cases {
                    let generated = values.new_tree(&mut runner).unwrap().current();
                    plan.push((target, generated, raw.new_tree(&mut runner).unwrap().current()));
                }
            }
            plan
        };
        for (target, generated, raw) in &plan {
            // `/login` would start throttling this visitor: logins go through a fresh one.
            if target.path == "/login" && target.post {
                let stranger = app.visitor();
                let stranger_token = stranger.csrf().await;
                attempt(&stranger, &stranger_token, target, generated, raw).await;
            } else {
                attempt(&admin, &token, target, generated, raw).await;
            }
        }

        // Still signed in and working after all that.
        assert_eq!(admin.nav_username().await.as_deref(), Some("boss"));
        nothing_refusable_is_stored(&app).await;
        app.stop().await;
    }
}
