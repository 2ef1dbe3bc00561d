//! The schema's migrations: up, down to zero, up again; data inserted by migrations; the
//! schema-evolution step that adds `movie.mpa` keeps existing rows; the steps that store
//! aggregates, facet counts and search indexes fill them from the rows already there.

use entity::enums::Permission;
use entity::{movie, role, role_permission};
use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::helpers::count_rows;

const TABLES: &[&str] = &[
    "role",
    "role_permission",
    "user",
    "country",
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
    "audit_log",
    "user_session",
    "api_token",
];

async fn tables_present(db: &sea_orm::DatabaseConnection) -> Vec<&'static str> {
    let manager = SchemaManager::new(db);
    let mut present = Vec::new();
    for table in TABLES {
        if manager.has_table(*table).await.unwrap() {
            present.push(*table);
        }
    }
    present
}

backend_tests! {
    async fn all_migrations_go_up_then_down_to_zero_then_up_again(test_db: TestDb) {
        let db = test_db.connect().await;

        Migrator::up(&db, None).await.unwrap();
        assert_eq!(tables_present(&db).await, TABLES);
        assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());

        Migrator::down(&db, None).await.unwrap();
        assert!(tables_present(&db).await.is_empty(), "every table is dropped again");
        assert_eq!(
            Migrator::get_applied_migrations(&db).await.unwrap().len(),
            0,
            "no migration is left applied"
        );

        Migrator::up(&db, None).await.unwrap();
        assert_eq!(tables_present(&db).await, TABLES);
        assert_eq!(count_rows(&db, "role").await, 4, "default roles are inserted again");
    }

    async fn migrations_insert_the_default_roles_and_the_country_list(test_db: TestDb) {
        let db = test_db.connect().await;
        Migrator::up(&db, None).await.unwrap();

        let roles = role::Entity::find().order_by_asc(role::Column::Id).all(&db).await.unwrap();
        let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["reader", "author", "moderator", "admin"]);
        let defaults: Vec<&str> = roles.iter().filter(|r| r.is_default).map(|r| r.name.as_str()).collect();
        assert_eq!(defaults, ["reader"], "exactly one default role");

        let admin = roles.iter().find(|r| r.name == "admin").unwrap();
        let mut granted: Vec<Permission> = role_permission::Entity::find()
            .filter(role_permission::Column::RoleId.eq(admin.id))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|rp| rp.permission)
            .collect();
        granted.sort();
        let mut every = Permission::all();
        every.sort();
        assert_eq!(granted, every, "admin holds every permission");

        let reader = roles.iter().find(|r| r.name == "reader").unwrap();
        let reader_permissions = role_permission::Entity::find()
            .filter(role_permission::Column::RoleId.eq(reader.id))
            .all(&db)
            .await
            .unwrap();
        assert!(reader_permissions.iter().all(|rp| rp.permission != Permission::ManageRoles));

        assert_eq!(count_rows(&db, "country").await, marquee_countries() as i64);
        let fr = entity::country::Entity::find_by_code("FR").one(&db).await.unwrap().unwrap();
        assert_eq!(fr.name, "France");
    }

    async fn the_mpa_step_keeps_existing_movies(test_db: TestDb) {
        let db = test_db.connect().await;
        Migrator::up(&db, Some(4)).await.unwrap();
        // Before step 5 the table has no `mpa` column, so insert only the columns it has.
        for (title, year) in [("Metropolis", 1927), ("Alien", 1979)] {
            movie::Entity::insert(movie::ActiveModel {
                title: Set(title.into()),
                year: Set(year),
                theatre: Set(false),
                synopsis: Set(format!("{title} synopsis")),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            })
            .exec_without_returning(&db)
            .await
            .unwrap();
        }

        Migrator::up(&db, Some(1)).await.unwrap();
        // Only the columns step 5 knows (later steps add more to the entity).
        let kept = || async {
            movie::Entity::find()
                .select_only()
                .columns([movie::Column::Title, movie::Column::Year, movie::Column::Mpa])
                .order_by_asc(movie::Column::Year)
                .into_tuple::<(String, i32, Option<entity::enums::MpaRating>)>()
                .all(&db)
                .await
                .unwrap()
        };
        assert_eq!(kept().await, [("Metropolis".to_owned(), 1927, None), ("Alien".to_owned(), 1979, None)]);

        // The new column is usable at once.
        movie::Entity::update_many()
            .col_expr(movie::Column::Mpa, sea_orm::sea_query::Expr::value("R"))
            .filter(movie::Column::Title.eq("Alien"))
            .exec(&db)
            .await
            .unwrap();
        let rated = movie::Entity::find()
            .select_only()
            .column(movie::Column::Id)
            .filter(movie::Column::Mpa.eq(entity::enums::MpaRating::R))
            .count_rows(&db)
            .await;
        assert_eq!(rated, 1);

        // Rolling the step back drops the column and keeps the rows.
        Migrator::down(&db, Some(1)).await.unwrap();
        assert_eq!(count_rows(&db, "movie").await, 2);
        assert!(!SchemaManager::new(&db).has_column("movie", "mpa").await.unwrap());
    }
    async fn the_stored_html_and_aggregates_step_backfills_existing_rows(test_db: TestDb) {
        use sea_orm::sea_query::SimpleExpr;
        let db = test_db.connect().await;
        Migrator::up(&db, Some(9)).await.unwrap();
        let insert = async |table: &str, columns: &[&str], values: Vec<SimpleExpr>| insert_row(&db, table, columns, values).await;
        let now = chrono::Utc::now();
        let published = now - chrono::Duration::days(2);
        for name in ["old", "other"] {
            insert(
                "user",
                &["username", "email", "password_hash", "role_id", "is_active", "created_at", "session_version"],
                vec![name.into(), format!("{name}@example.test").into(), "x".into(), 1.into(), true.into(), now.into(), 0.into()],
            )
            .await;
        }
        for (slug, status, published_at) in [("old-0", "published", Some(published)), ("old-1", "draft", None)] {
            insert(
                "post",
                &["title", "slug", "body", "status", "author_id", "created_at", "updated_at", "published_at"],
                vec![
                    slug.into(), slug.into(), "Some *old* text with <script>x</script> in it.".into(), status.into(),
                    1.into(), now.into(), now.into(), published_at.into(),
                ],
            )
            .await;
        }
        insert("movie", &["title", "year", "theatre", "synopsis", "created_at"], vec!["Old film".into(), 1999.into(), false.into(), "s".into(), now.into()]).await;
        for (user, rating) in [(1, 4), (2, 9)] {
            insert(
                "review",
                &["movie_id", "user_id", "rating", "body", "created_at"],
                vec![1.into(), user.into(), rating.into(), "r".into(), now.into()],
            )
            .await;
        }

        Migrator::up(&db, None).await.unwrap();

        let posts = entity::post::Entity::find().order_by_asc(entity::post::Column::Id).all(&db).await.unwrap();
        let html = posts[0].body_html.as_deref().unwrap();
        assert!(html.contains("<em>old</em>") && !html.contains("<script"), "{html}");
        let body = "Some *old* text with <script>x</script> in it.";
        assert_eq!(posts[0].excerpt, marquee::markdown::excerpt(body, marquee::services::blog::EXCERPT_CHARS));
        assert!(posts[0].excerpt.starts_with("Some old text"));
        assert_eq!(posts[0].listed_at.timestamp(), published.timestamp(), "published: listed when published");
        assert_eq!(posts[1].listed_at.timestamp(), now.timestamp(), "draft: listed when created");
        let film = entity::movie::Entity::find_by_id(1).one(&db).await.unwrap().unwrap();
        assert_eq!((film.review_count, film.rating_sum), (2, 13));
        assert!((film.rating_avg.unwrap() - 6.5).abs() < 1e-9);
        assert_eq!(marquee::services::content_version(&db).await.unwrap(), 0);
    }

    async fn the_facet_search_post_count_trail_and_list_field_steps_fill_existing_rows(test_db: TestDb) {
        use marquee::services::{blog, movies};
        use sea_orm::sea_query::SimpleExpr;
        let db = test_db.connect().await;
        Migrator::up(&db, Some(10)).await.unwrap();
        let insert = async |table: &str, columns: &[&str], values: Vec<SimpleExpr>| insert_row(&db, table, columns, values).await;
        let now = chrono::Utc::now();
        let films: [(Option<&str>, i32, bool); 5] = [(Some("R"), 1994, false), (Some("R"), 1994, false), (Some("PG"), 1999, true), (None, 2003, false), (None, 1994, false)];
        for (i, (mpa, year, theatre)) in films.iter().enumerate() {
            insert("movie", &["title", "year", "theatre", "synopsis", "created_at", "mpa"], vec![format!("Old film {i}").into(), (*year).into(), (*theatre).into(), "s".into(), now.into(), mpa.map(str::to_owned).into()]).await;
        }
        for name in ["Agnès Varda", "Jacques \"Demy\""] {
            insert("person", &["name"], vec![name.into()]).await;
        }
        for (movie_id, person_id, position) in [(1, 2, 0), (1, 1, 1), (3, 1, 0)] {
            insert("movie_director", &["movie_id", "person_id", "position"], vec![movie_id.into(), person_id.into(), position.into()]).await;
        }
        insert(
            "user",
            &["username", "email", "password_hash", "role_id", "is_active", "created_at", "session_version"],
            vec!["old".into(), "old@example.test".into(), "x".into(), 1.into(), true.into(), now.into(), 0.into()],
        )
        .await;
        insert("category", &["name", "slug"], vec!["Old".into(), "old".into()]).await;
        insert("category", &["name", "slug", "parent_id"], vec!["Older \"quoted\"".into(), "older".into(), 1.into()]).await;
        insert("tag", &["name"], vec!["kept".into()]).await;
        insert("tag", &["name"], vec!["also".into()]).await;
        let posts = [("lighthouse", "A keeper of the Lighthouse writes.", "published"), ("garden", "Roses and tulips.", "published"), ("notes", "Unfinished.", "draft")];
        for (id, (slug, body, status)) in (1..).zip(posts) {
            insert(
                "post",
                &["title", "slug", "body", "body_html", "excerpt", "status", "author_id", "category_id", "created_at", "updated_at", "published_at", "listed_at"],
                vec![slug.into(), slug.into(), body.into(), body.into(), body.into(), status.into(), 1.into(), 1.into(), now.into(), now.into(), now.into(), now.into()],
            )
            .await;
            insert("post_tag", &["post_id", "tag_id"], vec![id.into(), 1.into()]).await;
        }
        insert("post_tag", &["post_id", "tag_id"], vec![1.into(), 2.into()]).await;
        for hidden in [false, true, false] {
            insert("comment", &["post_id", "author_id", "body", "is_hidden", "created_at"], vec![1.into(), 1.into(), "c".into(), hidden.into(), now.into()]).await;
        }

        Migrator::up(&db, None).await.unwrap();

        let facets = movies::facets(&db, &movies::MovieFilter::default()).await.unwrap();
        assert_eq!(facets.total, 5);
        assert_eq!(facets.decades, vec![(1990, 4), (2000, 1)]);
        assert_eq!(facets.theatre, (1, 4));
        let rated: Vec<u64> = facets.mpa.iter().filter(|(r, _)| r.is_none() || r.is_some_and(|r| matches!(r.as_str(), "R" | "PG"))).map(|(_, n)| *n).collect();
        assert_eq!(rated, vec![1, 2, 2], "PG, R, unrated");
        let nineties = movies::MovieFilter { year_from: Some(1990), year_to: Some(1999), mpa: vec![None], ..Default::default() };
        assert_eq!(movies::facets(&db, &nineties).await.unwrap().total, 1);

        let search = async |q: &str| -> Vec<String> {
            let filter = blog::PostFilter { q: Some(q.into()), ..Default::default() };
            blog::list_posts(&db, &filter, blog::Position::Newest, 20).await.unwrap().items.into_iter().map(|c| c.row.slug).collect()
        };
        assert_eq!(search("lighthouse").await, ["lighthouse"], "posts written before the step are found");
        assert_eq!(search("TULIP").await, ["garden"]);

        // Step 15 counts the published posts of existing categories and tags (not the draft).
        let category = entity::category::Entity::find_by_slug("old").one(&db).await.unwrap().unwrap();
        let tag = entity::tag::Entity::find_by_name("kept").one(&db).await.unwrap().unwrap();
        assert_eq!((category.post_count, tag.post_count), (2, 2));

        // Step 17 stores each category's trail, root first, as the app writes it.
        let child = entity::category::Entity::find_by_slug("older").one(&db).await.unwrap().unwrap();
        let names = |c: &entity::category::Model| blog::parse_trail(c.trail.as_deref()).expect("a trail").into_iter().map(|c| (c.name, c.slug)).collect::<Vec<_>>();
        assert_eq!(names(&category), [("Old".to_owned(), "old".to_owned())]);
        assert_eq!(names(&child), [("Old".to_owned(), "old".to_owned()), ("Older \"quoted\"".to_owned(), "older".to_owned())]);
        let all = blog::categories(&db).await.unwrap();
        assert_eq!(child.trail.as_deref(), Some(serde_json::to_string(&blog::trail(&all, child.id)).unwrap().as_str()), "the app would not rewrite it");

        // Step 18 stores each post's visible comments and tag names, and the links' listed_at.
        let stored: Vec<(String, i32, String)> = entity::post::Entity::find().order_by_asc(entity::post::Column::Id).all(&db).await.unwrap().into_iter().map(|p| (p.slug, p.comment_count, p.tag_names)).collect();
        let expected = [("lighthouse", 2, "also,kept"), ("garden", 0, "kept"), ("notes", 0, "kept")].map(|(s, n, t)| (s.to_owned(), n, t.to_owned()));
        assert_eq!(stored, expected);
        let links = entity::post_tag::Entity::find().all(&db).await.unwrap();
        assert_eq!(links.len(), 4);
        assert!(links.iter().all(|l| l.listed_at.timestamp() == now.timestamp()), "{links:?}");
        let tagged = async |tag_id: i32| {
            let filter = blog::PostFilter { tag_id: Some(tag_id), ..Default::default() };
            blog::list_posts(&db, &filter, blog::Position::Newest, 20).await.unwrap().items.into_iter().map(|c| (c.row.slug, c.tags)).collect::<Vec<_>>()
        };
        let kept_also = vec!["also".to_owned(), "kept".to_owned()];
        assert_eq!(tagged(1).await, [("garden".to_owned(), vec!["kept".to_owned()]), ("lighthouse".to_owned(), kept_also.clone())], "published posts with the tag, newest first");
        assert_eq!(tagged(2).await, [("lighthouse".to_owned(), kept_also)]);

        // Step 20 stores each movie's directors in credited order, as the list shows them.
        let lists: Vec<Option<String>> = entity::movie::Entity::find().order_by_asc(entity::movie::Column::Id).all(&db).await.unwrap().into_iter().map(|m| m.director_list).collect();
        let varda = serde_json::json!([1, "Agnès Varda"]);
        let demy = serde_json::json!([2, "Jacques \"Demy\""]);
        let parsed: Vec<serde_json::Value> = lists.iter().map(|l| serde_json::from_str(l.as_deref().expect("a stored list")).unwrap()).collect();
        let none = serde_json::json!([]);
        assert_eq!(parsed, [serde_json::json!([demy, varda.clone()]), none.clone(), serde_json::json!([varda]), none.clone(), none]);
        let page = movies::list_movies(&db, &movies::MovieFilter::default(), movies::MovieSort::Title, false, 1, 5).await.unwrap();
        let shown: Vec<(String, Vec<String>)> = page.items.into_iter().map(|c| (c.row.title, c.directors.into_iter().map(|(_, n)| n).collect())).collect();
        assert_eq!(shown[0], ("Old film 0".to_owned(), vec!["Jacques \"Demy\"".to_owned(), "Agnès Varda".to_owned()]));
    }
}

