//! Watchlists, through the pages and the API: a member puts films on their list as wanted or
//! seen (with the day), takes them off, and makes the list public; nobody else sees a private
//! list; a read-only token changes nothing; a film's deletion takes its entries with it.

use entity::watchlist_entry;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use super::add;
use crate::api_client::{Api, make_token};
use crate::helpers::{Doc, location};

backend_tests! {
    async fn a_member_keeps_a_watchlist_on_the_film_pages_and_shows_it_when_they_choose(test_db: TestDb) {
        let app = test_db.spawn().await;
        let heat = add(&app, "Heat", 1995, None, true, &["Michael Mann"]).await;
        let ran = add(&app, "Ran", 1985, None, false, &["Akira Kurosawa"]).await;
        let member = app.signed_in("cinephile", "reader").await;
        let other = app.signed_in_as("reader").await;
        let mine = "/users/cinephile/watchlist";

        let (_, html) = member.get_html(&format!("/movies/{heat}")).await;
        assert_eq!(Doc::parse(&html).text("#watchlist .watch-state"), "Not on your watchlist.");
        let (_, html) = app.visitor().get_html(&format!("/movies/{heat}")).await;
        assert_eq!(Doc::parse(&html).count("#watchlist"), 0, "only for members");

        // Wanted, then seen on a day; a day that cannot be comes back with the day as typed.
        let wanted = member.post(&format!("/movies/{heat}/watchlist"), &[("status", "want")]).await;
        assert_eq!(wanted.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&wanted), format!("/movies/{heat}#watchlist"));
        let (_, html) = member.get_html(&format!("/movies/{heat}")).await;
        assert!(Doc::parse(&html).text("#watchlist .watch-state").starts_with("It is on your watchlist"));
        let refused = member.post(&format!("/movies/{heat}/watchlist"), &[("status", "seen"), ("seen_on", "9999-12-31")]).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let doc = Doc::parse(&refused.text().await.unwrap());
        assert_eq!(doc.attrs("#seen_on", "value"), ["9999-12-31"]);
        assert_eq!(doc.attrs("#seen_on", "aria-invalid"), ["true"]);
        assert!(doc.text("#seen_on-error").contains("future"));
        let seen = member.post(&format!("/movies/{heat}/watchlist"), &[("status", "seen"), ("seen_on", "2024-05-01")]).await;
        assert_eq!(seen.status(), StatusCode::SEE_OTHER);
        let (_, html) = member.get_html(&format!("/movies/{heat}")).await;
        let doc = Doc::parse(&html);
        assert!(doc.text("#watchlist .watch-state").starts_with("You saw it on 1 May 2024"), "{}", doc.text("#watchlist"));
        assert_eq!(doc.attrs("#seen_on", "value"), ["2024-05-01"]);
        assert_eq!(member.post(&format!("/movies/{ran}/watchlist"), &[("status", "want")]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(watchlist_entry::Entity::find().count(&app.db).await.unwrap(), 2, "one entry a film");

        // The owner's list: latest first, in parts with their counts.
        let (status, html) = member.get_html(mine).await;
        assert_eq!(status, StatusCode::OK);
        let doc = Doc::parse(&html);
        assert_eq!(doc.texts(".watch-entry h2 a"), ["Ran", "Heat"]);
        assert_eq!(doc.texts(".tabs a"), ["All 2", "Want to see 1", "Seen 1"]);
        let (_, html) = member.get_html(&format!("{mine}?status=seen")).await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.texts(".watch-entry h2 a"), ["Heat"]);
        assert_eq!(doc.texts(".tabs [aria-current=page]"), ["Seen 1"]);

        // Private: nobody else sees it or a link to it.
        assert_eq!(app.visitor().get(mine).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(other.get(mine).await.status(), StatusCode::NOT_FOUND);
        let (_, html) = other.get_html("/users/cinephile").await;
        assert_eq!(Doc::parse(&html).count(".watchlist-link"), 0);
        let (_, html) = member.get_html("/users/cinephile").await;
        assert_eq!(Doc::parse(&html).attrs(".watchlist-link a", "href"), [mine]);

        // Public: anyone sees it, and the profile links to it.
        let shown = member.post("/watchlist/visibility", &[("public", "true")]).await;
        assert_eq!(location(&shown), mine);
        let (status, html) = app.visitor().get_html(mine).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(Doc::parse(&html).count(".visibility"), 0, "only the owner changes it");
        let (_, html) = other.get_html("/users/cinephile").await;
        assert_eq!(Doc::parse(&html).attrs(".watchlist-link a", "href"), [mine]);

        // Off the list; twice is a 404; nobody signed out changes anything.
        assert_eq!(member.post(&format!("/movies/{ran}/watchlist/remove"), &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(member.post(&format!("/movies/{ran}/watchlist/remove"), &[]).await.status(), StatusCode::NOT_FOUND);
        let stranger = app.visitor();
        let signed_out = stranger.post(&format!("/movies/{ran}/watchlist"), &[("status", "want")]).await;
        assert!(location(&signed_out).starts_with("/login"), "{}", location(&signed_out));
        assert_eq!(member.post("/movies/999999/watchlist", &[("status", "want")]).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(watchlist_entry::Entity::find().count(&app.db).await.unwrap(), 1);

        // A film's deletion takes its entries with it.
        marquee::services::movies::delete_movie(&app.db, &app.operator().await, None, heat).await.unwrap();
        assert_eq!(watchlist_entry::Entity::find().count(&app.db).await.unwrap(), 0);
        let (_, html) = member.get_html(mine).await;
        assert_eq!(Doc::parse(&html).count(".watch-entry"), 0);
        app.stop().await;
    }

    async fn the_api_keeps_the_same_watchlist_by_the_same_rules(test_db: TestDb) {
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        let heat = add(&app, "Heat", 1995, None, true, &["Michael Mann"]).await;
        let member = app.signed_in("cinephile", "reader").await;
        let token = make_token(&member, &["review_movies"]).await;
        let read_only = make_token(&member, &[]).await;
        let path = format!("/api/v1/me/watchlist/{heat}");

        let saved = api.put(&path, Some(&token), json!({"status": "seen", "seen_on": "2024-01-02"})).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!((saved.body["status"].as_str(), saved.body["seen_on"].as_str()), (Some("seen"), Some("2024-01-02")));
        let wanted = api.put(&path, Some(&token), json!({"status": "want"})).await;
        assert_eq!(wanted.body["seen_on"], serde_json::Value::Null);
        let refused = api.put(&path, Some(&token), json!({"status": "maybe"})).await;
        assert_eq!((refused.status, refused.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_owned()]));
        let refused = api.put(&path, Some(&token), json!({"status": "seen", "seen_on": "31/12/2024"})).await;
        assert_eq!((refused.status, refused.fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["seen_on".to_owned()]));
        assert_eq!(api.put("/api/v1/me/watchlist/999999", Some(&token), json!({"status": "want"})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(api.put(&path, Some(&read_only), json!({"status": "seen"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.put(&path, None, json!({"status": "seen"})).await.status, StatusCode::UNAUTHORIZED);

        // What the API saved, the page shows.
        let (_, html) = member.get_html(&format!("/movies/{heat}")).await;
        assert!(Doc::parse(&html).text("#watchlist .watch-state").starts_with("It is on your watchlist"));

        // Private until made public.
        let list = "/api/v1/users/cinephile/watchlist";
        assert_eq!(api.get(list, None).await.status, StatusCode::NOT_FOUND);
        let own = api.get(list, Some(&token)).await;
        assert_eq!((own.body["want"].as_u64(), own.body["seen"].as_u64(), own.body["public"].as_bool()), (Some(1), Some(0), Some(false)));
        assert_eq!(own.body["items"][0]["title"], "Heat");
        assert_eq!(api.put("/api/v1/me/watchlist", Some(&read_only), json!({"public": true})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.put("/api/v1/me/watchlist", Some(&token), json!({"public": true})).await.status, StatusCode::NO_CONTENT);
        let public = api.get(&format!("{list}?status=want"), None).await;
        assert_eq!(public.status, StatusCode::OK);
        assert_eq!(public.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(api.get(&format!("{list}?status=seen"), None).await.body["items"].as_array().unwrap().len(), 0);

        assert_eq!(api.delete(&path, Some(&token)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api.delete(&path, Some(&token)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(watchlist_entry::Entity::find().count(&app.db).await.unwrap(), 0);
        app.stop().await;
    }
}
