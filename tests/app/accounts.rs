//! Accounts: registration, login and logout, throttling, CSRF, sessions, profiles, settings.

use entity::user;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{Doc, PASSWORD, location};

backend_tests! {
    async fn registering_creates_an_account_in_the_default_role_and_logs_in(test_db: TestDb) {
        let app = test_db.spawn().await;
        let visitor = app.visitor();

        let response = visitor
            .post("/register", &[
                ("username", "Newbie"),
                ("email", "NewBie@Example.com"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ])
            .await;

        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/users/newbie");
        let (status, html) = visitor.get_html("/users/newbie").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Welcome to Marquee, newbie!"), "flash after redirect");
        assert_eq!(visitor.nav_username().await.as_deref(), Some("newbie"));
        let (user, role) = user::Entity::find_by_username("newbie")
            .find_also_related(entity::role::Entity)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.email, "newbie@example.com");
        assert_eq!(role.unwrap().name, "reader");
        assert!(user.password_hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        app.stop().await;
    }

    async fn a_hash_with_older_parameters_is_made_again_at_the_next_good_login(test_db: TestDb) {
        use argon2::password_hash::PasswordHasher;
        use sea_orm::{ActiveModelTrait, Set};
        let app = test_db.spawn().await;
        let id = app.create_user("elder", "reader").await;
        // As stored before: OWASP's m = 19456 KiB, t = 2 (the argon2 crate's default).
        let older = argon2::Argon2::default().hash_password(PASSWORD.as_bytes()).unwrap().to_string();
        assert!(older.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{older}");
        user::ActiveModel { id: Set(id), password_hash: Set(older.clone()), ..Default::default() }
            .update(&app.db)
            .await
            .unwrap();
        let stored = || async { user::Entity::find_by_id(id).one(&app.db).await.unwrap().unwrap().password_hash };

        // A wrong password changes nothing.
        assert_eq!(app.visitor().login("elder", "not the password").await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(stored().await, older);
        // The right one signs in and stores a hash with today's parameters, which works next time.
        app.visitor().login_ok("elder", PASSWORD).await;
        let refreshed = stored().await;
        assert!(refreshed.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{refreshed}");
        app.visitor().login_ok("elder", PASSWORD).await;
        assert_eq!(stored().await, refreshed, "a current hash is kept");
        app.stop().await;
    }

    async fn registration_errors_are_shown_beside_the_fields_with_the_input_kept(test_db: TestDb) {
        let app = test_db.spawn().await;
        let visitor = app.visitor();

        let response = visitor
            .post("/register", &[
                ("username", "x!"),
                ("email", "not-an-email"),
                ("password", "secret-pw-1"),
                ("password_confirm", "other"),
            ])
            .await;

        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(html.contains("Usernames are at least 3 characters long."));
        assert!(html.contains("Enter an email address like name@example.com."));
        assert!(html.contains("The two passwords do not match."));
        let doc = Doc::parse(&html);
        assert_eq!(doc.attrs("#username", "value"), ["x!"], "username kept");
        assert_eq!(doc.attrs("#email", "value"), ["not-an-email"], "email kept");
        assert!(!html.contains("secret-pw-1"), "passwords are never echoed");
        assert_eq!(crate::helpers::count_rows(&app.db, "user").await, 0);
        app.stop().await;
    }

    async fn a_taken_username_or_email_is_a_field_error_even_under_a_race(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("ada", "author").await;

        let response = app
            .visitor()
            .post("/register", &[
                ("username", "ADA"),
                ("email", "ada@example.test"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "a taken name is a conflict");
        let html = response.text().await.unwrap();
        assert!(html.contains("This username is taken."));
        assert!(html.contains("An account with this email exists already."));

        // Two registrations of one name at the same moment: the unique index decides, and the
        // loser gets the same field error, not a database error.
        let name = marquee::domain::Username::parse("twin").unwrap();
        let first = marquee::domain::Email::parse("twin1@example.test").unwrap();
        let second = marquee::domain::Email::parse("twin2@example.test").unwrap();
        let (a, b) = tokio::join!(
            marquee::services::accounts::register(&app.db, &name, &first, "h".into(), None, marquee::services::accounts::Address::Confirmed),
            marquee::services::accounts::register(&app.db, &name, &second, "h".into(), None, marquee::services::accounts::Address::Confirmed),
        );
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "exactly one wins");
        for result in [a, b] {
            if let Err(error) = result {
                assert!(
                    matches!(error, marquee::domain::ServiceError::Conflict(ref f) if f.get("username").is_some() && f.get("email").is_none()),
                    "{error:?}"
                );
            }
        }
        app.stop().await;
    }

    async fn people_log_in_with_username_or_email_and_log_out_with_a_post(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        let visitor = app.visitor();

        let response = visitor.login("grace@example.test", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(visitor.nav_username().await.as_deref(), Some("grace"));
        let seen = user::Entity::find_by_username("grace").one(&app.db).await.unwrap().unwrap();
        assert!(seen.last_seen_at.is_some());

        // GET does not log out; the POST form does.
        assert_eq!(visitor.get("/logout").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(visitor.nav_username().await.as_deref(), Some("grace"));
        let response = visitor.post("/logout", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(visitor.nav_username().await, None);

        visitor.login_ok("GRACE", PASSWORD).await;
        assert_eq!(visitor.nav_username().await.as_deref(), Some("grace"));
        app.stop().await;
    }

    async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        let visitor = app.visitor();

        let wrong = visitor.login("grace", "not the password").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let wrong = wrong.text().await.unwrap();
        let unknown = visitor.login("nobody", "not the password").await;
        assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
        let unknown = unknown.text().await.unwrap();
        let message = "That username or email and password do not match an account.";
        assert!(wrong.contains(message) && unknown.contains(message));
        assert_eq!(Doc::parse(&wrong).attrs("#login", "value"), ["grace"], "the login name is kept");
        assert_eq!(visitor.nav_username().await, None);
        app.stop().await;
    }

    async fn after_five_failures_logins_are_refused_with_429_for_a_while(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        let visitor = app.visitor();
        for _ in 0..5 {
            assert_eq!(visitor.login("grace", "wrong password").await.status(), StatusCode::UNAUTHORIZED);
        }

        let response = visitor.login("grace", PASSWORD).await;

        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        let wait: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(wait > 0 && wait <= 15 * 60);
        assert!(response.text().await.unwrap().contains("Too many failed login attempts"));
        assert_eq!(visitor.nav_username().await, None);
        app.stop().await;
    }

    async fn a_post_without_the_right_csrf_token_is_refused_and_changes_nothing(test_db: TestDb) {
        let app = test_db.spawn().await;
        let visitor = app.signed_in("grace", "reader").await;

        let missing = visitor.post_raw("/logout", &[]).await;
        assert_eq!(missing.status(), StatusCode::FORBIDDEN);
        assert!(missing.text().await.unwrap().contains("Your form expired"));
        let wrong = visitor.post_raw("/logout", &[("csrf_token", "forged")]).await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        assert_eq!(visitor.nav_username().await.as_deref(), Some("grace"), "still logged in");

        let stranger = app.visitor();
        let response = stranger
            .post_raw("/register", &[
                ("username", "mallory"),
                ("email", "mallory@example.test"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(user::Entity::find_by_username("mallory").one(&app.db).await.unwrap().is_none());
        app.stop().await;
    }

    async fn changing_the_password_keeps_this_session_and_ends_the_others(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        let laptop = app.visitor();
        let phone = app.visitor();
        laptop.login_ok("grace", PASSWORD).await;
        phone.login_ok("grace", PASSWORD).await;

        let wrong = laptop
            .post("/settings/password", &[
                ("current_password", "not it"),
                ("new_password", "a brand new passphrase"),
                ("new_password_confirm", "a brand new passphrase"),
            ])
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.text().await.unwrap().contains("That is not your current password."));

        let response = laptop
            .post("/settings/password", &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
                ("new_password_confirm", "a brand new passphrase"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        assert_eq!(laptop.nav_username().await.as_deref(), Some("grace"));
        assert_eq!(phone.nav_username().await, None, "the other session ended");
        assert_eq!(phone.login("grace", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        phone.login_ok("grace", "a brand new passphrase").await;
        app.stop().await;
    }

    async fn anonymous_visitors_are_sent_to_login_and_back_but_only_within_the_site(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        let visitor = app.visitor();

        let response = visitor.get("/settings/profile").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/login?next=%2Fsettings%2Fprofile");

        let response = visitor
            .post("/login", &[("login", "grace"), ("password", PASSWORD), ("next", "/settings/profile")])
            .await;
        assert_eq!(location(&response), "/settings/profile");

        let other = app.visitor();
        let response = other
            .post("/login", &[("login", "grace"), ("password", PASSWORD), ("next", "https://evil.test/")])
            .await;
        assert_eq!(location(&response), "/");
        let other = app.visitor();
        let response = other
            .post("/login", &[("login", "grace"), ("password", PASSWORD), ("next", "//evil.test/x")])
            .await;
        assert_eq!(location(&response), "/");
        app.stop().await;
    }

    async fn the_profile_page_shows_profile_country_groups_and_can_be_edited(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let visitor = app.signed_in("grace2", "reader").await;
        let france = entity::country::Entity::find_by_code("FR").one(&app.db).await.unwrap().unwrap();

        let bad = visitor
            .post("/settings/profile", &[
                ("display_name", "Grace H."),
                ("bio", "Compilers & coffee"),
                ("birth_date", "2999-01-01"),
                ("website", "example.com"),
                ("country_id", "999999"),
                ("job", "Admiral"),
            ])
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("Your birth date cannot be in the future."));
        assert!(html.contains("Enter a full address starting with https://."));
        assert!(html.contains("Compilers &#38; coffee"), "bio kept");
        assert_eq!(Doc::parse(&html).attrs("#job", "value"), ["Admiral"], "job kept");
        // A country that is not in the list is refused by the service once the rest is right.
        let unknown_country = visitor
            .post("/settings/profile", &[("display_name", "Grace H."), ("country_id", "999999")])
            .await;
        assert_eq!(unknown_country.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown_country.text().await.unwrap().contains("Choose a country from the list."));

        let good = visitor
            .post("/settings/profile", &[
                ("display_name", "Grace H."),
                ("bio", "Compilers & coffee"),
                ("birth_date", "1906-12-09"),
                ("website", "https://example.com/grace"),
                ("country_id", &france.id.to_string()),
                ("job", "Admiral"),
                ("location", "Arlington"),
            ])
            .await;
        assert_eq!(good.status(), StatusCode::SEE_OTHER);
        let group = entity::group::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(visitor.post(&format!("/groups/{}/join", group.id), &[]).await.status(), StatusCode::SEE_OTHER);

        let (status, html) = app.visitor().get_html("/users/grace2").await;
        assert_eq!(status, StatusCode::OK);
        for expected in ["Grace H.", "Compilers &#38; coffee", "France", "Admiral", "Arlington", "9 December 1906", "https://example.com/grace", &crate::helpers::escaped(&group.name)] {
            assert!(html.contains(expected), "profile shows {expected}");
        }
        assert_eq!(app.visitor().get("/users/nobody-here").await.status(), StatusCode::NOT_FOUND);

        // Recent activity comes from the user's posts, comments and reviews.
        let (_, ada) = app.visitor().get_html("/users/ada").await;
        let first_post = marquee::seed::data::POSTS.iter().find(|p| {
            ada.contains(&crate::helpers::escaped(p.title))
        });
        assert!(first_post.is_some(), "ada's recent posts are listed");
        let (reviewer, movie_title, rating, _) = marquee::seed::data::REVIEWS[0];
        let (_, reviews) = app.visitor().get_html(&format!("/users/{reviewer}")).await;
        assert!(reviews.contains(&crate::helpers::escaped(movie_title)) && reviews.contains(&format!("<strong>{rating}/10</strong>")), "{reviewer}'s review of {movie_title} is listed");
        let newest_comment = entity::comment::Entity::find()
            .filter(entity::comment::Column::IsHidden.eq(false))
            .order_by_desc(entity::comment::Column::CreatedAt)
            .find_also_related(user::Entity)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let (comment, Some(commenter)) = newest_comment else { panic!("a seeded comment has an author") };
        let (_, commenter_page) = app.visitor().get_html(&format!("/users/{}", commenter.username)).await;
        assert!(commenter_page.contains(&crate::helpers::escaped(&comment.body)), "the newest comment is on its author's profile");
        let stored = user::Entity::find()
            .filter(user::Column::Username.eq("grace2"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.country_id, Some(france.id));
        app.stop().await;
    }
}

// Signed-in sessions (lifetimes, revocation, the sessions page) and everything mailed (reset,
// verification and email-change links) have files of their own.
pub(crate) mod mail;
mod sessions;

backend_tests! {
    async fn a_profile_saved_from_another_tab_is_not_overwritten_unseen(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        let (mine, theirs) = (app.visitor(), app.visitor());
        mine.login_ok("grace", PASSWORD).await;
        theirs.login_ok("grace", PASSWORD).await;
        let version = |html: &str| Doc::parse(html).attrs("input[name=version]", "value").concat();
        let opened = version(&mine.get_html("/settings/profile").await.1);
        assert!(!opened.is_empty());
        let saved = theirs
            .post("/settings/profile", &[("display_name", "Grace H."), ("bio", "Their bio."), ("version", &opened)])
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);

        // Saving over it: 409, nothing saved, theirs shown beside my kept input.
        let stale = mine
            .post("/settings/profile", &[("display_name", "Grace Hopper"), ("bio", "My bio."), ("version", &opened)])
            .await;
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        let page = stale.text().await.unwrap();
        assert!(page.contains("Nothing was saved") && page.contains("Their bio."), "{page}");
        assert!(page.contains("value=\"Grace Hopper\"") && page.contains("My bio."), "{page}");
        let (_, profile) = app.visitor().get_html("/users/grace").await;
        assert!(profile.contains("Their bio.") && !profile.contains("My bio."));

        // The form now carries their version: saving again replaces it, knowingly.
        let current = version(&page);
        assert_ne!(current, opened);
        let replaced = mine
            .post("/settings/profile", &[("display_name", "Grace Hopper"), ("bio", "My bio."), ("version", &current)])
            .await;
        assert_eq!(replaced.status(), StatusCode::SEE_OTHER);
        let (_, profile) = app.visitor().get_html("/users/grace").await;
        assert!(profile.contains("My bio."));
    }
}