/// Inserts one row with plain SQL, as data written before a migration would be.
async fn insert_row(
    db: &sea_orm::DatabaseConnection,
    table: &str,
    columns: &[&str],
    values: Vec<sea_orm::sea_query::SimpleExpr>,
) {
    use sea_orm::sea_query::{Alias, Query};
    let stmt = Query::insert()
        .into_table(Alias::new(table))
        .columns(columns.iter().map(|c| Alias::new(*c)))
        .values_panic(values)
        .to_owned();
    sea_orm::ConnectionTrait::execute(db, &stmt).await.unwrap();
}

fn marquee_countries() -> usize {
    migration::COUNTRIES.len()
}

/// `Select::count` without importing `PaginatorTrait` into the macro's module.
trait CountRows {
    async fn count_rows(self, db: &sea_orm::DatabaseConnection) -> u64;
}

impl<E: EntityTrait> CountRows for sea_orm::Select<E>
where
    E::Model: Sync,
{
    async fn count_rows(self, db: &sea_orm::DatabaseConnection) -> u64 {
        sea_orm::PaginatorTrait::count(self, db).await.unwrap()
    }
}

backend_tests! {
    async fn the_audit_log_keeps_long_post_texts_and_down_refuses_rather_than_cut_them(test_db: TestDb) {
        use sea_orm::ActiveModelTrait;
        let db = test_db.connect().await;
        Migrator::up(&db, None).await.unwrap();
        // A post's history keeps its text before and after: more than MySQL's TEXT holds.
        let long = serde_json::json!({ "title": "Long", "body": "x".repeat(90_000) }).to_string();
        let entry = entity::audit_log::ActiveModel {
            action: Set("post.update".into()),
            subject_type: Set("post".into()),
            subject_id: Set(Some("1".into())),
            before: Set(Some(long.clone())),
            after: Set(Some(long.clone())),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&db)
        .await
        .unwrap();
        // The steps after step 25 first, so that 25 is the next one down.
        let steps = Migrator::migrations();
        let at = steps.iter().position(|m| m.name().contains("_000025_")).unwrap();
        let later = u32::try_from(steps.len() - at - 1).unwrap();
        if later > 0 {
            Migrator::down(&db, Some(later)).await.unwrap();
        }
        let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
        let undone = Migrator::down(&db, Some(1)).await;
        let kept = entity::audit_log::Entity::find_by_id(entry.id).one(&db).await.unwrap().unwrap();
        assert_eq!(kept.after.as_deref(), Some(long.as_str()), "nothing is cut");
        if test_db.backend == crate::helpers::Backend::MySql {
            let message = migration::describe(&undone.unwrap_err());
            assert!(message.contains("1 audit log entry is longer than MySQL's TEXT holds"), "{message}");
            assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), applied, "nothing undone");
            entity::audit_log::Entity::delete_by_id(entry.id).exec(&db).await.unwrap();
            Migrator::down(&db, Some(1)).await.unwrap();
        } else {
            undone.unwrap();
        }
        assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), applied - 1);
        Migrator::up(&db, None).await.unwrap();
        assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());
    }
}

