//! Atom feeds (site, category with subcategories, tag, author), their conditional requests,
//! the sitemap (and its split into an index of parts), robots.txt, and the feeds' `<link>`s in
//! the pages' heads.

use std::str::FromStr;

use atom_syndication::Feed;
use chrono::{DateTime, Utc};
use entity::{post, profile};
use marquee::services::sitemap::{self, Section, Sitemap, SitemapPart};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{Doc, TestApp};

/// The feed at `path`, which must be a 200 `application/atom+xml` that parses as Atom.
async fn feed(app: &TestApp, path: &str) -> Feed {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert_eq!(
        response.headers()[CONTENT_TYPE],
        "application/atom+xml; charset=utf-8",
        "{path}"
    );
    let body = response.text().await.unwrap();
    Feed::from_str(&body).unwrap_or_else(|e| panic!("{path} is not Atom: {e}\n{body}"))
}

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries()
        .iter()
        .map(|e| e.title().as_str().to_owned())
        .collect()
}

fn link_of<'a>(links: &'a [atom_syndication::Link], rel: &str) -> &'a str {
    links
        .iter()
        .find(|l| l.rel() == rel)
        .unwrap_or_else(|| panic!("no rel={rel} link"))
        .href()
}

/// A post as stored (its dates as the database keeps them).
async fn stored(app: &TestApp, id: i32) -> post::Model {
    post::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn category(app: &TestApp, name: &str, parent: Option<i32>) -> entity::category::Model {
    marquee::services::blog::create_category(
        &app.db,
        &app.operator().await,
        None,
        marquee::forms::CategoryForm {
            name: name.into(),
            parent_id: parent.map(|p| p.to_string()).unwrap_or_default(),
        }
        .parse()
        .unwrap(),
    )
    .await
    .unwrap()
}

async fn movie(app: &TestApp, title: &str, directors: &[&str]) -> entity::movie::Model {
    marquee::services::movies::create_movie(
        &app.db,
        &app.operator().await,
        None,
        crate::helpers::movie_input(title, 1995, None, false, directors),
    )
    .await
    .unwrap()
}

/// The text of every `<loc>` of a sitemap or sitemap index, read with an XML parser (so the
/// document must be well-formed up to its end).
fn locs(xml: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.name().as_ref() == b"loc" => {
                let raw = reader.read_text(e.name()).unwrap();
                let raw = std::str::from_utf8(&raw).unwrap().to_owned();
                found.push(quick_xml::escape::unescape(&raw).unwrap().into_owned());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// The `href`s of the Atom `<link rel="alternate">`s in a page's head.
fn feed_links(html: &str) -> Vec<String> {
    Doc::parse(html).attrs(
        r#"head link[rel="alternate"][type="application/atom+xml"]"#,
        "href",
    )
}

backend_tests! {
    async fn the_site_feed_holds_the_newest_twenty_published_posts_newest_first(test_db: TestDb) {
        let app = test_db.spawn().await;
        // An empty site still has a valid feed.
        let empty = feed(&app, "/feed.atom").await;
        assert!(empty.entries().is_empty());
        assert_eq!(empty.updated().timestamp(), 0, "an empty feed is updated at the epoch");

        let ada = app.create_user("ada", "author").await;
        profile::Entity::update_many()
            .col_expr(profile::Column::DisplayName, Expr::value("Ada Lovelace"))
            .filter(profile::Column::UserId.eq(ada))
            .exec(&app.db)
            .await
            .unwrap();
        let mut posts = Vec::new();
        for i in 0..22 {
            posts.push(app.create_post(ada, &format!("Post {i}"), true, None, &["film"]).await);
        }
        app.create_post(ada, "A secret draft", false, None, &["film"]).await;

        let feed = feed(&app, "/feed.atom").await;

        let expected: Vec<String> = (2..22).rev().map(|i| format!("Post {i}")).collect();
        assert_eq!(titles(&feed), expected, "the newest 20, newest first, no draft");
        let newest = stored(&app, posts[21].id).await;
        let entry = &feed.entries()[0];
        let url = app.url(&format!("/posts/{}", newest.slug));
        assert_eq!(entry.id(), url);
        assert_eq!(link_of(entry.links(), "alternate"), url, "absolute post link");
        assert_eq!(
            entry.published().unwrap().with_timezone(&Utc),
            newest.published_at.unwrap()
        );
        assert_eq!(entry.updated().with_timezone(&Utc), newest.updated_at);
        assert_eq!(entry.authors()[0].name(), "Ada Lovelace", "the display name");
        let content = entry.content().unwrap();
        assert_eq!(content.content_type(), Some("html"));
        assert_eq!(content.base(), Some(url.as_str()), "relative links resolve against the post");
        assert_eq!(content.value(), newest.body_html.as_deref());
        assert!(content.value().unwrap().contains("<em>Post 21</em>"), "{content:?}");
        assert_eq!(entry.categories()[0].term(), "film");
        // The feed itself.
        let newest_update = feed.entries().iter().map(|e| *e.updated()).max().unwrap();
        assert_eq!(*feed.updated(), newest_update);
        assert_eq!(link_of(feed.links(), "self"), app.url("/feed.atom"));
        assert!(link_of(feed.links(), "alternate").starts_with(&app.url("/")));
        assert_eq!(feed.id(), app.url("/feed.atom"));
        assert_eq!(feed.generator().unwrap().value(), "Marquee");
        app.stop().await;
    }

    async fn category_tag_and_author_feeds_hold_only_their_published_posts(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let bob = app.create_user("bob", "author").await;
        let film = category(&app, "Film", None).await;
        let noir = category(&app, "Noir", Some(film.id)).await;
        let music = category(&app, "Music", None).await;
        app.create_post(ada, "In film", true, Some(film.id), &["classic"]).await;
        app.create_post(bob, "In noir", true, Some(noir.id), &["classic", "dark"]).await;
        app.create_post(ada, "In music", true, Some(music.id), &["jazz"]).await;
        app.create_post(ada, "Film draft", false, Some(film.id), &["classic"]).await;

        let by_category = feed(&app, &format!("/categories/{}/feed.atom", film.slug)).await;
        let by_tag = feed(&app, "/tags/classic/feed.atom").await;
        let by_author = feed(&app, "/users/ada/feed.atom").await;
        let child = feed(&app, &format!("/categories/{}/feed.atom", noir.slug)).await;

        assert_eq!(titles(&by_category), ["In noir", "In film"], "with the child category's post, newest first");
        assert_eq!(titles(&child), ["In noir"]);
        assert_eq!(titles(&by_tag), ["In noir", "In film"]);
        assert_eq!(titles(&by_author), ["In music", "In film"], "no draft, no one else's");
        assert_eq!(
            link_of(by_category.links(), "self"),
            app.url(&format!("/categories/{}/feed.atom", film.slug))
        );
        assert_eq!(
            link_of(by_category.links(), "alternate"),
            app.url(&format!("/categories/{}", film.slug))
        );
        assert_eq!(link_of(by_tag.links(), "alternate"), app.url("/tags/classic"));
        assert_eq!(link_of(by_author.links(), "self"), app.url("/users/ada/feed.atom"));
        assert_eq!(by_author.authors()[0].name(), "ada");

        // Unknown subjects are the site's 404 page; hostile names a 4xx, never a 500.
        for path in ["/tags/nosuchtag/feed.atom", "/categories/nowhere/feed.atom", "/users/nobody/feed.atom"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
        }
        let long = format!("/tags/{}/feed.atom", "x".repeat(2000));
        for path in ["/tags/%FF/feed.atom", "/tags/%00/feed.atom", long.as_str(), "/users/%FF%FE/feed.atom"] {
            let status = app.get(path).await.status();
            assert!(status.is_client_error(), "{path}: {status}");
        }
        app.stop().await;
    }

    async fn a_hostile_title_comes_back_from_the_feed_as_the_same_text(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let hostile = "<script>alert(1)</script> & ]]>";
        app.create_post(ada, hostile, true, None, &[]).await;

        let body = app.get("/feed.atom").await.text().await.unwrap();
        let feed = Feed::from_str(&body).unwrap();

        assert_eq!(titles(&feed), [hostile]);
        assert!(!body.contains("<script>"), "escaped in the XML: {body}");
        app.stop().await;
    }

    async fn feeds_carry_an_etag_and_last_modified_and_answer_304_to_either(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let post = app.create_post(ada, "First", true, None, &["news"]).await;
        let updated = stored(&app, post.id).await.updated_at;

        let first = app.get("/feed.atom").await;
        let etag = first.headers()[ETAG].to_str().unwrap().to_owned();
        let last_modified = first.headers()[LAST_MODIFIED].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10, "a strong tag: {etag}");
        let modified = DateTime::parse_from_rfc2822(&last_modified).unwrap().with_timezone(&Utc);
        assert_eq!(modified.timestamp(), updated.timestamp(), "the newest update, to the second");

        let conditional = |name: reqwest::header::HeaderName, value: String| {
            let client = reqwest::Client::new();
            let url = app.url("/feed.atom");
            async move { client.get(url).header(name, value).send().await.unwrap() }
        };
        let by_tag = conditional(IF_NONE_MATCH, etag.clone()).await;
        assert_eq!(by_tag.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(by_tag.headers()[ETAG], etag.as_str());
        assert!(by_tag.text().await.unwrap().is_empty(), "no body");
        let by_date = conditional(IF_MODIFIED_SINCE, last_modified.clone()).await;
        assert_eq!(by_date.status(), StatusCode::NOT_MODIFIED);
        assert!(by_date.text().await.unwrap().is_empty());
        let earlier = (modified - chrono::Duration::hours(1)).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        assert_eq!(conditional(IF_MODIFIED_SINCE, earlier).await.status(), StatusCode::OK);
        assert_eq!(conditional(IF_NONE_MATCH, "\"other\"".into()).await.status(), StatusCode::OK);
        // If-None-Match wins over a matching If-Modified-Since.
        let both = reqwest::Client::new()
            .get(app.url("/feed.atom"))
            .header(IF_NONE_MATCH, "\"other\"")
            .header(IF_MODIFIED_SINCE, last_modified.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(both.status(), StatusCode::OK);
        // The same feed for another subject has its own tag; a new post changes the tag.
        let tag_feed = app.get("/tags/news/feed.atom").await;
        assert_ne!(tag_feed.headers()[ETAG].to_str().unwrap(), etag);
        app.create_post(ada, "Second", true, None, &[]).await;
        let after = conditional(IF_NONE_MATCH, etag.clone()).await;
        assert_eq!(after.status(), StatusCode::OK);
        assert_ne!(after.headers()[ETAG].to_str().unwrap(), etag);
        app.stop().await;
    }

    async fn feeds_issue_the_same_statements_for_few_and_many_posts(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let film = category(&app, "Film", None).await;
        let paths = ["/feed.atom", "/categories/film/feed.atom", "/tags/film/feed.atom", "/users/ada/feed.atom"];
        for i in 0..3 {
            app.create_post(ada, &format!("Early {i}"), true, Some(film.id), &["film"]).await;
        }
        let mut few = Vec::new();
        for path in paths {
            few.push(app.statements_for(path).await);
        }
        for i in 0..25 {
            app.create_post(ada, &format!("Later {i}"), true, Some(film.id), &["film", &format!("t{i}")]).await;
        }
        let mut many = Vec::new();
        for path in paths {
            many.push(app.statements_for(path).await);
        }
        assert_eq!(few, many, "statements per feed for {paths:?}");
        assert!(many.iter().all(|n| *n <= 6), "a handful each: {many:?}");
        app.stop().await;
    }

    async fn the_sitemap_lists_public_pages_and_robots_txt_points_at_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let film = category(&app, "Film", None).await;
        let post = app.create_post(ada, "Hello sitemap", true, Some(film.id), &["sci-fi"]).await;
        let draft = app.create_post(ada, "Unlisted draft", false, None, &["secret"]).await;
        let heat = movie(&app, "Heat", &["Michael Mann"]).await;
        let mann = entity::person::Entity::find_by_name("Michael Mann").one(&app.db).await.unwrap().unwrap();

        let response = app.get("/sitemap.xml").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("application/xml"));
        let xml = response.text().await.unwrap();
        let locs = locs(&xml);

        assert!(xml.contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"), "{xml}");
        for path in [
            "/".to_owned(),
            format!("/posts/{}", post.slug),
            format!("/categories/{}", film.slug),
            "/tags/sci-fi".to_owned(),
            format!("/movies/{}", heat.id),
            format!("/people/{}", mann.id),
        ] {
            assert!(locs.contains(&app.url(&path)), "{path} missing from {locs:?}");
        }
        assert!(!locs.iter().any(|l| l.contains(&draft.slug) || l.ends_with("/tags/secret")), "no drafts: {locs:?}");
        assert_eq!(locs.len(), 6, "{locs:?}");
        let stored = stored(&app, post.id).await;
        let lastmod = format!("<lastmod>{}</lastmod>", stored.updated_at.format("%Y-%m-%dT%H:%M:%SZ"));
        assert!(xml.contains(&lastmod), "{lastmod} in {xml}");

        // robots.txt
        let robots = app.get("/robots.txt").await;
        assert_eq!(robots.status(), StatusCode::OK);
        assert!(robots.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
        let text = robots.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for line in ["User-agent: *", "Disallow: /admin", "Disallow: /settings", "Disallow: /api"] {
            assert!(lines.contains(&line), "{line} in {text}");
        }
        let sitemap_line = format!("Sitemap: {}", app.url("/sitemap.xml"));
        assert!(lines.contains(&sitemap_line.as_str()), "{text}");
        app.stop().await;
    }

    async fn the_sitemap_splits_into_an_index_of_parts_past_the_per_file_limit(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let mut published = Vec::new();
        for i in 0..7 {
            published.push(app.create_post(ada, &format!("Part post {i}"), true, None, &["one"]).await.slug);
        }
        app.create_post(ada, "Part draft", false, None, &["two"]).await;
        movie(&app, "Heat", &["Michael Mann", "Another Person"]).await;

        // Home 1, posts 7, categories 0, tags 1, movies 1, people 2: 12 > 3.
        let index = sitemap::sitemap(&app.db, 3).await.unwrap();
        let Sitemap::Index(parts) = index else { panic!("an index expected: {index:?}") };
        let named: Vec<(Section, u64)> = parts.iter().map(|p| (p.section, p.number)).collect();
        assert_eq!(
            named,
            [
                (Section::Home, 1),
                (Section::Posts, 1),
                (Section::Posts, 2),
                (Section::Posts, 3),
                (Section::Tags, 1),
                (Section::Movies, 1),
                (Section::People, 1),
            ]
        );
        let mut slugs = Vec::new();
        let mut sizes = Vec::new();
        for number in 1..=3 {
            let urls = sitemap::sitemap_part(&app.db, SitemapPart { section: Section::Posts, number }, 3)
                .await
                .unwrap()
                .unwrap();
            sizes.push(urls.len());
            for url in urls {
                assert!(url.lastmod.is_some());
                match url.place {
                    sitemap::Place::Post(slug) => slugs.push(slug),
                    other => panic!("not a post: {other:?}"),
                }
            }
        }
        assert_eq!(sizes, [3, 3, 1], "each part its share");
        assert_eq!(slugs, published, "every published post once, in order");
        let people = sitemap::sitemap_part(&app.db, SitemapPart { section: Section::People, number: 1 }, 3).await.unwrap().unwrap();
        assert_eq!(people.len(), 2);
        for (section, number) in [(Section::Posts, 4), (Section::Posts, 0), (Section::Categories, 1), (Section::Home, 2), (Section::Posts, u64::MAX)] {
            let part = sitemap::sitemap_part(&app.db, SitemapPart { section, number }, 3).await.unwrap();
            assert_eq!(part, None, "{section:?} {number}");
        }
        // With room for everything, one list.
        let Sitemap::Urls(all) = sitemap::sitemap(&app.db, 12).await.unwrap() else { panic!("one list expected") };
        assert_eq!(all.len(), 12);

        // Parts are served too (with the real limit, everything is in part 1).
        let (status, xml) = app.get_html("/sitemaps/posts-1.xml").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(locs(&xml).len(), 7);
        for path in ["/sitemaps/posts-2.xml", "/sitemaps/posts-01.xml", "/sitemaps/films-1.xml", "/sitemaps/posts-99999999999999999999.xml"] {
            assert_eq!(app.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        app.stop().await;
    }

    async fn pages_announce_the_site_feed_and_their_own_in_the_head(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let film = category(&app, "Film", None).await;
        app.create_post(ada, "Linked", true, Some(film.id), &["noir"]).await;

        let film_page = format!("/categories/{}", film.slug);
        let film_feed = format!("/categories/{}/feed.atom", film.slug);
        for (path, own) in [
            ("/", None),
            ("/posts", None),
            (film_page.as_str(), Some(film_feed.as_str())),
            ("/tags/noir", Some("/tags/noir/feed.atom")),
            ("/users/ada", Some("/users/ada/feed.atom")),
            ("/users/ada/posts", Some("/users/ada/feed.atom")),
        ] {
            let (status, html) = app.visitor().get_html(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let mut expected = vec!["/feed.atom".to_owned()];
            expected.extend(own.map(str::to_owned));
            assert_eq!(feed_links(&html), expected, "{path}");
            // Every announced feed is there.
            for href in feed_links(&html) {
                assert_eq!(app.get(&href).await.status(), StatusCode::OK, "{href}");
            }
        }
        app.stop().await;
    }
}
