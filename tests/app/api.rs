//! The JSON API on every backend: every endpoint's success and its errors, permission refusals
//! for each role, tokens (scopes, expiry, revocation, deactivation, a role losing a
//! permission), the role rules' escalation paths tried through the API, ETags, the rate limit.
//! Every reply is checked against the served OpenAPI document (`api_client`).

use entity::enums::Permission;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::api_client::{Api, make_token};

backend_tests! {
    async fn the_document_is_openapi_3_1_and_the_reference_page_shows_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        assert!(api.doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = api.doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 71, "{:?}", paths.keys().collect::<Vec<_>>());
        assert_eq!(
            api.doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        let mut operations = 0;
        for (path, item) in paths {
            for (method, operation) in item.as_object().unwrap() {
                operations += 1;
                assert!(
                    operation["responses"].as_object().is_some_and(|r| !r.is_empty()),
                    "{method} {path} documents its responses"
                );
            }
        }
        assert_eq!(operations, 99);
        let (status, html) = app.visitor().get_html("/docs/api").await;
        assert_eq!(status, StatusCode::OK);
        let doc = crate::helpers::Doc::parse(&html);
        let shown = doc.texts(".api-operation h3 code");
        assert_eq!(shown.len(), operations, "every operation has its section");
        assert!(shown.contains(&"PUT /api/v1/admin/roles/{id}".to_owned()));
        assert!(shown.contains(&"PUT /api/v1/admin/users/{id}/overrides/{permission}".to_owned()));
        assert!(doc.count("#schema-Post") == 1 && doc.count("#invalid") == 1);
    }

    async fn posts_through_the_api_follow_the_rules_of_the_pages(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let author = app.signed_in("writer", "author").await;
        let token = make_token(&author, &["write_posts", "comment"]).await;
        let reader = app.signed_in("reader1", "reader").await;
        let reader_token = make_token(&reader, &["comment"]).await;

        // Writing needs a token, and a token with write_posts.
        let body = json!({ "title": "Hello API", "body": "Some *text*.", "tags": ["rust", "web dev"] });
        let anonymous = api.post("/api/v1/posts", None, body.clone()).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        assert!(anonymous.header("www-authenticate").starts_with("Bearer"));
        let refused = api.post("/api/v1/posts", Some(&reader_token), body.clone()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let invalid = api.post("/api/v1/posts", Some(&token), json!({ "title": " ", "tags": ["<b>"] })).await;
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.fields(), ["title", "body", "tags"]);
        let eleven = vec!["same"; 11];
        let too_many = api.post("/api/v1/posts", Some(&token), json!({ "title": "T", "body": "B", "tags": eleven })).await;
        assert_eq!(too_many.fields(), ["tags"], "at most ten, as the document says, duplicates or not");
        assert_eq!(too_many.body["errors"][0]["message"], "Use at most 10 tags.");
        let comma = api.post("/api/v1/posts", Some(&token), json!({ "title": "T", "body": "B", "tags": ["a,b"] })).await;
        assert_eq!(comma.fields(), ["tags"]);
        assert_eq!(comma.body["errors"][0]["message"], "“a,b” may not contain a comma or a line break.");

        let created = api.post("/api/v1/posts", Some(&token), body).await;
        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(created.header("location"), "/api/v1/posts/hello-api");
        assert_eq!(created.body["status"], "draft");
        assert_eq!(created.body["tags"], json!(["rust", "web-dev"]));
        assert!(created.body["body_html"].as_str().unwrap().contains("<em>text</em>"));

        // A draft is its author's: others get a 404, lists of drafts are refused.
        assert_eq!(api.get("/api/v1/posts/hello-api", None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.get("/api/v1/posts/hello-api", Some(&reader_token)).await.status, StatusCode::NOT_FOUND);
        let drafts = api.get("/api/v1/posts?author=writer&status=draft", Some(&token)).await;
        assert_eq!(drafts.body["items"][0]["slug"], "hello-api");
        assert_eq!(
            api.get("/api/v1/posts?author=writer&status=draft", Some(&reader_token)).await.status,
            StatusCode::FORBIDDEN
        );

        // ETags: 304 for the same version, 412 for a change based on an old one.
        let read = api.get("/api/v1/posts/hello-api", Some(&token)).await;
        let etag = read.header("etag");
        assert!(etag.starts_with('"'));
        let mut again = api.call(Method::GET, "/api/v1/posts/hello-api");
        again.token = Some(&token);
        again.headers.push(("If-None-Match", etag.clone()));
        assert_eq!(api.send(again).await.status, StatusCode::NOT_MODIFIED);
        let edit = json!({ "title": "Hello API", "body": "Edited.", "tags": ["rust"], "status": "draft" });
        let mut first = api.call(Method::PUT, "/api/v1/posts/hello-api");
        first.token = Some(&token);
        first.body = Some(edit.clone());
        first.headers.push(("If-Match", etag.clone()));
        let saved = api.send(first).await;
        assert_eq!(saved.status, StatusCode::OK);
        assert_ne!(saved.header("etag"), etag);
        let mut stale = api.call(Method::PUT, "/api/v1/posts/hello-api");
        stale.token = Some(&token);
        stale.body = Some(json!({ "title": "Lost update", "body": "Mine.", "status": "draft" }));
        stale.headers.push(("If-Match", etag.clone()));
        assert_eq!(api.send(stale).await.status, StatusCode::PRECONDITION_FAILED);
        assert_eq!(api.get("/api/v1/posts/hello-api", Some(&token)).await.body["body"], "Edited.");

        // Publishing; then anyone reads it and it is listed by tag.
        let published = api.post("/api/v1/posts/hello-api/publish", Some(&token), json!({})).await;
        assert_eq!(published.status, StatusCode::OK);
        assert_eq!(published.body["status"], "published");
        assert!(published.body["published_at"].is_string());
        let listed = api.get("/api/v1/posts?tag=rust", None).await;
        assert_eq!(listed.body["items"][0]["slug"], "hello-api");
        assert_eq!(api.get("/api/v1/posts?tag=nothing-here", None).await.status, StatusCode::NOT_FOUND);

        // Someone else may not edit or delete it.
        let other = app.signed_in("other", "author").await;
        let other_token = make_token(&other, &["write_posts"]).await;
        assert_eq!(
            api.put("/api/v1/posts/hello-api", Some(&other_token), edit.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(api.delete("/api/v1/posts/hello-api", Some(&other_token)).await.status, StatusCode::FORBIDDEN);

        // Comments: written with `comment`, hidden by a moderator, then shown to moderators only.
        let comment = api.post("/api/v1/posts/hello-api/comments", Some(&reader_token), json!({ "body": "Nice." })).await;
        assert_eq!(comment.status, StatusCode::CREATED);
        assert_eq!(comment.body["author"], "reader1");
        let id = comment.body["id"].as_i64().unwrap();
        let empty = api.post("/api/v1/posts/hello-api/comments", Some(&reader_token), json!({})).await;
        assert_eq!(empty.fields(), ["body"]);
        let hide = format!("/api/v1/comments/{id}/hide");
        assert_eq!(api.post(&hide, Some(&token), json!({})).await.status, StatusCode::FORBIDDEN);
        let moderator = app.signed_in("mod1", "moderator").await;
        let mod_token = make_token(&moderator, &["moderate_comments"]).await;
        assert_eq!(api.post(&hide, Some(&mod_token), json!({})).await.status, StatusCode::NO_CONTENT);
        let public = api.get("/api/v1/posts/hello-api/comments", None).await;
        assert_eq!(public.body["total"], 0);
        let moderated = api.get("/api/v1/posts/hello-api/comments", Some(&mod_token)).await;
        assert_eq!(moderated.body["items"][0]["is_hidden"], true);
        assert_eq!(api.post("/api/v1/comments/999999/hide", Some(&mod_token), json!({})).await.status, StatusCode::NOT_FOUND);

        // Categories and tags.
        let tags = api.get("/api/v1/tags", None).await;
        assert_eq!(tags.body["items"], json!([{ "name": "rust", "posts": 1 }]));
        assert_eq!(api.get("/api/v1/categories", None).await.status, StatusCode::OK);

        // The author deletes it; it is gone.
        assert_eq!(api.delete("/api/v1/posts/hello-api", Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get("/api/v1/posts/hello-api", None).await.status, StatusCode::NOT_FOUND);
    }

    async fn post_lists_page_by_cursor_without_overlap(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let author = app.signed_in("writer", "author").await;
        let token = make_token(&author, &["write_posts"]).await;
        for n in 0..5 {
            let body = json!({ "title": format!("Post {n}"), "body": "Text.", "status": "published" });
            assert_eq!(api.post("/api/v1/posts", Some(&token), body).await.status, StatusCode::CREATED);
        }
        let mut seen = Vec::new();
        let mut path = "/api/v1/posts?limit=2".to_owned();
        let mut pages = 0;
        loop {
            let page = api.get(&path, None).await;
            assert_eq!(page.status, StatusCode::OK);
            pages += 1;
            for item in page.body["items"].as_array().unwrap() {
                seen.push(item["title"].as_str().unwrap().to_owned());
            }
            match page.body["next"].as_str() {
                Some(next) => path = format!("/api/v1/posts?limit=2&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ["Post 4", "Post 3", "Post 2", "Post 1", "Post 0"]);
        let last = api.get(&path, None).await;
        let back = last.body["prev"].as_str().unwrap().to_owned();
        let newer = api.get(&format!("/api/v1/posts?limit=2&cursor={back}"), None).await;
        assert_eq!(newer.body["items"][0]["title"], "Post 2");
        for bad in ["?limit=0", "?limit=101", "?cursor=o1_x", "?cursor=%20z", "?status=secret"] {
            let reply = api.get(&format!("/api/v1/posts{bad}"), None).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    async fn movies_and_reviews_through_the_api(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let manager = app.signed_in("curator", "moderator").await;
        let token = make_token(&manager, &["manage_movies", "review_movies"]).await;
        let reader = app.signed_in("viewer", "reader").await;
        let reader_token = make_token(&reader, &["review_movies"]).await;

        let movie = json!({
            "title": "Heat", "year": 1995, "mpa": "R", "theatre": false,
            "synopsis": "A heist.", "directors": ["Michael Mann", "Second Unit"]
        });
        assert_eq!(api.post("/api/v1/movies", Some(&reader_token), movie.clone()).await.status, StatusCode::FORBIDDEN);
        let bad = api.post("/api/v1/movies", Some(&token), json!({ "title": "", "year": 1500, "mpa": "X" })).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.fields(), ["title", "year", "mpa"]);
        let comma = api.post("/api/v1/movies", Some(&token), json!({ "title": "A", "year": 2000, "directors": ["Mann, Michael"] })).await;
        assert_eq!(comma.fields(), ["directors"]);
        assert_eq!(comma.body["errors"][0]["message"], "“Mann, Michael” may not contain a comma or a line break.");
        let blank = api.post("/api/v1/movies", Some(&token), json!({ "title": "A", "year": 2000, "directors": [" "] })).await;
        assert_eq!(blank.fields(), ["directors"]);
        assert_eq!(blank.body["errors"][0]["message"], "The list has an empty entry.");
        let no_year = api.post("/api/v1/movies", Some(&token), json!({ "title": "A" })).await;
        assert_eq!(no_year.fields(), ["year"]);
        assert!(no_year.body["errors"][0]["message"].as_str().unwrap().starts_with("Enter a year from 1888 to "));
        let created = api.post("/api/v1/movies", Some(&token), movie).await;
        assert_eq!(created.status, StatusCode::CREATED);
        let id = created.body["id"].as_i64().unwrap();
        assert_eq!(created.body["directors"][0]["name"], "Michael Mann");
        assert_eq!(created.body["directors"][1]["name"], "Second Unit");

        let list = api.get("/api/v1/movies?mpa=R&sort=rating", None).await;
        assert_eq!(list.body["total"], 1);
        let rated_r = list.body["facets"]["mpa"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["mpa"] == "R")
            .unwrap()
            .clone();
        assert_eq!(rated_r["count"], 1);
        assert_eq!(api.get("/api/v1/movies?mpa=XXX", None).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(api.get("/api/v1/movies?sort=worst", None).await.status, StatusCode::BAD_REQUEST);

        // A change with the current tag; then one with the old tag is refused.
        let path = format!("/api/v1/movies/{id}");
        let etag = api.get(&path, None).await.header("etag");
        let mut change = api.call(Method::PUT, &path);
        change.token = Some(&token);
        change.body = Some(json!({ "title": "Heat", "year": 1995, "mpa": "R", "theatre": true, "synopsis": "A heist in LA.", "directors": ["Michael Mann"] }));
        change.headers.push(("If-Match", etag.clone()));
        let changed = api.send(change).await;
        assert_eq!(changed.status, StatusCode::OK);
        assert_eq!(changed.body["directors"].as_array().unwrap().len(), 1);
        let mut late = api.call(Method::DELETE, &path);
        late.token = Some(&token);
        late.headers.push(("If-Match", etag));
        assert_eq!(api.send(late).await.status, StatusCode::PRECONDITION_FAILED);

        // Reviews: one per member; your own to edit and delete.
        let reviews = format!("{path}/reviews");
        let first = api.post(&reviews, Some(&reader_token), json!({ "rating": 4, "body": "Tense." })).await;
        assert_eq!(first.status, StatusCode::CREATED);
        let review_id = first.body["id"].as_i64().unwrap();
        let second = api.post(&reviews, Some(&reader_token), json!({ "rating": 5, "body": "Again." })).await;
        assert_eq!(second.status, StatusCode::CONFLICT);
        let eleven = api.post(&reviews, Some(&reader_token), json!({ "rating": 11, "body": "x" })).await;
        assert_eq!(eleven.fields(), ["rating"]);
        assert_eq!(eleven.body["errors"][0]["message"], "Choose a rating from 1 to 10.");
        let own = format!("{reviews}/{review_id}");
        assert_eq!(api.put(&own, Some(&token), json!({ "rating": 1, "body": "Mine now." })).await.status, StatusCode::FORBIDDEN);
        let edited = api.put(&own, Some(&reader_token), json!({ "rating": 5, "body": "Even better." })).await;
        assert_eq!(edited.body["rating"], 5);
        assert_eq!(api.get(&path, None).await.body["average_rating"], 5.0);
        assert_eq!(api.get(&reviews, None).await.body["items"][0]["author"], "viewer");
        let person = created.body["directors"][0]["id"].as_i64().unwrap();
        let mann = api.get(&format!("/api/v1/people/{person}"), None).await;
        assert_eq!(mann.body["directed"][0]["title"], "Heat");
        assert_eq!(api.delete(&own, Some(&token)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.delete(&own, Some(&reader_token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.delete(&path, Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&path, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.get("/api/v1/people/999999", None).await.status, StatusCode::NOT_FOUND);
    }

    async fn members_groups_and_you(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let member = app.signed_in("zoe", "reader").await;
        let token = make_token(&member, &[]).await;

        let me = api.get("/api/v1/me", Some(&token)).await;
        assert_eq!(me.body["username"], "zoe");
        assert_eq!(me.body["permissions"], json!([]), "a token without scopes reads only");
        assert_eq!(api.get("/api/v1/me", None).await.status, StatusCode::UNAUTHORIZED);
        let bad = api.put("/api/v1/me", Some(&token), json!({ "website": "javascript:alert(1)", "birth_date": "tomorrow" })).await;
        assert_eq!(bad.fields(), ["display_name", "birth_date", "website"]);
        let saved = api.put("/api/v1/me", Some(&token), json!({ "display_name": "Zoë", "bio": "Hi.", "website": "https://zoe.example" })).await;
        assert_eq!(saved.status, StatusCode::OK);
        assert_eq!(saved.body["profile"]["display_name"], "Zoë");
        let public = api.get("/api/v1/users/zoe", None).await;
        assert_eq!(public.body["website"], "https://zoe.example");
        assert!(public.body.get("email").is_none(), "no address in a public profile");
        assert_eq!(api.get("/api/v1/users/nobody", None).await.status, StatusCode::NOT_FOUND);

        let admin = app.signed_in("boss", "admin").await;
        let created = admin.create_group("Film club", "We watch films.").await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let groups = api.get("/api/v1/groups", None).await;
        let id = groups.body["items"][0]["id"].as_i64().unwrap();
        assert_eq!(api.post(&format!("/api/v1/groups/{id}/join"), None, json!({})).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(api.post(&format!("/api/v1/groups/{id}/join"), Some(&token), json!({})).await.status, StatusCode::NO_CONTENT);
        let group = api.get(&format!("/api/v1/groups/{id}"), None).await;
        assert_eq!(group.body["members"][0]["username"], "zoe");
        assert_eq!(api.post(&format!("/api/v1/groups/{id}/leave"), Some(&token), json!({})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&format!("/api/v1/groups/{id}"), None).await.body["total"], 0);
        assert_eq!(api.post("/api/v1/groups/999999/join", Some(&token), json!({})).await.status, StatusCode::NOT_FOUND);
    }

    async fn a_session_reads_but_never_writes(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let member = app.signed_in("writer", "author").await;
        let me = api.check(&Method::GET, "/api/v1/me", member.get("/api/v1/me").await).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["permissions"], json!(["comment", "write_posts", "review_movies"]));
        assert_eq!(me.header("cache-control"), "no-store");
        let write = member
            .client
            .post(member.url("/api/v1/posts"))
            .json(&json!({ "title": "Via cookie", "body": "No." }))
            .send()
            .await
            .unwrap();
        let write = api.check(&Method::POST, "/api/v1/posts", write).await;
        assert_eq!(write.status, StatusCode::UNAUTHORIZED);
        assert_eq!(crate::helpers::count_rows(&app.db, "post").await, 0);
    }

    async fn tokens_stop_when_revoked_expired_deactivated_or_narrowed(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let author = app.signed_in("writer", "author").await;

        // Scopes beyond your own are refused; the settings page lists tokens, never secrets.
        let beyond = author
            .post("/settings/tokens", &[("name", "x"), ("expires_in_days", "30"), ("scopes", "manage_roles")])
            .await;
        assert_eq!(beyond.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let odd = author
            .post("/settings/tokens", &[("name", "x"), ("expires_in_days", "3")])
            .await;
        assert_eq!(odd.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let token = make_token(&author, &["write_posts"]).await;
        let (_, page) = author.get_html("/settings/tokens").await;
        assert!(!page.contains(&token), "a secret is shown once only");
        let stored = entity::api_token::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].token_hash, token, "only a hash is stored");
        let post = |n: u32| json!({ "title": format!("Post {n}"), "body": "Text." });

        // Scoped: the token cannot comment although its owner can.
        assert_eq!(api.post("/api/v1/posts", Some(&token), post(1)).await.status, StatusCode::CREATED);
        let slug = "post-1";
        let comment = api.post(&format!("/api/v1/posts/{slug}/comments"), Some(&token), json!({ "body": "x" })).await;
        assert_eq!(comment.status, StatusCode::FORBIDDEN);

        // The role loses write_posts: so does the token, at once.
        let role = entity::role::Entity::find_by_name("author").one(&app.db).await.unwrap().unwrap();
        entity::role_permission::Entity::delete_many()
            .filter(entity::role_permission::Column::RoleId.eq(role.id))
            .filter(entity::role_permission::Column::Permission.eq(Permission::WritePosts))
            .exec(&app.db)
            .await
            .unwrap();
        assert_eq!(api.post("/api/v1/posts", Some(&token), post(2)).await.status, StatusCode::FORBIDDEN);

        // Expired.
        let second = make_token(&author, &[]).await;
        assert_eq!(api.get("/api/v1/me", Some(&second)).await.status, StatusCode::OK);
        let id = entity::api_token::Entity::find()
            .filter(entity::api_token::Column::TokenHash.eq(marquee::services::accounts::secrets::token_id(&second)))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        crate::helpers::exec(
            &app.db,
            &format!("UPDATE api_token SET expires_at = created_at WHERE id = {id}"),
        )
        .await;
        let expired = api.get("/api/v1/me", Some(&second)).await;
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
        assert!(expired.header("www-authenticate").contains("invalid_token"));

        // Revoked through the settings page.
        let third = make_token(&author, &[]).await;
        let row = entity::api_token::Entity::find()
            .filter(entity::api_token::Column::TokenHash.eq(marquee::services::accounts::secrets::token_id(&third)))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let revoked = author.post(&format!("/settings/tokens/{}/revoke", row.id), &[]).await;
        assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
        assert_eq!(api.get("/api/v1/me", Some(&third)).await.status, StatusCode::UNAUTHORIZED);
        let stranger = app.signed_in("stranger", "reader").await;
        let theirs = stranger.post(&format!("/settings/tokens/{}/revoke", stored[0].id), &[]).await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "nobody revokes another's token");

        // Deactivated by an administrator through the API: every token of the account stops.
        let fourth = make_token(&author, &[]).await;
        let admin = app.signed_in("boss", "admin").await;
        // A token can only assign roles within its scopes: this one covers the author role.
        let admin_token = make_token(&admin, &["manage_users", "view_audit_log", "comment", "review_movies"]).await;
        let deactivate = api
            .put(&format!("/api/v1/admin/users/{}", author.id), Some(&admin_token), json!({ "role_id": role.id, "is_active": false }))
            .await;
        assert_eq!(deactivate.status, StatusCode::OK);
        assert_eq!(deactivate.body["is_active"], false);
        assert_eq!(api.get("/api/v1/me", Some(&fourth)).await.status, StatusCode::UNAUTHORIZED);

        // Made and revoked tokens are in the audit log.
        let log = api.get("/api/v1/admin/audit?subject_type=api_token", Some(&admin_token)).await;
        let actions: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"token.create") && actions.contains(&"token.revoke"), "{actions:?}");
        let garbage = api.get("/api/v1/me", Some("mqt_not-a-token")).await;
        assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
        let mut basic = api.call(Method::GET, "/api/v1/me");
        basic.headers.push(("Authorization", "Basic YTpi".into()));
        assert_eq!(api.send(basic).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn the_role_rules_hold_through_the_api(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let admin = app.signed_in("boss", "admin").await;
        let every: Vec<&str> = Permission::all().iter().map(|p| p.as_str()).collect();
        let full = make_token(&admin, &every).await;
        let roles_only = make_token(&admin, &["manage_roles"]).await;

        // Every role but the administrator's is refused administration.
        for role in ["reader", "author", "moderator"] {
            let member = app.signed_in_as(role).await;
            let token = make_token(&member, &[]).await;
            assert_eq!(api.get("/api/v1/admin/roles", Some(&token)).await.status, StatusCode::FORBIDDEN, "{role}");
            assert_eq!(api.get("/api/v1/admin/users", Some(&token)).await.status, StatusCode::FORBIDDEN, "{role}");
            assert_eq!(api.get("/api/v1/admin/audit", Some(&token)).await.status, StatusCode::FORBIDDEN, "{role}");
            let made = api.post("/api/v1/admin/roles", Some(&token), json!({ "name": "x", "permissions": [] })).await;
            assert_eq!(made.status, StatusCode::FORBIDDEN, "{role}");
        }
        assert_eq!(api.get("/api/v1/admin/roles", None).await.status, StatusCode::UNAUTHORIZED);

        // An administrator makes, changes and deletes a role.
        let created = api
            .post("/api/v1/admin/roles", Some(&full), json!({ "name": "Editor", "description": "Edits", "permissions": ["write_posts", "comment"] }))
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
        assert_eq!(created.body["name"], "editor");
        let id = created.body["id"].as_i64().unwrap();
        let taken = api.post("/api/v1/admin/roles", Some(&full), json!({ "name": "editor" })).await;
        assert_eq!(taken.status, StatusCode::CONFLICT);
        let unknown = api.post("/api/v1/admin/roles", Some(&full), json!({ "name": "x", "permissions": ["root"] })).await;
        assert_eq!(unknown.fields(), ["permissions"]);

        // A token narrower than its owner cannot grant what it was not given.
        let beyond = api
            .post("/api/v1/admin/roles", Some(&roles_only), json!({ "name": "writers", "permissions": ["write_posts"] }))
            .await;
        assert_eq!(beyond.status, StatusCode::CONFLICT);

        // A user manager (no manage_roles) can neither promote someone nor themselves.
        let managers = app.create_role("user managers", &[Permission::ManageUsers]).await;
        let manager = app.signed_in("manager", "user managers").await;
        let manager_token = make_token(&manager, &["manage_users"]).await;
        let admin_role = entity::role::Entity::find_by_name("admin").one(&app.db).await.unwrap().unwrap();
        let target = app.create_user("target", "reader").await;
        for user in [target, manager.id] {
            let promote = api
                .put(&format!("/api/v1/admin/users/{user}"), Some(&manager_token), json!({ "role_id": admin_role.id, "is_active": true }))
                .await;
            assert_eq!(promote.status, StatusCode::CONFLICT, "{}", promote.body);
        }
        let to_admin = api
            .put(&format!("/api/v1/admin/users/{}", admin.id), Some(&manager_token), json!({ "role_id": managers, "is_active": false }))
            .await;
        assert_eq!(to_admin.status, StatusCode::CONFLICT, "nobody changes an account above their own");
        let no_role = api
            .put(&format!("/api/v1/admin/users/{target}"), Some(&full), json!({ "role_id": 999999, "is_active": true }))
            .await;
        assert!(matches!(no_role.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT | StatusCode::NOT_FOUND), "{}", no_role.status);
        assert_eq!(api.put("/api/v1/admin/users/999999", Some(&full), json!({ "role_id": managers, "is_active": true })).await.status, StatusCode::NOT_FOUND);

        // The administrator cannot demote themselves, nor strip manage_roles from their role.
        let own = api
            .put(&format!("/api/v1/admin/users/{}", admin.id), Some(&full), json!({ "role_id": managers, "is_active": true }))
            .await;
        assert_eq!(own.status, StatusCode::CONFLICT);
        let strip = api
            .put(&format!("/api/v1/admin/roles/{}", admin_role.id), Some(&full), json!({ "name": "admin", "permissions": ["comment"] }))
            .await;
        assert_eq!(strip.status, StatusCode::CONFLICT);

        // Changes with If-Match: the second based on the same version is refused.
        let path = format!("/api/v1/admin/roles/{id}");
        let etag = api.get(&path, Some(&full)).await.header("etag");
        let change = |description: &str| {
            let mut call = api.call(Method::PUT, &path);
            call.token = Some(&full);
            call.body = Some(json!({ "name": "editor", "description": description, "permissions": ["write_posts"] }));
            call.headers.push(("If-Match", etag.clone()));
            call
        };
        assert_eq!(api.send(change("first")).await.status, StatusCode::OK);
        assert_eq!(api.send(change("second")).await.status, StatusCode::PRECONDITION_FAILED);
        assert_eq!(api.get(&path, Some(&full)).await.body["description"], "first");
        assert_eq!(api.delete(&path, Some(&full)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.get(&path, Some(&full)).await.status, StatusCode::NOT_FOUND);

        let users = api.get("/api/v1/admin/users?q=target&active=true", Some(&full)).await;
        assert_eq!(users.body["total"], 1);
        assert_eq!(api.get("/api/v1/admin/users?sort=password", Some(&full)).await.status, StatusCode::BAD_REQUEST);
        let audit = api.get("/api/v1/admin/audit?action=role.create", Some(&full)).await;
        assert_eq!(audit.body["items"][0]["actor"], "boss");
    }

    async fn bad_requests_get_problems_never_a_server_error(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let author = app.signed_in("writer", "author").await;
        let token = make_token(&author, &["write_posts"]).await;
        let raw = |body: &'static str| {
            app.client
                .post(app.url("/api/v1/posts"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        for body in ["not json", "{\"title\": 5}", "[1,2]", "{\"title\":\"a\\u0000b\",\"body\":\"x\"}", "{\"tags\":\"rust\"}"] {
            let reply = api.check(&Method::POST, "/api/v1/posts", raw(body).await.unwrap()).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
        }
        let huge = "x".repeat(2 * 1024 * 1024);
        let reply = app
            .client
            .post(app.url("/api/v1/posts"))
            .bearer_auth(&token)
            .json(&json!({ "title": "big", "body": huge }))
            .send()
            .await
            .unwrap();
        assert!(reply.status().is_client_error(), "{}", reply.status());
        let unknown = api.get("/api/v1/nothing/here", None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let wrong = api.send(api.call(Method::PATCH, "/api/v1/tags")).await;
        assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(wrong.header("allow").contains("GET"));
        let control = api.get("/api/v1/posts?q=%00", None).await;
        assert_eq!(control.status, StatusCode::BAD_REQUEST);
        let not_number = api.get("/api/v1/movies?year_from=soon", None).await;
        assert_eq!(not_number.status, StatusCode::BAD_REQUEST);
    }
}

mod limits {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_token_over_its_rate_limit_gets_429_with_retry_after() {
        let test_db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).await;
        let mut settings = test_db.settings();
        settings.api_rate_per_minute = 5;
        let app = test_db.spawn_with(settings).await;
        let api = Api::new(&app).await;
        let member = app.signed_in("busy", "reader").await;
        let token = make_token(&member, &[]).await;
        for _ in 0..5 {
            assert_eq!(
                api.get("/api/v1/me", Some(&token)).await.status,
                StatusCode::OK
            );
        }
        let limited = api.get("/api/v1/me", Some(&token)).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = limited.header("retry-after").parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let other = make_token(&member, &[]).await;
        assert_eq!(
            api.get("/api/v1/me", Some(&other)).await.status,
            StatusCode::OK,
            "the limit is per token"
        );
        assert_eq!(
            api.get("/api/v1/tags", None).await.status,
            StatusCode::OK,
            "reads without a token are not counted"
        );
    }
}
