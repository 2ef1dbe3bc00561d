//! The demo data set and `seed --scale`: idempotent, and loaded on the first start.

use entity::user;
use marquee::seed::scale::{Plan, seed_scale};

use crate::helpers::count_rows;

const SEEDED_TABLES: &[&str] = &[
    "user",
    "profile",
    "group",
    "user_group",
    "category",
    "post",
    "tag",
    "post_tag",
    "comment",
    "movie",
    "person",
    "movie_director",
    "review",
    "picture",
    "picture_file",
    "post_picture",
];

async fn counts(db: &sea_orm::DatabaseConnection) -> Vec<(&'static str, i64)> {
    let mut all = Vec::new();
    for table in SEEDED_TABLES {
        all.push((*table, count_rows(db, table).await));
    }
    all
}

backend_tests! {
    async fn seeding_twice_changes_nothing(test_db: TestDb) {
        let app = test_db.spawn().await;
        let first = app.seed_demo().await;
        assert!(first.created.posts > 0 && first.created.movies > 0 && first.created.comments > 0);
        assert!(first.credentials.is_some(), "new accounts come with passwords");
        let after_first = counts(&app.db).await;
        assert!(after_first.iter().all(|(_, n)| *n > 0), "{after_first:?}");

        let second = app.seed_demo().await;

        assert_eq!(second.created.total(), 0, "{:?}", second.created);
        assert!(second.credentials.is_none());
        assert_eq!(counts(&app.db).await, after_first);
        app.stop().await;
    }

    async fn the_first_start_loads_demo_data_with_a_working_admin_password(test_db: TestDb) {
        let mut settings = test_db.settings();
        settings.no_demo_data = false;
        if test_db.backend != Backend::Sqlite {
            // An empty PostgreSQL or MySQL database gets no demo data unless it is asked for.
            let plain = test_db.spawn_with(settings.clone()).await;
            assert!(plain.demo_credentials.is_none());
            assert_eq!(count_rows(&plain.db, "user").await, 0);
            plain.stop().await;
            settings.demo_data = true;
        }
        let app = test_db.spawn_with(settings.clone()).await;
        let credentials = app.demo_credentials.clone().expect("credentials on first start");
        let admin = user::Entity::find_by_username(credentials.admin_username.as_str())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(marquee::services::accounts::password::verify_blocking(&credentials.admin_password, &admin.password_hash));
        assert!(!marquee::services::accounts::password::verify_blocking("wrong", &admin.password_hash));
        app.stop().await;

        // A second start on the same database loads nothing and prints no password.
        let again = test_db.spawn_with(settings).await;
        assert!(again.demo_credentials.is_none());
        again.stop().await;
    }

    async fn seed_scale_creates_proportional_data_and_resumes_instead_of_duplicating(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let before = count_rows(&app.db, "post").await;
        let pictures = count_rows(&app.db, "picture").await;
        let mut reported = Vec::new();

        let plan = seed_scale(&app.db, 60, |done, total| reported.push((done, total))).await.unwrap();

        assert_eq!(plan, Plan::for_posts(60));
        assert_eq!(count_rows(&app.db, "post").await, before + 60);
        let comments = count_rows(&app.db, "comment").await;
        let (done, total) = *reported.last().unwrap();
        assert_eq!(done, total, "progress reaches 100%");
        // A few drawings, each stored once and shared by many generated movies and members.
        assert_eq!(count_rows(&app.db, "picture").await, pictures + 10);
        let with_posters = sea_orm::PaginatorTrait::count(
            sea_orm::QueryFilter::filter(
                <entity::movie::Entity as sea_orm::EntityTrait>::find(),
                sea_orm::Condition::all()
                    .add(sea_orm::ColumnTrait::starts_with(&entity::movie::Column::Title, "Scale movie #"))
                    .add(sea_orm::ColumnTrait::is_not_null(&entity::movie::Column::Poster)),
            ),
            &app.db,
        )
        .await
        .unwrap();
        assert_eq!(with_posters, plan.movies.div_ceil(4), "one generated movie in four");

        seed_scale(&app.db, 60, |_, _| {}).await.unwrap();
        assert_eq!(count_rows(&app.db, "post").await, before + 60, "same N: nothing added");
        assert_eq!(count_rows(&app.db, "comment").await, comments);
        assert_eq!(count_rows(&app.db, "picture").await, pictures + 10);

        seed_scale(&app.db, 75, |_, _| {}).await.unwrap();
        assert_eq!(count_rows(&app.db, "post").await, before + 75, "larger N: the rest added");
        app.stop().await;
    }
}