/// Every foreign key: table, column, referenced table and column, and what a delete does.
async fn foreign_keys(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT m.name || '.' || f.\"from\" || ' ' || f.\"table\" || '.' || f.\"to\" || ' ' \
             || f.on_delete FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'"
        }
        DbBackend::Postgres => {
            "SELECT k.table_name || '.' || k.column_name || ' ' || u.table_name || '.' \
             || u.column_name || ' ' || r.delete_rule \
             FROM information_schema.referential_constraints r \
             JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name \
             AND k.constraint_schema = r.constraint_schema \
             JOIN information_schema.constraint_column_usage u \
             ON u.constraint_name = r.unique_constraint_name \
             AND u.constraint_schema = r.unique_constraint_schema \
             WHERE r.constraint_schema = current_schema()"
        }
        _ => {
            "SELECT CAST(CONCAT(k.table_name, '.', k.column_name, ' ', k.referenced_table_name, \
             '.', k.referenced_column_name, ' ', r.delete_rule) AS CHAR) \
             FROM information_schema.key_column_usage k \
             JOIN information_schema.referential_constraints r \
             ON r.constraint_name = k.constraint_name AND r.constraint_schema = k.table_schema \
             WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL"
        }
    };
    let backend = db.get_database_backend();
    let mut keys: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect();
    keys.sort();
    keys
}

