//! Finding one's way: `/tags` (most used first, with counts), `/people` and `/members` (by
//! name, searchable, paginated), a member's reviews, the groups and a person's movies a page at
//! a time, through the pages and the API, on the demo data.

use entity::{group, movie, movie_director, person, review, tag, user};
use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::api_client::Api;
use crate::helpers::Doc;

backend_tests! {
    async fn tags_people_and_members_each_have_a_searchable_paginated_list(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let api = Api::new(&app).await;
        let visitor = app.visitor();

        // Tags: most used first, with their counts, as stored.
        let (status, html) = visitor.get_html("/tags").await;
        assert_eq!(status, StatusCode::OK);
        let used: Vec<(String, i32)> = tag::Entity::find()
            .filter(tag::Column::PostCount.gt(0))
            .order_by_desc(tag::Column::PostCount)
            .order_by_asc(tag::Column::Name)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.name, t.post_count))
            .collect();
        assert!(!used.is_empty());
        let doc = Doc::parse(&html);
        let shown: Vec<String> = doc.texts(".tag-cloud .tag a");
        let expected: Vec<String> = used.iter().map(|(name, _)| format!("#{name}")).collect();
        assert_eq!(shown, expected);
        let counts: Vec<String> = doc.texts(".tag-cloud .count");
        assert_eq!(counts, used.iter().map(|(_, n)| n.to_string()).collect::<Vec<_>>());
        let (_, posts) = visitor.get_html("/posts").await;
        assert!(posts.contains("href=\"/tags\"") && posts.contains("href=\"/categories\""), "the post list leads to both");
        assert_eq!(visitor.get("/tags?page=x").await.status(), StatusCode::BAD_REQUEST);

        // People: everyone credited, by name, with their movies; searchable; 50 a page.
        let rows: Vec<person::ActiveModel> = (0..60)
            .map(|n| person::ActiveModel { name: Set(format!("Zelda Extra {n:02}")), ..Default::default() })
            .collect();
        person::Entity::insert_many(rows).exec_without_returning(&app.db).await.unwrap();
        let everyone = person::Entity::find().all(&app.db).await.unwrap().len();
        let (status, html) = visitor.get_html("/people").await;
        assert_eq!(status, StatusCode::OK);
        let names = Doc::parse(&html).texts(".directory li > a");
        assert_eq!(names.len(), 50);
        assert!(html.contains("href=\"?page=2\""), "a second page");
        let (_, movies) = visitor.get_html("/movies").await;
        assert!(movies.contains("href=\"/people\""), "the catalogue leads to them");
        let (_, found) = visitor.get_html("/people?q=zelda+extra+0").await;
        let found = Doc::parse(&found).texts(".directory li > a");
        let expected: Vec<String> = (0..10).map(|n| format!("Zelda Extra {n:02}")).collect();
        assert_eq!(found, expected, "by name");
        let (_, none) = visitor.get_html("/people?q=%25").await;
        assert!(none.contains("No one matches."), "a % is taken literally");
        let reply = api.get("/api/v1/people?q=Zelda", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["total"], 60);
        assert_eq!(reply.body["items"].as_array().unwrap().len(), 50);
        assert_eq!(reply.body["next"], "2");
        let second = api.get("/api/v1/people?q=Zelda&cursor=2", None).await;
        assert_eq!(second.body["items"].as_array().unwrap().len(), 10);
        assert_eq!(second.body["items"][0]["movies"], 0);
        let all = api.get("/api/v1/people", None).await;
        assert_eq!(all.body["total"], everyone);
        let director = all.body["items"].as_array().unwrap().iter().find(|p| p["movies"].as_i64() > Some(0));
        assert!(director.is_some(), "directors count their movies: {}", all.body);
        assert_eq!(api.get("/api/v1/people?cursor=nope", None).await.status, StatusCode::BAD_REQUEST);

        // Members: active accounts only, by name, searchable.
        let off = app.create_user("zz_gone", "reader").await;
        user::Entity::update_many()
            .col_expr(user::Column::IsActive, sea_orm::sea_query::Expr::value(false))
            .filter(user::Column::Id.eq(off))
            .exec(&app.db)
            .await
            .unwrap();
        let (status, html) = visitor.get_html("/members").await;
        assert_eq!(status, StatusCode::OK);
        let members = Doc::parse(&html).texts(".directory li > a");
        assert!(members.contains(&"ada".to_owned()), "{members:?}");
        assert!(!members.contains(&"zz_gone".to_owned()), "a deactivated account is left out");
        assert!(html.contains("<a href=\"/members\" aria-current=\"page\">Members</a>"));
        let (_, found) = visitor.get_html("/members?q=AD").await;
        let found = Doc::parse(&found).texts(".directory li > a");
        assert!(found.contains(&"ada".to_owned()) && found.iter().all(|n| n.contains("ad")), "{found:?}");
        let reply = api.get("/api/v1/members?q=zz_", None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body["total"], 0);
        let reply = api.get("/api/v1/members?q=ada", None).await;
        assert_eq!(reply.body["items"][0]["username"], "ada");
        assert!(!reply.body.to_string().contains('@'), "no address: {}", reply.body);

        // A member's reviews, newest first, linked from their profile.
        let (reviewer, written) = {
            let all = review::Entity::find()
                .order_by_desc(review::Column::CreatedAt)
                .order_by_desc(review::Column::Id)
                .all(&app.db)
                .await
                .unwrap();
            let first = all.first().expect("the demo has reviews").user_id;
            (first, all.into_iter().filter(|r| r.user_id == first).collect::<Vec<_>>())
        };
        let name = user::Entity::find_by_id(reviewer).one(&app.db).await.unwrap().unwrap().username;
        let (_, profile) = visitor.get_html(&format!("/users/{name}")).await;
        assert!(profile.contains(&format!("href=\"/users/{name}/reviews\"")), "{profile}");
        let (status, html) = visitor.get_html(&format!("/users/{name}/reviews")).await;
        assert_eq!(status, StatusCode::OK);
        let shown = Doc::parse(&html).texts(".review");
        assert_eq!(shown.len(), written.len());
        let titles = Doc::parse(&html).texts(".review-movie a");
        let movie = movie::Entity::find_by_id(written[0].movie_id).one(&app.db).await.unwrap().unwrap();
        assert!(titles.contains(&movie.title), "{titles:?}");
        let reply = api.get(&format!("/api/v1/users/{name}/reviews"), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["total"], written.len());
        assert_eq!(reply.body["items"][0]["movie_title"], movie.title);
        assert_eq!(visitor.get("/users/nobody-here/reviews").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(api.get("/api/v1/users/nobody-here/reviews", None).await.status, StatusCode::NOT_FOUND);

        // Groups, 50 a page, and a person's movies, 50 a page.
        let rows: Vec<group::ActiveModel> = (0..55)
            .map(|n| group::ActiveModel {
                name: Set(format!("Zz club {n:02}")),
                description: Set(String::new()),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            })
            .collect();
        group::Entity::insert_many(rows).exec_without_returning(&app.db).await.unwrap();
        let groups = group::Entity::find().all(&app.db).await.unwrap().len();
        let (_, html) = visitor.get_html("/groups").await;
        assert_eq!(Doc::parse(&html).texts(".group-list li h2").len(), 50);
        let (_, last) = visitor.get_html(&format!("/groups?page={}", groups.div_ceil(50))).await;
        assert_eq!(Doc::parse(&last).texts(".group-list li h2").len(), (groups - 1) % 50 + 1);
        let reply = api.get("/api/v1/groups", None).await;
        assert_eq!((reply.body["total"].as_u64(), reply.body["next"].as_str()), (Some(groups as u64), Some("2")));
        let director = movie_director::Entity::find().one(&app.db).await.unwrap().unwrap().person_id;
        let directed = movie_director::Entity::find().filter(movie_director::Column::PersonId.eq(director)).all(&app.db).await.unwrap().len();
        let (_, page) = visitor.get_html(&format!("/people/{director}")).await;
        assert!(page.contains(&format!("Directed {directed} movie")), "{page}");
        let reply = api.get(&format!("/api/v1/people/{director}"), None).await;
        assert_eq!(reply.body["total"], directed);
        assert_eq!(reply.body["directed"].as_array().unwrap().len(), directed);
        app.stop().await;
    }
}
