//! Suggestions with their reasons, on a catalogue whose right answer is known: "more like
//! this" on a film's page and through the API, and "for you" on a member's home page and
//! through the API; never a film the member reviewed or saw.

use entity::enums::MpaRating;
use reqwest::StatusCode;

use super::add;
use crate::api_client::{Api, make_token};
use crate::helpers::{Doc, review_input};

backend_tests! {
    async fn suggestions_follow_directors_shared_taste_and_decade_and_say_why(test_db: TestDb) {
        let app = test_db.spawn().await;
        let alpha = add(&app, "Alpha", 1994, Some(MpaRating::R), false, &["Ann Director"]).await;
        add(&app, "Beta", 2010, Some(MpaRating::Pg), false, &["Ann Director"]).await;
        let gamma = add(&app, "Gamma", 2005, Some(MpaRating::Pg13), false, &["Cy Director"]).await;
        let epsilon = add(&app, "Epsilon", 2012, Some(MpaRating::G), false, &["Ed Director"]).await;
        add(&app, "Delta", 1991, Some(MpaRating::R), false, &["Di Director"]).await;
        let zeta = add(&app, "Zeta", 1996, Some(MpaRating::Pg), false, &["Zo Director"]).await;
        add(&app, "Eta", 1960, Some(MpaRating::R), false, &["Hal Director"]).await;
        let review = |user: i32, movie: i32, rating: i32| {
            let app = &app;
            async move {
                let acting = app.acting(user).await;
                marquee::services::movies::add_review(&app.db, &acting, movie, review_input(rating, "Seen it."))
                    .await
                    .unwrap();
            }
        };
        let first = app.create_user("first", "reader").await;
        let second = app.create_user("second", "reader").await;
        review(first, alpha, 8).await;
        review(first, gamma, 9).await;
        review(first, epsilon, 8).await;
        review(second, alpha, 9).await;
        review(second, gamma, 9).await;
        review(second, zeta, 3).await;

        // A visitor: the director's other film, then what those who liked it liked (more of
        // them first), then the decade's with its rating; never the film itself.
        let (_, html) = app.visitor().get_html(&format!("/movies/{alpha}")).await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.texts("#similar .suggestion h3 a"), ["Beta", "Gamma", "Epsilon", "Delta"]);
        assert_eq!(
            doc.texts("#similar .reason"),
            [
                "Also directed by Ann Director",
                "2 members who liked this film liked it too",
                "A member who liked this film liked it too",
                "Also from the 1990s, also rated R",
            ]
        );
        let api = Api::new(&app).await;
        let similar = api.get(&format!("/api/v1/movies/{alpha}/similar"), None).await;
        let kinds: Vec<&str> = similar.body["items"].as_array().unwrap().iter().map(|i| i["reason"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["same_director", "liked_together", "liked_together", "same_decade"]);
        assert_eq!(api.get("/api/v1/movies/999999/similar", None).await.status, StatusCode::NOT_FOUND);

        // A member who reviewed some of them is not offered those.
        let first_visitor = app.visitor();
        first_visitor.login_ok("first", crate::helpers::PASSWORD).await;
        let (_, html) = first_visitor.get_html(&format!("/movies/{alpha}")).await;
        assert_eq!(Doc::parse(&html).texts("#similar .suggestion h3 a"), ["Beta", "Delta"]);

        // For you: from the films the member rated highly, with the film and rating behind it.
        let third = app.signed_in("third", "reader").await;
        review(third.id, alpha, 9).await;
        let (_, html) = third.get_html("/").await;
        let doc = Doc::parse(&html);
        assert_eq!(doc.texts("#for-you .suggestion h3 a"), ["Beta", "Gamma", "Epsilon"]);
        assert_eq!(
            doc.texts("#for-you .reason"),
            [
                "Same director as Alpha, which you rated 9",
                "Because you rated Alpha 9",
                "Because you rated Alpha 9",
            ]
        );
        let (_, html) = app.visitor().get_html("/").await;
        assert_eq!(Doc::parse(&html).count("#for-you"), 0, "nothing for a visitor");

        // Seen or reviewed, a film is no longer suggested, on the page or through the API.
        let seen = third.post(&format!("/movies/{}/watchlist", doc.attrs("#for-you .suggestion h3 a", "href")[0].trim_start_matches("/movies/")), &[("status", "seen")]).await;
        assert_eq!(seen.status(), StatusCode::SEE_OTHER);
        review(third.id, gamma, 6).await;
        let (_, html) = third.get_html("/").await;
        assert_eq!(Doc::parse(&html).texts("#for-you .suggestion h3 a"), ["Epsilon"]);
        let token = make_token(&third, &[]).await;
        let mine = api.get("/api/v1/me/suggestions", Some(&token)).await;
        assert_eq!(mine.status, StatusCode::OK);
        assert_eq!(mine.body["items"][0]["title"], "Epsilon");
        assert_eq!(mine.body["items"][0]["because"], "Because you rated Alpha 9");
        assert_eq!(api.get("/api/v1/me/suggestions", None).await.status, StatusCode::UNAUTHORIZED);
        app.stop().await;
    }
}