backend_tests! {
    async fn a_test_database_copied_from_the_template_is_the_one_the_migrations_build(test_db: TestDb) {
        // The suite's databases are copies of a template the test process migrated once
        // (tests/app/helpers/template.rs); a copy must be what the migrator builds: the same
        // tables, columns, indexes, triggers, keys, rows and migration log.
        use crate::migrate_verbs::{applied, row_counts, shape};
        let app = test_db.spawn().await;
        // The other runs the migrator itself before the application starts on it (which
        // then writes what it writes at start to both).
        let migrated = TestDb::create(test_db.backend).await;
        let db = migrated.connect().await;
        Migrator::up(&db, None).await.unwrap();
        let other = migrated.spawn().await;
        assert_eq!(shape(&app.db).await, shape(&db).await);
        assert_eq!(foreign_keys(&app.db).await, foreign_keys(&db).await);
        assert!(!foreign_keys(&db).await.is_empty());
        assert_eq!(row_counts(&app.db).await, row_counts(&db).await);
        assert_eq!(applied(&app.db).await, applied(&db).await);
        // A copy is a database of its own: writing to it leaves the next copy untouched.
        crate::helpers::exec(&app.db, "DELETE FROM role_permission").await;
        let next = TestDb::create(test_db.backend).await;
        let again = next.spawn().await;
        assert!(count_rows(&again.db, "role_permission").await > 0);
        again.stop().await;
        next.drop_database().await;
        other.stop().await;
        db.close().await.unwrap();
        migrated.drop_database().await;
        app.stop().await;
    }
}
