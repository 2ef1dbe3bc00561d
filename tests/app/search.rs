//! One search over posts, movies, people and members (`/search`, `GET /api/v1/search`), on
//! each backend's full-text engine, on the demo data: ranking (a title above a text, words side
//! by side above scattered ones), phrases and prefixes, drafts only for those who may see them,
//! the index kept by every write, pages of one kind, "did you mean", and hostile input.

use reqwest::StatusCode;

use crate::api_client::Api;
use crate::helpers::{Doc, PASSWORD, movie_input, post_input};

/// The titles of the results of `kind` on the page `path` shows.
fn titles(html: &str, kind: &str) -> Vec<String> {
    Doc::parse(html).texts(&format!("#found-{kind} + ol .search-title"))
}

backend_tests! {
    async fn search_ranks_by_relevance_and_finds_drafts_only_for_who_may_see_them(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let author = app.create_user("quill", "author").await;
        let acting = app.acting(author).await;
        let filler = "The evening went on with tea, long walks by the river and talk of \
                      many other things that have nothing to do with it at all.";
        let post = |title: &str, body: String, published: bool| {
            let acting = acting.clone();
            let db = app.db.clone();
            let input = post_input(title, &body, None, &[], published);
            async move { marquee::services::blog::create_post(&db, &acting, None, input).await.unwrap() }
        };
        // A title match and a text match of the same word; the title ranks first, whichever is
        // newer.
        post("Ordinary evening", format!("We talked about a quasar for hours. {filler}"), true).await;
        post("Quasar nights", format!("Stars and more stars. {filler}"), true).await;
        // Words side by side rank above the same words scattered.
        post("Zeta notes", format!("A zephyr blew over the hills, and far away shone a lantern. {filler}"), true).await;
        post("Eta notes", format!("The zephyr lantern glowed over the hills far away. {filler}"), true).await;
        // A draft with the word in its title.
        post("Quasar draft marmoset", format!("Not yet. {filler}"), false).await;

        let visitor = app.visitor();
        let (status, html) = visitor.get_html("/search?q=quasar&kind=posts").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(titles(&html, "posts"), ["Quasar nights", "Ordinary evening"], "a title above a text; no draft");
        assert!(html.contains("<mark>Quasar</mark>"), "the word found is marked");
        let (_, html) = visitor.get_html("/search?q=zephyr+lantern&kind=posts").await;
        assert_eq!(titles(&html, "posts"), ["Eta notes", "Zeta notes"], "side by side above scattered");
        let (_, html) = visitor.get_html("/search?q=%22zephyr+lantern%22&kind=posts").await;
        assert_eq!(titles(&html, "posts"), ["Eta notes"], "a phrase");
        let (_, html) = visitor.get_html("/search?q=quas*&kind=posts").await;
        assert_eq!(titles(&html, "posts"), ["Quasar nights", "Ordinary evening"], "a prefix");

        // Drafts: their author and moderators find them, nobody else.
        let writer = app.visitor();
        writer.login_ok("quill", PASSWORD).await;
        let (_, html) = writer.get_html("/search?q=quasar&kind=posts").await;
        assert_eq!(titles(&html, "posts").len(), 3, "{html}");
        assert!(titles(&html, "posts").contains(&"Quasar draft marmoset".to_owned()) && html.contains(">draft<"));
        let reader = app.signed_in_as("reader").await;
        let (_, html) = reader.get_html("/search?q=quasar").await;
        assert!(!html.contains("draft marmoset") && !html.contains("<mark>Quasar</mark> draft"));
        let moderator = app.signed_in_as("moderator").await;
        let (_, html) = moderator.get_html("/search?q=marmoset").await;
        assert_eq!(titles(&html, "posts"), ["Quasar draft marmoset"]);
        let reply = api.get("/api/v1/search?q=marmoset", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["groups"][0]["kind"], "posts");
        assert_eq!(reply.body["groups"][0]["total"], 0, "not for the API's anonymous caller either");

        // Movies by title, directors or synopsis; the director as a person too; a member.
        let operator = app.operator().await;
        marquee::services::movies::create_movie(&app.db, &operator, None, movie_input("Quasar Odyssey", 1999, None, true, &["Zorba Quint"]))
            .await
            .unwrap();
        app.create_user("quintessa", "reader").await;
        let (_, html) = visitor.get_html("/search?q=quint").await;
        assert_eq!(titles(&html, "movies"), ["Quasar Odyssey"], "by its director");
        assert!(html.contains("1999 · Zorba <mark>Quint</mark>"), "{html}");
        assert_eq!(titles(&html, "people"), ["Zorba Quint"]);
        assert_eq!(titles(&html, "members"), ["quintessa"], "names are found by their parts");
        let reply = api.get("/api/v1/search?q=quasar", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let groups = reply.body["groups"].as_array().unwrap();
        assert_eq!(groups.iter().map(|g| g["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["posts", "movies", "people", "members"]);
        assert_eq!(groups[0]["total"], 2);
        assert_eq!(groups[0]["items"][0]["url"], "/posts/quasar-nights");
        assert_eq!(groups[0]["items"][0]["title"][0], serde_json::json!({"text": "Quasar", "marked": true}));
        assert_eq!(groups[1]["items"][0]["year"], 1999);
        assert_eq!(groups[1]["items"][0]["directors"], serde_json::json!([{"text": "Zorba Quint", "marked": false}]));

        // The index follows every write: an edit, a deletion.
        let slug = "ordinary-evening";
        let input = post_input("Ordinary evening", &format!("We talked about a nebula instead. {filler}"), None, &[], true);
        marquee::services::blog::update_post(&app.db, &acting, None, slug, input, None).await.unwrap();
        let (_, html) = visitor.get_html("/search?q=nebula&kind=posts").await;
        assert_eq!(titles(&html, "posts"), ["Ordinary evening"]);
        let (_, html) = visitor.get_html("/search?q=quasar&kind=posts").await;
        assert_eq!(titles(&html, "posts"), ["Quasar nights"]);
        marquee::services::blog::delete_post(&app.db, &acting, None, "quasar-nights").await.unwrap();
        let (_, html) = visitor.get_html("/search?q=quasar&kind=posts").await;
        assert!(titles(&html, "posts").is_empty());
        assert!(html.contains("Nothing found"), "{html}");
        app.stop().await;
    }

    async fn search_pages_one_kind_suggests_when_nothing_is_found_and_takes_any_input(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let author = app.create_user("scribe", "author").await;
        let acting = app.acting(author).await;
        for n in 0..25 {
            let input = post_input(&format!("Plinth study {n:02}"), "On plinths.", None, &[], true);
            marquee::services::blog::create_post(&app.db, &acting, None, input).await.unwrap();
        }
        let visitor = app.visitor();

        // Every kind: the first five, with a link to all of them.
        let (_, html) = visitor.get_html("/search?q=plinth").await;
        assert_eq!(titles(&html, "posts").len(), 5);
        assert_eq!(Doc::parse(&html).attrs(".search-group p a", "href"), ["/search?q=plinth&kind=posts"]);
        assert_eq!(Doc::parse(&html).texts(".tabs [aria-current=page]"), ["All 25"]);
        // One kind, twenty a page.
        let (_, html) = visitor.get_html("/search?q=plinth&kind=posts").await;
        assert_eq!(titles(&html, "posts").len(), 20);
        assert!(Doc::parse(&html).attrs(".pagination a", "href").contains(&"?q=plinth&kind=posts&page=2".to_owned()), "{html}");
        let (_, html) = visitor.get_html("/search?q=plinth&kind=posts&page=2").await;
        assert_eq!(titles(&html, "posts").len(), 5);
        let first = api.get("/api/v1/search?q=plinth&kind=posts", None).await;
        assert_eq!(first.body["groups"][0]["items"].as_array().unwrap().len(), 20);
        assert_eq!(first.body["next"], "2");
        let second = api.get("/api/v1/search?q=plinth&kind=posts&cursor=2", None).await;
        assert_eq!(second.body["groups"][0]["items"].as_array().unwrap().len(), 5);
        assert_eq!(second.body["prev"], "1");

        // Did you mean: the nearest words the site knows.
        let (_, html) = visitor.get_html("/search?q=plinht+studdy").await;
        assert!(html.contains("Nothing found"));
        assert_eq!(Doc::parse(&html).attrs(".suggestion a", "href"), ["/search?q=plinth+study"], "{html}");
        assert_eq!(Doc::parse(&html).text(".suggestion a"), "plinth study");
        let reply = api.get("/api/v1/search?q=godfahter", None).await;
        assert_eq!(reply.body["suggestion"], "godfather", "{}", reply.body);

        // Any input: a message or results, never a failure.
        let too_long = "x".repeat(201);
        let (status, html) = visitor.get_html(&format!("/search?q={too_long}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("at most 200 characters") && html.contains(&too_long), "the input is kept");
        assert_eq!(api.get(&format!("/api/v1/search?q={too_long}"), None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(api.get("/api/v1/search?q=", None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(api.get("/api/v1/search?q=a&kind=films", None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(visitor.get("/search?q=a&kind=films").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(visitor.get("/search?q=a&page=x").await.status(), StatusCode::BAD_REQUEST);
        for q in [
            "\"", "\"\"", "*", "-", "+plinth -study", "plinth AND OR NOT", "NEAR(plinth study)", "plinth:", "^plinth",
            "'; DROP TABLE post; --", "%_%", "\\", "()", "@@", "a* b* c*", "the of and", "up", "映画 кино ταινία",
            "plinth\u{301}", "𝔭𝔩𝔦𝔫𝔱𝔥", "<script>alert(1)</script>", "1 2 3 4 5 6 7 8",
        ] {
            let url = format!("/search?q={}", urlencode(q));
            let response = visitor.get(&url).await;
            assert_eq!(response.status(), StatusCode::OK, "{q}");
            let html = response.text().await.unwrap();
            assert!(!html.contains("<script>alert"), "{q}");
            let reply = api.get(&format!("/api/v1/search?q={}", urlencode(q)), None).await;
            // No word at all is a problem for the API (the page shows the empty form).
            let wordless = q.chars().all(|c| !c.is_alphanumeric());
            let expected = if wordless { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            assert_eq!(reply.status, expected, "{q}: {}", reply.body);
        }
        let (_, html) = visitor.get_html("/search?q=plinth+or+zzzz&kind=posts").await;
        assert!(titles(&html, "posts").is_empty(), "\"or\" is a word, every word must be found");
        let (_, html) = visitor.get_html("/search?q=%2Bplinth+-study").await;
        assert_eq!(titles(&html, "posts").len(), 5, "operators are separators");
        app.stop().await;
    }

    async fn a_search_of_every_kind_costs_one_statement_a_kind(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        // The content version (read for every visitor's page), then one statement a kind, whatever
        // is found; a page of one kind, one.
        assert_eq!(app.statements_for("/search?q=film").await, 5);
        assert_eq!(app.statements_for("/search?q=film&kind=movies").await, 2);
        // Nothing found: the words to suggest are read once, then kept until content changes.
        assert_eq!(app.statements_for("/search?q=zzqx").await, 6);
        assert_eq!(app.statements_for("/search?q=zzqy").await, 5);
        app.stop().await;
    }

    async fn a_word_found_in_more_posts_than_are_ranked_says_so(test_db: TestDb) {
        let app = test_db.spawn().await;
        let window = marquee::services::search::RANKED_WINDOW;
        marquee::seed::scale::seed_scale(&app.db, window + 1, |_, _| {}).await.unwrap();
        // Published, and holding a word no generated text has, in the title: the engines'
        // indexes follow an UPDATE as they follow the write path.
        let tag = |upto: u64| {
            let title = match app.db.get_database_backend() {
                sea_orm::DbBackend::MySql => "CONCAT(title, ' zephyrine')",
                _ => "title || ' zephyrine'",
            };
            format!(
                "UPDATE post SET title = {title}, status = 'published' WHERE slug LIKE 'scale-post-%' \
                 AND title NOT LIKE '%zephyrine' AND id < (SELECT m FROM (SELECT min(id) + {upto} AS m \
                 FROM post WHERE slug LIKE 'scale-post-%') AS lowest)"
            )
        };
        let api = Api::new(&app).await;
        let found = |reply: &crate::api_client::Reply| {
            let group = &reply.body["groups"][0];
            (group["total"].as_u64().unwrap(), group["capped"].as_bool().unwrap())
        };

        // Exactly as many as are ranked: all of them, not capped.
        crate::helpers::exec(&app.db, &tag(window)).await;
        let reply = api.get("/api/v1/search?q=zephyrine&kind=posts", None).await;
        assert_eq!(found(&reply), (window, false));
        let (_, html) = app.visitor().get_html("/search?q=zephyrine").await;
        assert!(!html.contains("Found in more than can be ranked"));

        // One more: the newest `window` are ranked, and both faces say there were more.
        crate::helpers::exec(&app.db, &tag(window + 1)).await;
        let reply = api.get("/api/v1/search?q=zephyrine&kind=posts", None).await;
        assert_eq!(found(&reply), (window, true));
        let (_, html) = app.visitor().get_html("/search?q=zephyrine").await;
        assert!(html.contains("Found in more than can be ranked"), "{html}");
        assert_eq!(Doc::parse(&html).texts("#found-posts .count"), [format!("{window}+")]);
        app.stop().await;
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)])
        .unwrap()
        .trim_start_matches("q=")
        .to_owned()
}
