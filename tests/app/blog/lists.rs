//! Post lists, search and post pages: what they show and how few statements they take.

#[allow(unused_imports)]
use super::*;
use marquee::seed::data::POSTS;
use reqwest::StatusCode;

use crate::helpers::Doc;

backend_tests! {
    async fn the_post_list_shows_published_posts_newest_first_with_their_details(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;

        let (status, html) = app.visitor().get_html("/posts").await;

        assert_eq!(status, StatusCode::OK);
        let published = POSTS.len() - 2;
        let newest = &POSTS[0];
        let second = &POSTS[1];
        let doc = Doc::parse(&html);
        let titles = doc.texts(".post-card .post-title a");
        assert_eq!(titles[..2], [newest.title, second.title], "newest first");
        let first_card = ".post-card:first-child";
        assert!(doc.attrs(&format!("{first_card} a"), "href").contains(&format!("/categories/{}", newest.category)));
        assert!(doc.attrs(&format!("{first_card} a"), "href").contains(&format!("/tags/{}", newest.tags[0])));
        assert!(doc.text(&format!("{first_card} .meta")).contains("comment"), "comment counts shown");
        for draft in &POSTS[POSTS.len() - 2..] {
            assert!(!titles.iter().any(|t| t == draft.title), "draft {} listed", draft.title);
        }
        // 20 a page; "Older" and "Newer" links carry a cursor (keyset pagination).
        assert_eq!(titles.len(), 20);
        assert!(link(&html, "prev").is_none(), "no newer page than the newest");
        let older = link(&html, "next").expect("an Older link");
        let (_, page2) = app.visitor().get_html(&format!("/posts{older}")).await;
        let titles2 = Doc::parse(&page2).texts(".post-card .post-title a");
        assert_eq!(titles2.len(), published - 20);
        assert!(!titles2.iter().any(|t| t == newest.title));
        assert!(link(&page2, "next").is_none(), "the oldest page has no Older link");
        let newer = link(&page2, "prev").expect("a Newer link");
        let (_, back) = app.visitor().get_html(&format!("/posts{newer}")).await;
        assert_eq!(Doc::parse(&back).texts(".post-card .post-title a"), titles, "back to the same newest page");
        // A cursor that is not one of ours is the newest page, not an error.
        assert_eq!(app.visitor().get_html("/posts?after=garbage").await.0, StatusCode::OK);
        app.stop().await;
    }

    async fn a_tag_list_pages_through_its_posts_newest_first_and_follows_each_publication(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let author = app.acting(ada).await;
        let mut drafts = Vec::new();
        for i in 0..45 {
            let tags: &[&str] = if i % 2 == 0 { &["deep", "even"] } else { &["deep"] };
            let published = i % 7 != 3;
            let p = app.create_post(ada, &format!("Deep {i}"), published, None, tags).await;
            if !published {
                drafts.push(p.slug);
            }
            app.create_post(ada, &format!("Other {i}"), true, None, &["other"]).await;
        }
        let walk = async |from: &str| {
            let mut titles = Vec::new();
            let mut path = from.to_string();
            loop {
                let (status, html) = app.visitor().get_html(&path).await;
                assert_eq!(status, StatusCode::OK, "{path}");
                titles.extend(Doc::parse(&html).texts(".post-card .post-title a"));
                let Some(older) = link(&html, "next") else {
                    return (titles, html);
                };
                path = format!("/tags/deep{older}");
                assert!(titles.len() < 100, "the Older links go round");
            }
        };
        let expected: Vec<String> = (0..45).rev().filter(|i| i % 7 != 3).map(|i| format!("Deep {i}")).collect();
        let (titles, last_page) = walk("/tags/deep").await;
        assert_eq!(titles, expected, "every published post with the tag, newest first, once");
        // Back from the oldest page (39 posts: 20 and 19) by its Newer link: the newest page.
        assert_eq!(expected.len(), 39);
        let newer = link(&last_page, "prev").expect("a Newer link");
        let (_, back) = app.visitor().get_html(&format!("/tags/deep{newer}")).await;
        assert_eq!(Doc::parse(&back).texts(".post-card .post-title a"), expected[..20]);

        // A draft published now enters its tags' lists at the top. drafts[1] is "Deep 10",
        // tagged "even" as well. MySQL keeps whole seconds: publish in a later one than the
        // posts were written in, or a tie on the time puts newer ids first.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        marquee::services::blog::publish_post(&app.db, &author, None, &drafts[1]).await.unwrap();
        let first = marquee::services::blog::post_by_slug(&app.db, &drafts[1]).await.unwrap().unwrap().post;
        let (titles, _) = walk("/tags/deep").await;
        assert_eq!(titles.first(), Some(&first.title), "{titles:?}");
        assert_eq!(titles.len(), expected.len() + 1);
        let (_, even) = app.visitor().get_html("/tags/even").await;
        assert_eq!(Doc::parse(&even).texts(".post-card .post-title a").first(), Some(&first.title));
        stored_list_fields_hold(&app.db, "after publishing a tagged draft").await;
        app.stop().await;
    }

    async fn list_pages_issue_the_same_few_statements_for_5_and_50_posts(test_db: TestDb) {
        let app = test_db.spawn().await;
        let author = app.create_user("ada", "author").await;
        let reader = app.create_user("grace", "reader").await;
        let root = marquee::services::blog::create_category(&app.db, &app.operator().await, None, marquee::forms::CategoryForm { name: "Film".into(), parent_id: String::new() }.parse().unwrap()).await.unwrap();
        let child = marquee::services::blog::create_category(&app.db, &app.operator().await, None, marquee::forms::CategoryForm { name: "Noir".into(), parent_id: root.id.to_string() }.parse().unwrap()).await.unwrap();
        let add_posts = async |from: usize, to: usize| {
            for i in from..to {
                let p = app.create_post(author, &format!("Searchable post {i}"), true, Some(child.id), &["film", &format!("t{}", i % 3)]).await;
                marquee::services::blog::add_comment(&app.db, &app.acting(reader).await, &p.slug, crate::helpers::comment_text(&format!("comment {i}"))).await.unwrap();
            }
        };
        let pages = ["/", "/posts", "/posts?q=searchable", "/tags/film", "/categories/film", "/users/ada/posts"];

        add_posts(0, 5).await;
        let mut few = Vec::new();
        for path in pages {
            few.push(app.statements_for(path).await);
        }
        add_posts(5, 50).await;
        let mut many = Vec::new();
        for path in pages {
            many.push(app.statements_for(path).await);
        }

        assert_eq!(few, many, "statements per page must not grow with the number of posts: {pages:?}");
        for (path, n) in pages.iter().zip(&many) {
            assert!(*n <= 4, "{path} issues {n} statements");
        }
        app.stop().await;
    }

    async fn search_is_case_insensitive_over_title_and_body_and_keeps_the_query_in_links(test_db: TestDb) {
        let app = test_db.spawn().await;
        let author = app.create_user("ada", "author").await;
        for i in 0..22 {
            app.create_post(author, &format!("Film noir notes {i}"), true, None, &[]).await;
        }
        app.create_post(author, "Unrelated", true, None, &[]).await;
        marquee::services::blog::create_post(&app.db, &app.acting(author).await, None, crate::helpers::post_input("Body match", "Deep in the text: FILM NOIR and shadows.", None, &[], true)).await.unwrap();

        let (_, html) = app.visitor().get_html("/posts?q=fILm+NoIr").await;
        assert!(html.contains("Posts matching"));
        assert_eq!(html.matches("class=\"card post-card\"").count(), 20, "a full page of matches");
        assert!(!html.contains(">Unrelated<"));
        let older = link(&html, "next").expect("an Older link");
        assert!(older.starts_with("?q=fILm+NoIr&"), "pagination keeps the query: {older}");
        let (_, page2) = app.visitor().get_html(&format!("/posts{older}")).await;
        assert_eq!(page2.matches("class=\"card post-card\"").count(), 3, "title and body matches: 23 in all");
        assert_eq!(Doc::parse(&page2).attrs("input[name=q]", "value"), ["fILm NoIr"], "the search box keeps the query");
        app.stop().await;
    }

    async fn search_follows_edits_and_deletes_and_takes_any_characters(test_db: TestDb) {
        use marquee::services::blog;
        let app = test_db.spawn().await;
        let author = app.create_user("ada", "author").await;
        let ada = app.acting(author).await;
        let input = |title: &str, body: &str| crate::helpers::post_input(title, body, None, &[], true);
        let first = blog::create_post(&app.db, &ada, None, input("Harbour lights", "A quiet evening by the water.")).await.unwrap();
        let second = blog::create_post(&app.db, &ada, None, input("Odd characters", r#"100% of "quoted" under_scores, a!b and ÉCLAIRS"#)).await.unwrap();
        blog::create_post(&app.db, &ada, None, input("Unrelated", "Nothing to see.")).await.unwrap();
        let found = async |q: &str| -> Vec<String> {
            let (status, html) = app.visitor().get_html(&format!("/posts?q={}", urlencoding(q))).await;
            assert_eq!(status, StatusCode::OK, "{q}");
            ["Harbour lights", "Odd characters", "Unrelated", "Lanterns at sea"].iter()
                .filter(|t| html.contains(&format!(">{t}<")))
                .map(|t| t.to_string())
                .collect()
        };
        assert_eq!(found("EVENING").await, ["Harbour lights"]);
        assert_eq!(found("100%").await, ["Odd characters"], "% is a character, not a wildcard");
        assert_eq!(found("h%r").await, Vec::<String>::new(), "% is not a wildcard");
        assert_eq!(found("e_e").await, Vec::<String>::new(), "_ is not a wildcard");
        assert_eq!(found("r_s").await, ["Odd characters"], "_ is a character");
        assert_eq!(found(r#""quoted""#).await, ["Odd characters"], "quotes are searched for");
        assert_eq!(found("a!b").await, ["Odd characters"]);
        assert_eq!(found("ui").await, ["Harbour lights"], "two characters still find (quiet)");
        assert_eq!(found("harbour lights").await, ["Harbour lights"], "a phrase with a space");

        // An edit is found by its new words, not its old ones; a deleted post is found no more.
        blog::update_post(&app.db, &ada, None, &first.slug, input("Lanterns at sea", "A stormy night offshore."), None).await.unwrap();
        assert_eq!(found("evening").await, Vec::<String>::new());
        assert_eq!(found("stormy").await, ["Lanterns at sea"]);
        blog::delete_post(&app.db, &ada, None, &second.slug).await.unwrap();
        assert_eq!(found("100%").await, Vec::<String>::new());
        app.stop().await;
    }

    async fn a_post_page_renders_sanitised_markdown_and_visible_comments(test_db: TestDb) {
        let app = test_db.spawn().await;
        let author = app.create_user("ada", "author").await;
        let reader = app.create_user("grace", "reader").await;
        let created = marquee::services::blog::create_post(&app.db, &app.acting(author).await, None, crate::helpers::post_input(
            "Markdown test",
            "## Subheading\n\nSome **bold** text.\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))",
            None,
            &["film"],
            true,
        )).await.unwrap();
        let grace = app.acting(reader).await;
        let (first, _) = marquee::services::blog::add_comment(&app.db, &grace, &created.slug, crate::helpers::comment_text("First!")).await.unwrap();
        let (hidden, _) = marquee::services::blog::add_comment(&app.db, &grace, &created.slug, crate::helpers::comment_text("Spam spam")).await.unwrap();
        marquee::services::blog::set_comment_hidden(&app.db, &app.operator().await, None, hidden.id, true).await.unwrap();

        let (status, html) = app.visitor().get_html("/posts/markdown-test").await;

        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<h2>Subheading</h2>") && html.contains("<strong>bold</strong>"));
        assert!(!html.contains("<script>alert"), "scripts are removed");
        assert!(!html.contains("javascript:alert"), "javascript links are removed");
        assert!(html.contains(&format!("id=\"comment-{}\"", first.id)));
        assert!(!html.contains("Spam spam"), "hidden comments are not shown to readers");
        assert!(html.contains("Comments <span class=\"muted\">(1)</span>"));
        assert_eq!(app.visitor().get("/posts/no-such-post").await.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }

    async fn a_post_page_is_one_statement_with_the_same_comments_as_a_separate_query(test_db: TestDb) {
        use marquee::services::blog::{self, COMMENTS_PER_PAGE};
        let mut settings = test_db.settings();
        settings.cache = false;
        let app = test_db.spawn_with(settings).await;
        let author = app.create_user("ada", "author").await;
        let reader = app.create_user("grace", "reader").await;
        let post = app.create_post(author, "Busy thread", true, None, &["film"]).await;
        let grace = app.acting(reader).await;
        let written = COMMENTS_PER_PAGE + 7;
        let mut ids = Vec::new();
        for i in 0..written {
            let text = crate::helpers::comment_text(&format!("Comment \"{i}\" <b>é</b>\n\\ line"));
            ids.push(blog::add_comment(&app.db, &grace, &post.slug, text).await.unwrap().0.id);
        }
        for id in [ids[1], ids[55]] {
            blog::set_comment_hidden(&app.db, &app.operator().await, None, id, true).await.unwrap();
        }

        // The one-statement page holds what the post and comment queries hold, for readers
        // (hidden left out, the total the visible count) and moderators (all of them).
        for moderator in [false, true] {
            for page in [1, 2, 3] {
                let (detail, comments) = blog::post_with_comments(&app.db, &post.slug, moderator, page).await.unwrap().unwrap();
                let reference = blog::post_by_slug(&app.db, &post.slug).await.unwrap().unwrap();
                let expected = blog::comments(&app.db, post.id, moderator, page).await.unwrap();
                assert_eq!(detail.post, reference.post);
                assert_eq!((detail.author.clone(), detail.tags.clone()), (reference.author.clone(), reference.tags.clone()));
                assert_eq!(comments.items, expected.items, "moderator {moderator}, page {page}");
                let total = if moderator { written } else { written - 2 };
                assert_eq!((comments.number, comments.pages, comments.total), (page, 2, total), "moderator {moderator}, page {page}");
            }
        }
        assert!(blog::post_with_comments(&app.db, "no-such-post", false, 1).await.unwrap().is_none());

        let statements = app.statements_for(&format!("/posts/{}?page=2", post.slug)).await;
        assert_eq!(statements, test_db.backend.post_page_statements(), "a post page with its comments");
        let (_, html) = app.visitor().get_html(&format!("/posts/{}?page=3", post.slug)).await;
        assert!(html.contains("No comments on this page"), "past the last page the total stays and the first is offered");
        app.stop().await;
    }

}
