//! The movie catalogue: filters, facets, sorting, aggregates, reviews, directors in order,
//! managing movies, permissions, and the statement count of the list.

use entity::enums::MpaRating;
use entity::{movie, movie_director, person, review};
use marquee::services::movies::{self, MovieFilter};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{Doc, TestApp, location};

mod suggestions;
mod watchlist;

pub(crate) async fn add(
    app: &TestApp,
    title: &str,
    year: i32,
    mpa: Option<MpaRating>,
    theatre: bool,
    directors: &[&str],
) -> i32 {
    movies::create_movie(
        &app.db,
        &app.operator().await,
        None,
        crate::helpers::movie_input(title, year, mpa, theatre, directors),
    )
    .await
    .unwrap()
    .id
}

/// POSTs owned field values.
async fn post_owned(
    visitor: &crate::helpers::Visitor,
    path: &str,
    fields: Vec<(&'static str, String)>,
) -> reqwest::Response {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    visitor.post(path, &borrowed).await
}

/// Five movies with known facets.
async fn catalogue(app: &TestApp) -> [i32; 5] {
    [
        add(
            app,
            "Alpha",
            1994,
            Some(MpaRating::R),
            false,
            &["Xavier Dolan"],
        )
        .await,
        add(
            app,
            "Beta",
            1999,
            Some(MpaRating::Pg),
            true,
            &["Yu Lan", "Xavier Dolan"],
        )
        .await,
        add(
            app,
            "Gamma",
            2005,
            Some(MpaRating::Pg13),
            false,
            &["Yu Lan"],
        )
        .await,
        add(app, "Delta", 1995, None, false, &["Zoe Kim"]).await,
        add(
            app,
            "Epsilon",
            2023,
            Some(MpaRating::Pg),
            true,
            &["Zoe Kim"],
        )
        .await,
    ]
}

/// Movie titles in the order the list page shows them.
fn titles(html: &str) -> Vec<String> {
    html.split("class=\"movie-title\"><a href=\"/movies/")
        .skip(1)
        .filter_map(|part| part.split('>').nth(1)?.split('<').next().map(str::to_owned))
        .collect()
}

backend_tests! {
    async fn a_review_saved_in_another_tab_is_not_overwritten_unseen(test_db: TestDb) {
        let app = test_db.spawn().await;
        let id = add(&app, "Heat", 1995, Some(MpaRating::R), false, &["Michael Mann"]).await;
        let (one, two) = (app.signed_in("critic", "reader").await, app.visitor());
        two.login_ok("critic", crate::helpers::PASSWORD).await;
        let posted = one.post(&format!("/movies/{id}/reviews"), &[("rating", "7"), ("body", "Long, and good.")]).await;
        assert_eq!(posted.status(), StatusCode::SEE_OTHER);
        let review = review::Entity::find().one(&app.db).await.unwrap().unwrap();
        let edit = format!("/movies/{id}/reviews/{}/edit", review.id);
        let version = |html: &str| {
            let field = "name=\"version\" value=\"";
            let start = html.find(field).expect("a version field") + field.len();
            html[start..].split('"').next().unwrap().to_owned()
        };
        let opened = version(&one.get_html(&edit).await.1);
        let other = version(&two.get_html(&edit).await.1);
        let saved = post_owned(&two, &edit, vec![("rating", "9".into()), ("body", "Better the second time.".into()), ("version", other)]).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        let stale = post_owned(&one, &edit, vec![("rating", "5".into()), ("body", "Too long.".into()), ("version", opened.clone())]).await;
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let page = stale.text().await.unwrap();
        assert!(page.contains("Nothing was saved") && page.contains("Better the second time."), "{page}");
        assert!(page.contains("Too long."), "the text typed is kept: {page}");
        assert_eq!(review::Entity::find_by_id(review.id).one(&app.db).await.unwrap().unwrap().rating, 9);
        let current = version(&page);
        assert_ne!(current, opened);
        let replaced = post_owned(&one, &edit, vec![("rating", "5".into()), ("body", "Too long.".into()), ("version", current)]).await;
        assert_eq!(replaced.status(), StatusCode::SEE_OTHER);
        assert_eq!(review::Entity::find_by_id(review.id).one(&app.db).await.unwrap().unwrap().rating, 5);
        app.stop().await;
    }

    async fn saving_a_movie_over_someone_elses_change_saves_nothing_and_shows_theirs(test_db: TestDb) {
        let app = test_db.spawn().await;
        let id = add(&app, "Heat", 1995, Some(MpaRating::R), false, &["Michael Mann"]).await;
        let (mine, theirs) = (app.signed_in("curator", "moderator").await, app.signed_in("keeper", "moderator").await);
        let edit = format!("/movies/{id}/edit");
        let version = |html: &str| {
            let field = "name=\"version\" value=\"";
            let start = html.find(field).expect("a version field") + field.len();
            html[start..].split('"').next().unwrap().to_owned()
        };
        let opened = version(&mine.get_html(&edit).await.1);
        let fields = |title: &'static str, directors: &'static str, v: String| {
            vec![("title", title.to_owned()), ("year", "1995".to_owned()), ("mpa", "R".to_owned()),
                 ("synopsis", "A heist.".to_owned()), ("directors", directors.to_owned()), ("version", v)]
        };
        // The other curator changes only the directors, then this one saves the title.
        let saved = post_owned(&theirs, &edit, fields("Heat", "Michael Mann\nDante Spinotti", opened.clone())).await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        let stale = post_owned(&mine, &edit, fields("Heat (1995)", "Michael Mann", opened.clone())).await;
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let page = stale.text().await.unwrap();
        assert!(page.contains("Nothing was saved") && page.contains("Directed by Michael Mann, Dante Spinotti"), "{page}");
        assert!(page.contains("value=\"Heat (1995)\""), "my input is kept: {page}");
        let stored = movie::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.title, "Heat");
        // Saving again from that page replaces theirs, knowingly.
        let current = version(&page);
        assert_ne!(current, opened);
        let replaced = post_owned(&mine, &edit, fields("Heat (1995)", "Michael Mann", current)).await;
        assert_eq!(replaced.status(), StatusCode::SEE_OTHER);
        let stored = movie::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.title, "Heat (1995)");
        app.stop().await;
    }

    async fn filters_work_alone_and_combined_and_live_in_the_query_string(test_db: TestDb) {
        let app = test_db.spawn().await;
        catalogue(&app).await;
        let visitor = app.visitor();
        let list = async |query: &str| titles(&visitor.get_html(&format!("/movies?{query}")).await.1);

        assert_eq!(list("").await, ["Alpha", "Beta", "Delta", "Epsilon", "Gamma"]);
        assert_eq!(list("mpa=PG").await, ["Beta", "Epsilon"]);
        assert_eq!(list("mpa=PG&mpa=R").await, ["Alpha", "Beta", "Epsilon"]);
        assert_eq!(list("mpa=unrated").await, ["Delta"]);
        assert_eq!(list("year_from=1990&year_to=1999").await, ["Alpha", "Beta", "Delta"]);
        assert_eq!(list("mpa=PG&year_from=1990&year_to=1999").await, ["Beta"]);
        assert_eq!(list("theatre=yes").await, ["Beta", "Epsilon"]);
        assert_eq!(list("theatre=no&year_from=2000").await, ["Gamma"]);
        assert_eq!(list("director=xavier").await, ["Alpha", "Beta"]);
        assert_eq!(list("q=TA").await, ["Beta", "Delta"]);
        assert_eq!(list("q=ta&director=zoe&mpa=unrated").await, ["Delta"]);

        // A bad value is reported and ignored, never a 500.
        let (status, html) = visitor.get_html("/movies?year_from=abc&mpa=XYZ&theatre=maybe").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("“abc” is not a year") && html.contains("“XYZ” is not an MPA rating"));
        assert_eq!(titles(&html).len(), 5);

        // Facet links keep the rest of the filter.
        let (_, html) = visitor.get_html("/movies?mpa=PG&sort=year").await;
        assert!(html.contains("href=\"/movies?year_from=1990&#38;year_to=1999&#38;mpa=PG&#38;sort=year\""), "decade link keeps rating and sort");
        app.stop().await;
    }

    async fn the_maintained_facets_match_a_scan_of_the_movies_for_any_filter(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ratings = [Some(MpaRating::R), Some(MpaRating::Pg), None, Some(MpaRating::G)];
        let mut ids = Vec::new();
        for (i, year) in [1988, 1990, 1994, 1999, 2000, 2001, 2003, 2009, 2010, 2012, 1995, 2000].into_iter().enumerate() {
            ids.push(add(&app, &format!("Reel {i}"), year, ratings[i % ratings.len()], i % 3 == 0, &[]).await);
        }
        let operator = app.operator().await;
        // A change across decades, ratings and the in-theatres flag, and a deletion, move the counts.
        movies::update_movie(&app.db, &operator, None, ids[2], crate::helpers::movie_input("Reel 2", 2004, Some(MpaRating::Nc17), true, &[]), None).await.unwrap();
        movies::delete_movie(&app.db, &operator, None, ids[5]).await.unwrap();

        // The text search takes the scan path: every title holds "Reel", so it is the same filter.
        let mut checked = 0;
        for year_from in [None, Some(1989), Some(1990), Some(1995), Some(2000), Some(2003)] {
            for year_to in [None, Some(1994), Some(1999), Some(2001), Some(2009), Some(2010)] {
                for mpa in [vec![], vec![Some(MpaRating::R)], vec![None, Some(MpaRating::Pg)]] {
                    for theatre in [None, Some(true)] {
                        let filter = MovieFilter { year_from, year_to, mpa: mpa.clone(), theatre, ..Default::default() };
                        let scanned = MovieFilter { q: Some("Reel".into()), ..filter.clone() };
                        assert_eq!(
                            movies::facets(&app.db, &filter).await.unwrap(),
                            movies::facets(&app.db, &scanned).await.unwrap(),
                            "{filter:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 216);
        let all = movies::facets(&app.db, &MovieFilter::default()).await.unwrap();
        assert_eq!(all.total, 11);
        assert_eq!(all.decades, vec![(1980, 1), (1990, 3), (2000, 5), (2010, 2)]);
        app.stop().await;
    }

    async fn facet_counts_follow_the_other_filters(test_db: TestDb) {
        let app = test_db.spawn().await;
        catalogue(&app).await;

        let nineties = MovieFilter { year_from: Some(1990), year_to: Some(1999), ..Default::default() };
        let facets = movies::facets(&app.db, &nineties).await.unwrap();

        assert_eq!(facets.total, 3);
        let mpa: Vec<(Option<MpaRating>, u64)> = facets.mpa.clone();
        assert_eq!(mpa, vec![
            (Some(MpaRating::G), 0), (Some(MpaRating::Pg), 1), (Some(MpaRating::Pg13), 0),
            (Some(MpaRating::R), 1), (Some(MpaRating::Nc17), 0), (None, 1),
        ]);
        // Decades ignore the year filter itself, so other decades stay reachable.
        assert_eq!(facets.decades, vec![(1990, 3), (2000, 1), (2020, 1)]);
        assert_eq!(facets.theatre, (1, 2));

        let pg_in_theatres = MovieFilter { mpa: vec![Some(MpaRating::Pg)], theatre: Some(true), ..Default::default() };
        let facets = movies::facets(&app.db, &pg_in_theatres).await.unwrap();
        assert_eq!(facets.total, 2);
        assert_eq!(facets.theatre, (2, 0), "theatre counts apply the rating filter");
        assert_eq!(facets.decades, vec![(1990, 1), (2020, 1)]);

        let (_, html) = app.visitor().get_html("/movies?year_from=1990&year_to=1999").await;
        assert!(html.contains("3 movies"));
        assert!(html.contains(">1990s</a> <span class=\"count\">3</span>"));
        assert!(html.contains("Unrated</a> <span class=\"count\">1</span>"));
        app.stop().await;
    }

    async fn maintained_facet_counts_agree_with_the_movies_after_edits_deletes_and_races(test_db: TestDb) {
        let app = test_db.spawn().await;
        let [alpha, beta, _, delta, _] = catalogue(&app).await;
        let actor = app.operator().await;
        let input = |title: &str, year: i32, mpa: Option<MpaRating>, theatre: bool| crate::helpers::movie_input(title, year, mpa, theatre, &[]);
        // Every key moves: rating, year (into another decade), theatre; one movie goes.
        movies::update_movie(&app.db, &actor, None, alpha, input("Alpha", 2012, None, true), None).await.unwrap();
        movies::update_movie(&app.db, &actor, None, delta, input("Delta", 1995, Some(MpaRating::G), false), None).await.unwrap();
        movies::delete_movie(&app.db, &actor, None, beta).await.unwrap();
        // Deleting it again (a second tab) is a 404 and counts nothing out twice.
        assert!(matches!(movies::delete_movie(&app.db, &actor, None, beta).await, Err(marquee::domain::ServiceError::NotFound)));
        // Twelve writers add movies of one key at once.
        let adds = (0..12).map(|i| movies::create_movie(&app.db, &actor, None, input(&format!("Race {i}"), 1977, Some(MpaRating::Nc17), true)));
        for result in futures_util::future::join_all(adds).await {
            result.unwrap();
        }

        let all = movie::Entity::find().all(&app.db).await.unwrap();
        let ratings: Vec<Option<MpaRating>> = MpaRating::all().into_iter().map(Some).chain([None]).collect();
        let filters = [
            MovieFilter::default(),
            MovieFilter { year_from: Some(1990), year_to: Some(2009), ..Default::default() },
            MovieFilter { mpa: vec![None, Some(MpaRating::Nc17)], ..Default::default() },
            MovieFilter { theatre: Some(true), year_from: Some(1970), ..Default::default() },
            MovieFilter { mpa: vec![Some(MpaRating::G)], theatre: Some(false), year_to: Some(1999), ..Default::default() },
        ];
        for filter in filters {
            let in_years = |m: &movie::Model| filter.year_from.is_none_or(|y| m.year >= y) && filter.year_to.is_none_or(|y| m.year <= y);
            let rated = |m: &movie::Model| filter.mpa.is_empty() || filter.mpa.contains(&m.mpa);
            let shown = |m: &movie::Model| filter.theatre.is_none_or(|t| m.theatre == t);
            let count = |keep: &dyn Fn(&movie::Model) -> bool| all.iter().filter(|m| keep(m)).count() as u64;
            let facets = movies::facets(&app.db, &filter).await.unwrap();
            assert_eq!(facets.total, count(&|m| in_years(m) && rated(m) && shown(m)), "{filter:?}");
            let expected_mpa: Vec<(Option<MpaRating>, u64)> = ratings.iter().map(|r| (*r, count(&|m| in_years(m) && shown(m) && m.mpa == *r))).collect();
            assert_eq!(facets.mpa, expected_mpa, "{filter:?}");
            let expected_theatre = (count(&|m| in_years(m) && rated(m) && m.theatre), count(&|m| in_years(m) && rated(m) && !m.theatre));
            assert_eq!(facets.theatre, expected_theatre, "{filter:?}");
            let mut decades: Vec<i32> = all.iter().map(|m| m.year / 10 * 10).collect();
            decades.sort();
            decades.dedup();
            let expected_decades: Vec<(i32, u64)> = decades.into_iter()
                .map(|d| (d, count(&|m| rated(m) && shown(m) && m.year / 10 * 10 == d)))
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(facets.decades, expected_decades, "{filter:?}");
        }
        let (_, html) = app.visitor().get_html("/movies?mpa=NC-17").await;
        assert!(html.contains("12 movies"), "the page shows the maintained total");
        app.stop().await;
    }

    async fn sorting_and_averages_come_from_sql_and_match_hand_computed_values(test_db: TestDb) {
        let app = test_db.spawn().await;
        let [alpha, beta, gamma, _, _] = catalogue(&app).await;
        let users = [app.create_user("rev1", "reader").await, app.create_user("rev2", "reader").await, app.create_user("rev3", "reader").await];
        for (movie_id, user, rating) in [(alpha, users[0], 8), (alpha, users[1], 9), (alpha, users[2], 6), (beta, users[0], 3), (gamma, users[0], 10), (gamma, users[1], 5)] {
            movies::add_review(&app.db, &app.acting(user).await, movie_id, crate::helpers::review_input(rating, "ok")).await.unwrap();
        }

        let card = movies::movie(&app.db, alpha).await.unwrap().unwrap();
        assert_eq!(card.row.review_count, 3);
        assert!((card.row.avg_rating.unwrap() - 23.0 / 3.0).abs() < 1e-9);
        assert_eq!(card.row.average().as_deref(), Some("7.7"));
        let gamma_card = movies::movie(&app.db, gamma).await.unwrap().unwrap();
        assert_eq!(gamma_card.row.average().as_deref(), Some("7.5"));

        let visitor = app.visitor();
        let (_, by_rating) = visitor.get_html("/movies?sort=rating").await;
        assert_eq!(titles(&by_rating), ["Alpha", "Gamma", "Beta", "Delta", "Epsilon"], "best first, unrated last");
        let (_, ascending) = visitor.get_html("/movies?sort=rating&dir=asc").await;
        assert_eq!(titles(&ascending), ["Beta", "Gamma", "Alpha", "Delta", "Epsilon"], "unrated last either way");
        let (_, by_year) = visitor.get_html("/movies?sort=year").await;
        assert_eq!(titles(&by_year), ["Epsilon", "Gamma", "Beta", "Delta", "Alpha"]);
        let (_, by_title_desc) = visitor.get_html("/movies?sort=title&dir=desc").await;
        assert_eq!(titles(&by_title_desc), ["Gamma", "Epsilon", "Delta", "Beta", "Alpha"]);

        let (_, page) = visitor.get_html(&format!("/movies/{alpha}")).await;
        assert!(page.contains("★ 7.7</strong> / 10 from <span id=\"review-count\">3</span> reviews"));
        app.stop().await;
    }

    async fn one_review_per_user_and_movie_even_under_a_race(test_db: TestDb) {
        let app = test_db.spawn().await;
        let [alpha, beta, ..] = catalogue(&app).await;
        let visitor = app.signed_in("grace", "reader").await;
        let grace = visitor.id;

        let bad = visitor.review(alpha, "11", "kept words").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("Choose a rating from 1 to 10.") && html.contains("kept words"));

        let first = visitor.review(alpha, "9", "Great.").await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        let second = visitor.review(alpha, "2", "Changed my mind.").await;
        assert_eq!(second.status(), StatusCode::CONFLICT);
        assert!(second.text().await.unwrap().contains("You have already reviewed this movie"));
        assert_eq!(review::Entity::find().filter(review::Column::MovieId.eq(alpha)).count(&app.db).await.unwrap(), 1);

        let grace_user = app.acting(grace).await;
        let (a, b) = tokio::join!(
            movies::add_review(&app.db, &grace_user, beta, crate::helpers::review_input(7, "one")),
            movies::add_review(&app.db, &grace_user, beta, crate::helpers::review_input(8, "two")),
        );
        assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1, "the unique key lets one through");
        for result in [a, b] {
            if let Err(error) = result {
                assert!(matches!(error, marquee::domain::ServiceError::Conflict(_)), "{error:?}");
            }
        }

        // Editing and deleting one's own review; nobody else's.
        let mine = movies::review_of(&app.db, alpha, grace).await.unwrap().unwrap();
        let response = visitor.post(&format!("/movies/{alpha}/reviews/{}/edit", mine.id), &[("rating", "4"), ("body", "Second thoughts.")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(movies::review_of(&app.db, alpha, grace).await.unwrap().unwrap().rating, 4);
        let other = app.signed_in_as("reader").await;
        assert_eq!(other.post(&format!("/movies/{alpha}/reviews/{}/edit", mine.id), &[("rating", "1"), ("body", "x")]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(other.post(&format!("/movies/{alpha}/reviews/{}/delete", mine.id), &[]).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(visitor.post(&format!("/movies/{alpha}/reviews/{}/delete", mine.id), &[]).await.status(), StatusCode::SEE_OTHER);
        assert!(movies::review_of(&app.db, alpha, grace).await.unwrap().is_none());
        app.stop().await;
    }

    async fn managers_add_and_edit_movies_with_directors_in_order(test_db: TestDb) {
        let app = test_db.spawn().await;
        let manager = app.signed_in_as("moderator").await;

        let bad = manager.post("/movies/new", &[("title", ""), ("year", "1800"), ("mpa", "X"), ("directors", "A Person"), ("synopsis", "kept")]).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("Give the movie a title."));
        assert!(html.contains(&format!("Enter a year from 1888 to {}.", movies::last_year())));
        assert!(html.contains("Choose a rating from the list, or none."));
        let doc = Doc::parse(&html);
        assert_eq!(doc.attrs("#year", "value"), ["1800"]);
        assert_eq!(doc.texts("#synopsis"), ["kept"]);
        assert_eq!(doc.texts("#directors"), ["A Person"]);
        let next_year = (movies::last_year() + 1).to_string();
        let bad = manager.post("/movies/new", &[("title", "Future"), ("year", &next_year)]).await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let created = manager.post("/movies/new", &[
            ("title", "The Matrix"), ("year", "1999"), ("mpa", "R"),
            ("directors", "Lana Wachowski\nLilly Wachowski\nThird Person"), ("synopsis", "Red pill."),
        ]).await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let id: i32 = location(&created).trim_start_matches("/movies/").parse().unwrap();
        let order = async || -> Vec<String> {
            movies::directors_of(&app.db, vec![id]).await.unwrap().remove(&id).unwrap_or_default().into_iter().map(|(_, n)| n).collect()
        };
        assert_eq!(order().await, ["Lana Wachowski", "Lilly Wachowski", "Third Person"]);
        let stored = movie::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((stored.year, stored.mpa, stored.theatre), (1999, Some(MpaRating::R), false));

        let edited = manager.post(&format!("/movies/{id}/edit"), &[
            ("title", "The Matrix"), ("year", "1999"), ("mpa", ""), ("theatre", "on"),
            ("directors", "Lilly Wachowski\nLana Wachowski"), ("synopsis", "Red pill."),
        ]).await;
        assert_eq!(edited.status(), StatusCode::SEE_OTHER);
        assert_eq!(order().await, ["Lilly Wachowski", "Lana Wachowski"]);
        let stored = movie::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((stored.mpa, stored.theatre), (None, true));
        assert_eq!(person::Entity::find().count(&app.db).await.unwrap(), 3, "people are reused, not duplicated");

        let (_, page) = app.visitor().get_html(&format!("/movies/{id}")).await;
        let lilly = page.find(">Lilly Wachowski<").unwrap();
        let lana = page.find(">Lana Wachowski<").unwrap();
        assert!(lilly < lana, "credited order on the page");

        // The list reads the directors stored with the movie, kept by the edit; a movie written
        // by other means, without a stored list, has them looked up.
        let lilly_id = person::Entity::find_by_name("Lilly Wachowski").one(&app.db).await.unwrap().unwrap().id;
        let lana_id = person::Entity::find_by_name("Lana Wachowski").one(&app.db).await.unwrap().unwrap().id;
        let stored = movie::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap();
        let expected = serde_json::json!([[lilly_id, "Lilly Wachowski"], [lana_id, "Lana Wachowski"]]);
        assert_eq!(serde_json::from_str::<serde_json::Value>(stored.director_list.as_deref().unwrap()).unwrap(), expected);
        let card_directors = async || -> Vec<String> {
            let (_, list) = app.visitor().get_html("/movies?q=matrix").await;
            let card = list.split("class=\"movie-title\"").nth(1).unwrap_or_default().to_owned();
            card.split("href=\"/people/").skip(1).filter_map(|p| p.split('>').nth(1)?.split('<').next().map(str::to_owned)).collect()
        };
        assert_eq!(card_directors().await, ["Lilly Wachowski", "Lana Wachowski"]);
        movie::Entity::update_many()
            .col_expr(movie::Column::DirectorList, sea_orm::sea_query::Expr::value(None::<String>))
            .filter(movie::Column::Id.eq(id))
            .exec(&app.db)
            .await
            .unwrap();
        marquee::services::content_changed(&app.db).await.unwrap();
        assert_eq!(card_directors().await, ["Lilly Wachowski", "Lana Wachowski"], "looked up without a stored list");

        // The person page lists their movies, newest first.
        add(&app, "Speed Racer", 2008, Some(MpaRating::Pg), false, &["Lana Wachowski", "Lilly Wachowski"]).await;
        let (status, person_page) = app.visitor().get_html(&format!("/people/{lana_id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(person_page.find("Speed Racer").unwrap() < person_page.find("The Matrix").unwrap());
        assert_eq!(app.visitor().get("/people/999999").await.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }

    async fn deleting_a_movie_removes_its_director_links_and_reviews(test_db: TestDb) {
        let app = test_db.spawn().await;
        let [alpha, ..] = catalogue(&app).await;
        let grace = app.create_user("grace", "reader").await;
        movies::add_review(&app.db, &app.acting(grace).await, alpha, crate::helpers::review_input(7, "fine")).await.unwrap();
        let manager = app.signed_in_as("moderator").await;

        let (_, confirm) = manager.get_html(&format!("/movies/{alpha}/delete")).await;
        assert!(confirm.contains("1 review(s)"));
        assert_eq!(manager.post(&format!("/movies/{alpha}/delete"), &[]).await.status(), StatusCode::SEE_OTHER);

        assert!(movie::Entity::find_by_id(alpha).one(&app.db).await.unwrap().is_none());
        assert_eq!(movie_director::Entity::find().filter(movie_director::Column::MovieId.eq(alpha)).count(&app.db).await.unwrap(), 0);
        assert_eq!(review::Entity::find().filter(review::Column::MovieId.eq(alpha)).count(&app.db).await.unwrap(), 0);
        assert_eq!(app.visitor().get(&format!("/movies/{alpha}")).await.status(), StatusCode::NOT_FOUND);
        app.stop().await;
    }

    async fn managing_movies_needs_the_permission(test_db: TestDb) {
        let app = test_db.spawn().await;
        let [alpha, ..] = catalogue(&app).await;
        let reader = app.signed_in_as("reader").await;
        for path in ["/movies/new".to_owned(), format!("/movies/{alpha}/edit"), format!("/movies/{alpha}/delete")] {
            assert_eq!(reader.get(&path).await.status(), StatusCode::FORBIDDEN, "GET {path}");
            assert_eq!(reader.post(&path, &[("title", "Hacked"), ("year", "2000")]).await.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
        assert_eq!(movie::Entity::find_by_id(alpha).one(&app.db).await.unwrap().unwrap().title, "Alpha");
        let (_, html) = reader.get_html("/movies").await;
        assert!(!html.contains("Add a movie"));
        app.stop().await;
    }

    async fn a_narrow_selection_read_through_its_filters_gives_the_pages_the_sort_indexes_give(test_db: TestDb) {
        use marquee::services::movies::MovieSort;
        let app = test_db.spawn().await;
        let reader = app.create_user("grace", "reader").await;
        let ratings = [Some(MpaRating::G), Some(MpaRating::Pg), Some(MpaRating::Pg13), Some(MpaRating::R), Some(MpaRating::Nc17), None];
        for i in 0..40usize {
            // Repeated titles and years, so the tie-breakers decide too.
            let directors = [format!("Director {}", i % 5), "Second Unit".to_owned()];
            let names: Vec<&str> = directors.iter().take(1 + i % 2).map(String::as_str).collect();
            let id = add(&app, &format!("Film {:02}", i % 25), 1950 + (i as i32 * 3) % 60, ratings[i % 6], i % 4 == 0, &names).await;
            if i % 3 != 0 {
                movies::add_review(&app.db, &app.acting(reader).await, id, crate::helpers::review_input(1 + (i % 10) as i32, "ok")).await.unwrap();
            }
        }
        let filters = [
            MovieFilter::default(),
            MovieFilter { mpa: vec![Some(MpaRating::R)], ..Default::default() },
            MovieFilter { mpa: vec![None, Some(MpaRating::G)], theatre: Some(true), ..Default::default() },
            MovieFilter { year_from: Some(1960), year_to: Some(1989), theatre: Some(false), ..Default::default() },
            MovieFilter { mpa: vec![Some(MpaRating::Pg13), None], year_from: Some(1970), ..Default::default() },
        ];
        let mut shown = 0;
        for filter in &filters {
            let total = movies::facets(&app.db, filter).await.unwrap().total;
            assert!(total > 0 && total <= movies::FEW_MOVIES, "{filter:?}: {total}");
            for sort in [MovieSort::Title, MovieSort::Year, MovieSort::Rating] {
                for descending in [false, true] {
                    for page in 1..=2 {
                        let cards = async |total: u64| -> Vec<(i32, Vec<(i32, String)>)> {
                            let listed = movies::list_movies(&app.db, filter, sort, descending, page, total).await.unwrap();
                            listed.items.into_iter().map(|c| (c.row.id, c.directors)).collect()
                        };
                        // With a total this large, SQLite reads the sort's index in order.
                        let few = cards(total).await;
                        assert!(movies::reads_whole(total, page) && !movies::reads_whole(100 * movies::FEW_MOVIES, page));
                        assert_eq!(few, cards(100 * movies::FEW_MOVIES).await, "{filter:?} {sort:?} descending {descending} page {page}");
                        shown += few.len();
                    }
                }
            }
        }
        assert!(shown > 100, "{shown} cards compared");
        app.stop().await;
    }

    async fn the_movie_list_issues_the_same_few_statements_for_5_and_50_movies(test_db: TestDb) {
        let app = test_db.spawn().await;
        let reader = app.create_user("grace", "reader").await;
        let add_many = async |from: usize, to: usize| {
            for i in from..to {
                let id = add(&app, &format!("Film {i:02}"), 1950 + i as i32, Some(MpaRating::Pg), i % 2 == 0, &["Director One", &format!("Director {}", i % 4)]).await;
                movies::add_review(&app.db, &app.acting(reader).await, id, crate::helpers::review_input(1 + (i % 10) as i32, "ok")).await.unwrap();
            }
        };
        let pages = ["/movies", "/movies?mpa=PG&year_from=1950&sort=rating", "/movies?director=one&theatre=yes&sort=year"];
        add_many(0, 5).await;
        let mut few = Vec::new();
        for path in pages {
            few.push(app.statements_for(path).await);
        }
        add_many(5, 50).await;
        let mut many = Vec::new();
        for path in pages {
            many.push(app.statements_for(path).await);
        }
        assert_eq!(few, many, "{pages:?}");
        for (path, n) in pages.iter().zip(&many) {
            assert!(*n <= 3, "{path} issues {n} statements: the content version, the facets, then the page with its directors");
        }
        app.stop().await;
    }
}
