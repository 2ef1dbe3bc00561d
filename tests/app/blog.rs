//! The blog: lists without N+1 queries, search, post pages, writing and editing with tags,
//! permissions, categories, comments and moderation, and the top-authors report.

use entity::{category, comment, post, tag};
use marquee::seed::data::POSTS;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{Doc, PASSWORD, count_rows, escaped, location};

async fn category_id(db: &sea_orm::DatabaseConnection, slug: &str) -> i32 {
    category::Entity::find_by_slug(slug)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The `href` of the pagination link with this `rel` ("prev" is Newer, "next" is Older), with
/// HTML escapes undone.
/// Every category's and tag's maintained post count equals a fresh count of its published
/// posts.
async fn post_counts_hold(db: &sea_orm::DatabaseConnection, when: &str) {
    use entity::enums::PostStatus;
    use entity::post_tag;
    use sea_orm::sea_query::Query;
    let published = || post::Entity::find().filter(post::Column::Status.eq(PostStatus::Published));
    for c in category::Entity::find().all(db).await.unwrap() {
        let n = published()
            .filter(post::Column::CategoryId.eq(c.id))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            u64::try_from(c.post_count).unwrap(),
            n,
            "category {} {when}",
            c.slug
        );
    }
    for t in tag::Entity::find().all(db).await.unwrap() {
        let links = Query::select()
            .column(post_tag::Column::PostId)
            .from(post_tag::Entity)
            .and_where(post_tag::Column::TagId.eq(t.id))
            .to_owned();
        let n = published()
            .filter(post::Column::Id.in_subquery(links))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            u64::try_from(t.post_count).unwrap(),
            n,
            "tag {} {when}",
            t.name
        );
    }
}

/// Every post's stored list fields equal what they are copied from: `comment_count` its
/// visible comments, `tag_names` its linked tags, and each link's `listed_at` the post's.
async fn stored_list_fields_hold(db: &sea_orm::DatabaseConnection, when: &str) {
    use entity::post_tag;
    let posts = post::Entity::find().all(db).await.unwrap();
    let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
    let tags = marquee::services::blog::tags_of(db, ids).await.unwrap();
    for p in &posts {
        let visible = comment::Entity::find()
            .filter(comment::Column::PostId.eq(p.id))
            .filter(comment::Column::IsHidden.eq(false))
            .count(db)
            .await
            .unwrap();
        assert_eq!(
            u64::try_from(p.comment_count).unwrap(),
            visible,
            "comments of {} {when}",
            p.slug
        );
        let linked = tags.get(&p.id).cloned().unwrap_or_default().join(",");
        assert_eq!(p.tag_names, linked, "tags of {} {when}", p.slug);
    }
    for link in post_tag::Entity::find().all(db).await.unwrap() {
        let p = posts.iter().find(|p| p.id == link.post_id).unwrap();
        assert_eq!(
            link.listed_at, p.listed_at,
            "link {}–{} {when}",
            p.slug, link.tag_id
        );
    }
}

fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    let href = html[start..].split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

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
        marquee::services::blog::create_post(&app.db, &app.acting(author).await, crate::helpers::post_input("Body match", "Deep in the text: FILM NOIR and shadows.", None, &[], true)).await.unwrap();

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
        let first = blog::create_post(&app.db, &ada, input("Harbour lights", "A quiet evening by the water.")).await.unwrap();
        let second = blog::create_post(&app.db, &ada, input("Odd characters", r#"100% of "quoted" under_scores, a!b and ÉCLAIRS"#)).await.unwrap();
        blog::create_post(&app.db, &ada, input("Unrelated", "Nothing to see.")).await.unwrap();
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
        blog::update_post(&app.db, &ada, None, &first.slug, input("Lanterns at sea", "A stormy night offshore.")).await.unwrap();
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
        let created = marquee::services::blog::create_post(&app.db, &app.acting(author).await, crate::helpers::post_input(
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

    async fn an_author_writes_edits_and_deletes_a_post_with_tags_and_a_category(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let writer = app.signed_in("writer", "author").await;
        let rust = category_id(&app.db, "rust").await;

        let response = writer.post("/posts/new", &[
            ("title", "Hello, Marquee!"),
            ("body", "A *first* post."),
            ("category_id", &rust.to_string()),
            ("tags", "Rust, brand new tag, rust"),
            ("status", "draft"),
        ]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/posts/hello-marquee");
        let created = post::Entity::find_by_slug("hello-marquee").one(&app.db).await.unwrap().unwrap();
        assert_eq!(created.category_id, Some(rust));
        assert!(created.published_at.is_none());
        assert!(tag::Entity::find_by_name("brand-new-tag").one(&app.db).await.unwrap().is_some(), "missing tags are created");
        let tags = marquee::services::blog::tags_of(&app.db, vec![created.id]).await.unwrap();
        assert_eq!(tags[&created.id], vec!["brand-new-tag", "rust"]);

        // A draft is for its author (and moderators) only.
        assert_eq!(writer.get("/posts/hello-marquee").await.status(), StatusCode::OK);
        assert_eq!(app.visitor().get("/posts/hello-marquee").await.status(), StatusCode::NOT_FOUND);
        let (_, mine) = writer.get_html("/users/writer/posts").await;
        assert!(mine.contains("Hello, Marquee!") && mine.contains("draft"));
        let (_, public) = app.visitor().get_html("/users/writer/posts").await;
        assert!(!public.contains("Hello, Marquee!"));

        // Publishing through the edit form; the slug stays.
        let response = writer.post("/posts/hello-marquee/edit", &[
            ("title", "Hello again, Marquee"),
            ("body", "Now published."),
            ("category_id", ""),
            ("tags", "rust"),
            ("status", "published"),
        ]).await;
        assert_eq!(location(&response), "/posts/hello-marquee");
        let (status, html) = app.visitor().get_html("/posts/hello-marquee").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Hello again, Marquee") && html.contains("Now published."));
        let updated = post::Entity::find_by_id(created.id).one(&app.db).await.unwrap().unwrap();
        assert!(updated.published_at.is_some() && updated.category_id.is_none());

        // Same title again: a new, unique slug.
        let again = writer.write_post("Hello, Marquee!", "x", true).await;
        assert_eq!(location(&again), "/posts/hello-marquee-2");

        let (_, confirm) = writer.get_html("/posts/hello-marquee/delete").await;
        assert!(confirm.contains("Delete “Hello again, Marquee”?"));
        assert_eq!(writer.post("/posts/hello-marquee/delete", &[]).await.status(), StatusCode::SEE_OTHER);
        assert!(post::Entity::find_by_id(created.id).one(&app.db).await.unwrap().is_none());
        app.stop().await;
    }

    async fn bad_post_input_comes_back_with_messages_and_the_input_kept(test_db: TestDb) {
        let app = test_db.spawn().await;
        let writer = app.signed_in("writer", "author").await;
        let long_body = "x".repeat(marquee::domain::PostBody::MAX + 1);

        let response = writer.post("/posts/new", &[
            ("title", "   "),
            ("body", &long_body),
            ("category_id", "999999"),
            ("tags", "good, <b>bad</b>"),
            ("status", "published"),
        ]).await;

        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("Give the post a title."));
        assert!(html.contains("The post is too long"));
        assert!(html.contains("is not allowed"));
        assert!(html.contains("good, &#60;b&#62;bad&#60;/b&#62;"), "tags kept");
        assert!(html.contains(&long_body[..100]), "body kept");
        assert_eq!(count_rows(&app.db, "post").await, 0);

        let response = writer.post("/posts/new", &[("title", "Only a title"), ("body", ""), ("tags", "")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("#body-error"), "Write the post before saving it.");
        assert_eq!(doc.attrs("#title", "value"), ["Only a title"]);

        // A category that does not exist is the service's refusal, with the form kept.
        let response = writer.post("/posts/new", &[("title", "Lost"), ("body", "Text"), ("category_id", "999999")]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("#category_id-error"), "Choose a category from the list.");
        assert_eq!(doc.attrs("#title", "value"), ["Lost"]);
        assert_eq!(count_rows(&app.db, "post").await, 0);
        app.stop().await;
    }

    async fn only_the_author_or_a_moderator_may_edit_or_delete(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        app.create_user("other", "author").await;
        app.create_user("mod", "moderator").await;
        app.create_user("grace", "reader").await;
        app.create_post(ada, "Ada's post", true, None, &[]).await;
        app.create_post(ada, "Ada's draft", false, None, &[]).await;

        let other = app.visitor();
        other.login_ok("other", PASSWORD).await;
        assert_eq!(other.get("/posts/adas-post/edit").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post("/posts/adas-post/edit", &[("title", "Hijacked"), ("body", "x")]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.get("/posts/adas-post/delete").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post("/posts/adas-post/delete", &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.get("/posts/adas-draft").await.status(), StatusCode::NOT_FOUND, "others' drafts do not exist for them");
        let stored = post::Entity::find_by_slug("adas-post").one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.title, "Ada's post");

        let reader = app.visitor();
        reader.login_ok("grace", PASSWORD).await;
        assert_eq!(reader.get("/posts/new").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(reader.post("/posts/new", &[("title", "x"), ("body", "y")]).await.status(), StatusCode::FORBIDDEN);

        let moderator = app.visitor();
        moderator.login_ok("mod", PASSWORD).await;
        assert_eq!(moderator.get("/posts/adas-draft").await.status(), StatusCode::OK);
        let response = moderator.post("/posts/adas-post/edit", &[("title", "Ada's post (edited)"), ("body", "Fixed a typo."), ("status", "published")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        app.stop().await;
    }

    async fn a_failed_save_leaves_nothing_half_written(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        let before = count_rows(&app.db, "post").await;
        // Break the second half of the work (the tag links) so the transaction must roll back.
        crate::helpers::exec(&app.db, "DROP TABLE post_tag").await;

        let result = marquee::services::blog::create_post(&app.db, &app.acting(ada).await, crate::helpers::post_input("Half written", "x", None, &["film"], true)).await;

        assert!(result.is_err());
        assert_eq!(count_rows(&app.db, "post").await, before, "the post was rolled back with its tags");
        assert_eq!(count_rows(&app.db, "tag").await, 0);
        app.stop().await;
    }

    async fn category_and_tag_post_counts_follow_every_change_even_from_concurrent_writers(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        post_counts_hold(&app.db, "after seeding").await;
        stored_list_fields_hold(&app.db, "after seeding").await;
        let film = category_id(&app.db, "film").await;
        let rust = category_id(&app.db, "rust").await;
        let writer = app.signed_in("writer", "author").await;
        let post = |title: &'static str, category: i32, tags: &'static str, status: &'static str| {
            let category = category.to_string();
            let writer = &writer;
            async move {
                writer.post("/posts/new", &[
                    ("title", title), ("body", "Text."), ("category_id", &category), ("tags", tags), ("status", status),
                ]).await
            }
        };
        assert_eq!(post("Counted", film, "counted, film", "draft").await.status(), StatusCode::SEE_OTHER);
        post_counts_hold(&app.db, "after a draft").await;
        stored_list_fields_hold(&app.db, "after a draft").await;
        let edit = |category: String, tags: &'static str, status: &'static str| {
            let writer = &writer;
            async move {
                let response = writer.post("/posts/counted/edit", &[
                    ("title", "Counted"), ("body", "Text."), ("category_id", &category), ("tags", tags), ("status", status),
                ]).await;
                assert_eq!(response.status(), StatusCode::SEE_OTHER);
            }
        };
        edit(film.to_string(), "counted, film", "published").await;
        post_counts_hold(&app.db, "after publishing").await;
        stored_list_fields_hold(&app.db, "after publishing").await;
        let counted = tag::Entity::find_by_name("counted").one(&app.db).await.unwrap().unwrap();
        assert_eq!(counted.post_count, 1);
        edit(rust.to_string(), "rust, other", "published").await;
        post_counts_hold(&app.db, "after moving and retagging").await;
        stored_list_fields_hold(&app.db, "after moving and retagging").await;
        edit(String::new(), "other", "draft").await;
        post_counts_hold(&app.db, "after unpublishing").await;
        stored_list_fields_hold(&app.db, "after unpublishing").await;
        edit(rust.to_string(), "counted", "published").await;
        assert_eq!(writer.post("/posts/counted/delete", &[]).await.status(), StatusCode::SEE_OTHER);
        post_counts_hold(&app.db, "after deleting").await;
        stored_list_fields_hold(&app.db, "after deleting").await;

        // Writers at once, all on one tag and category: no change is lost.
        let writers = futures_util::future::join_all((0..6).map(|i| {
            let app = &app;
            async move { app.signed_in(&format!("crowd{i}"), "author").await }
        }))
        .await;
        let results = futures_util::future::join_all(writers.iter().enumerate().map(|(i, w)| {
            let category = film.to_string();
            async move {
                let mut statuses = Vec::new();
                for k in 0..3 {
                    let title = format!("Crowd {i} {k}");
                    statuses.push(w.post("/posts/new", &[
                        ("title", &title), ("body", "Text."), ("category_id", &category), ("tags", "crowd"), ("status", "published"),
                    ]).await.status());
                }
                statuses
            }
        }))
        .await;
        assert!(results.iter().flatten().all(|s| *s == StatusCode::SEE_OTHER), "{results:?}");
        post_counts_hold(&app.db, "after concurrent writers").await;
        stored_list_fields_hold(&app.db, "after concurrent writers").await;
        let crowd = tag::Entity::find_by_name("crowd").one(&app.db).await.unwrap().unwrap();
        assert_eq!(crowd.post_count, 18);

        // The tree and the tag list show the maintained counts.
        let (_, tree) = app.visitor().get_html("/categories").await;
        let all = category::Entity::find().all(&app.db).await.unwrap();
        let film_total = post::Entity::find()
            .filter(post::Column::Status.eq(entity::enums::PostStatus::Published))
            .filter(post::Column::CategoryId.is_in(marquee::services::blog::descendants(&all, film)))
            .count(&app.db)
            .await
            .unwrap();
        assert!(film_total > 18 && tree.contains(&format!(">{film_total} posts</span>")), "{film_total}: {tree}");
        let tags: serde_json::Value = app.visitor().get("/api/v1/tags").await.json().await.unwrap();
        assert!(tags["items"].as_array().unwrap().iter().any(|t| t["name"] == "crowd" && t["posts"] == 18), "{tags}");
        assert!(!tags["items"].as_array().unwrap().iter().any(|t| t["name"] == "other"), "a tag without published posts is not listed");
        app.stop().await;
    }

    async fn categories_form_a_tree_that_moderators_manage(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let moderator = app.signed_in("boss", "moderator").await;

        let (_, tree) = app.visitor().get_html("/categories").await;
        let silent = POSTS.iter().filter(|p| p.category == "silent-era").count();
        assert!(tree.contains("href=\"/categories/film\"") && tree.contains("Silent era"));
        assert!(!tree.contains("Rename or move"), "readers do not manage");

        // The top-level category page lists posts of every level below it, with breadcrumbs.
        let (_, film) = app.visitor().get_html("/categories/silent-era").await;
        assert_eq!(film.matches("class=\"card post-card\"").count(), silent);
        let crumbs = Doc::parse(&film);
        assert_eq!(crumbs.texts(".breadcrumbs a, .breadcrumbs [aria-current=page]"), ["Categories", "Film", "Film history", "Silent era"], "breadcrumbs");
        let (_, top) = app.visitor().get_html("/categories/film").await;
        let first_silent = POSTS.iter().find(|p| p.category == "silent-era").unwrap();
        assert!(top.contains(&escaped(first_silent.title)), "descendant posts are included");

        // Create, move under its own descendant (refused), rename and move, delete.
        let film_id = category_id(&app.db, "film").await;
        let response = moderator.post("/categories", &[("name", "Documentaries"), ("parent_id", &film_id.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let silent_id = category_id(&app.db, "silent-era").await;
        let response = moderator.post("/categories/film/edit", &[("name", "Film"), ("parent_id", &silent_id.to_string())]).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("cannot move under itself or one of its own subcategories"));
        assert_eq!(category::Entity::find_by_id(film_id).one(&app.db).await.unwrap().unwrap().parent_id, None);

        let response = moderator.post("/categories/documentaries/edit", &[("name", "Docs"), ("parent_id", "")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let docs = category::Entity::find_by_slug("documentaries").one(&app.db).await.unwrap().unwrap();
        assert_eq!((docs.name.as_str(), docs.parent_id), ("Docs", None));

        let response = moderator.post("/categories/film/delete", &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "a category with children stays");
        let posts_in_silent = post::Entity::find().filter(post::Column::CategoryId.eq(silent_id)).count(&app.db).await.unwrap();
        let response = moderator.post("/categories/silent-era/delete", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let uncategorised = post::Entity::find().filter(post::Column::Title.eq(first_silent.title)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(uncategorised.category_id, None);
        assert!(posts_in_silent > 0);

        let reader = app.visitor();
        app.create_user("reader1", "reader").await;
        reader.login_ok("reader1", PASSWORD).await;
        assert_eq!(reader.post("/categories", &[("name", "Nope")]).await.status(), StatusCode::FORBIDDEN);
        app.stop().await;
    }

    async fn a_post_page_takes_its_breadcrumbs_from_the_stored_trail_which_follows_every_category_change(test_db: TestDb) {
        use marquee::services::blog;
        use std::sync::atomic::Ordering;
        let mut settings = test_db.settings();
        settings.cache = false; // every page from the database, and its statements counted
        let app = test_db.spawn_with(settings).await;
        app.seed_demo().await;
        let moderator = app.signed_in("boss", "moderator").await;
        let silent = POSTS.iter().find(|p| p.category == "silent-era").unwrap();
        let page = format!("/posts/{}", post::Entity::find().filter(post::Column::Title.eq(silent.title)).one(&app.db).await.unwrap().unwrap().slug);
        let reader = app.visitor();
        let crumbs = async || {
            let before = app.statements.load(Ordering::SeqCst);
            let (status, html) = reader.get_html(&page).await;
            assert_eq!(status, StatusCode::OK);
            let statements = app.statements.load(Ordering::SeqCst) - before;
            (Doc::parse(&html).texts(".breadcrumbs a"), statements)
        };
        // Every stored trail is what the tree gives.
        let trails_hold = async |when: &str| {
            let all = blog::categories(&app.db).await.unwrap();
            for c in &all {
                assert_eq!(blog::parse_trail(c.trail.as_deref()), Some(blog::trail(&all, c.id)), "{}'s trail {when}", c.slug);
            }
        };
        trails_hold("after seeding").await;
        assert_eq!(crumbs().await, (vec!["Categories".to_owned(), "Film".into(), "Film history".into(), "Silent era".into()], test_db.backend.post_page_statements()), "one statement (two on MySQL)");

        // Renaming an ancestor and moving the subtree change the trails below them.
        let film = category_id(&app.db, "film").await;
        let response = moderator.post("/categories/film/edit", &[("name", "Cinema & <Film>"), ("parent_id", "")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        trails_hold("after a rename").await;
        assert_eq!(crumbs().await.0, ["Categories", "Cinema & <Film>", "Film history", "Silent era"]);
        let response = moderator.post("/categories", &[("name", "Archive"), ("parent_id", "")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let archive = category_id(&app.db, "archive").await;
        let response = moderator.post("/categories/film-history/edit", &[("name", "Film history"), ("parent_id", &archive.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        trails_hold("after a move").await;
        assert_eq!(crumbs().await.0, ["Categories", "Archive", "Film history", "Silent era"]);
        let response = moderator.post("/categories/film-history/edit", &[("name", "Film history"), ("parent_id", &film.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        trails_hold("after moving back").await;

        // A category whose trail is missing (written by other means) is shown from the tree.
        category::Entity::update_many()
            .col_expr(category::Column::Trail, sea_orm::sea_query::Expr::value(None::<String>))
            .filter(category::Column::Slug.eq("silent-era"))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(crumbs().await, (vec!["Categories".to_owned(), "Cinema & <Film>".into(), "Film history".into(), "Silent era".into()], test_db.backend.post_page_statements() + 1), "the tree, one statement more");
        app.stop().await;
    }

    async fn readers_comment_and_moderators_hide_comments(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ada = app.create_user("ada", "author").await;
        app.create_user("grace", "reader").await;
        app.create_user("mod", "moderator").await;
        app.create_post(ada, "Discuss", true, None, &[]).await;
        let reader = app.visitor();
        reader.login_ok("grace", PASSWORD).await;

        let empty = reader.post("/posts/discuss/comments", &[("body", "   ")]).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text().await.unwrap().contains("Write something before posting your comment."));
        let response = reader.post("/posts/discuss/comments", &[("body", "Lovely <b>post</b>")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = reader.get_html("/posts/discuss").await;
        assert!(html.contains("Lovely &#60;b&#62;post&#60;/b&#62;"), "comments are escaped text");

        let written = comment::Entity::find().one(&app.db).await.unwrap().unwrap();
        let moderator = app.visitor();
        moderator.login_ok("mod", PASSWORD).await;
        let (status, queue) = moderator.get_html("/moderation").await;
        assert_eq!(status, StatusCode::OK);
        assert!(queue.contains("Lovely"));
        assert_eq!(reader.get("/moderation").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(reader.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await.status(), StatusCode::FORBIDDEN);

        let response = moderator.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let (_, html) = reader.get_html("/posts/discuss").await;
        assert!(!html.contains("Lovely"), "hidden for readers");
        let (_, html) = moderator.get_html("/posts/discuss").await;
        assert!(html.contains("Lovely") && html.contains("hidden"), "moderators still see it, marked");
        let card_count = |html: String| Doc::parse(&html).text(".post-card .comment-count");
        stored_list_fields_hold(&app.db, "after hiding").await;
        assert_eq!(card_count(reader.get_html("/posts").await.1), "0 comments", "the list counts visible comments");
        moderator.post(&format!("/moderation/comments/{}/unhide", written.id), &[]).await;
        let (_, html) = reader.get_html("/posts/discuss").await;
        assert!(html.contains("Lovely"));
        stored_list_fields_hold(&app.db, "after showing again").await;
        assert_eq!(card_count(reader.get_html("/posts").await.1), "1 comment");
        // Hiding what is already hidden changes nothing.
        moderator.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await;
        moderator.post(&format!("/moderation/comments/{}/hide", written.id), &[]).await;
        stored_list_fields_hold(&app.db, "after hiding twice").await;
        assert_eq!(card_count(reader.get_html("/posts").await.1), "0 comments");
        app.stop().await;
    }

    async fn the_dashboard_reports_the_top_authors_of_the_last_30_days(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let ada = app.create_user("ada", "author").await;
        let bob = app.create_user("bob", "author").await;
        let grace = app.create_user("grace", "reader").await;
        for i in 0..3 {
            let p = app.create_post(ada, &format!("Ada {i}"), true, None, &[]).await;
            marquee::services::blog::add_comment(&app.db, &app.acting(grace).await, &p.slug, crate::helpers::comment_text("nice")).await.unwrap();
        }
        app.create_post(bob, "Bob 1", true, None, &[]).await;
        app.create_post(bob, "Bob draft", false, None, &[]).await;
        // An old post does not count.
        let old = app.create_post(bob, "Bob old", true, None, &[]).await;
        let mut old: post::ActiveModel = old.into();
        old.published_at = sea_orm::ActiveValue::Set(Some(chrono::Utc::now() - chrono::Duration::days(40)));
        sea_orm::ActiveModelTrait::update(old, &app.db).await.unwrap();

        let top = marquee::services::blog::top_authors(&app.db, 5).await.unwrap();
        let got: Vec<(String, i64, i64)> = top.into_iter().map(|a| (a.username, a.posts, a.comments)).collect();
        assert_eq!(got, vec![("ada".to_owned(), 3, 3), ("bob".to_owned(), 1, 0)]);

        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let (_, html) = admin.get_html("/admin").await;
        let doc = Doc::parse(&html);
        assert!(doc.texts("h2").iter().any(|h| h == "Top authors in the last 30 days"));
        assert_eq!(doc.texts(".top-authors tbody tr").first().map(String::as_str), Some("ada 3 3"));
        app.stop().await;
    }
}

/// The query-string form of `text` (every byte but letters and digits escaped).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
