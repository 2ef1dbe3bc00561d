//! Each relation kind of the data model, loaded through SeaORM 2's entity loader on the demo
//! data: one-to-one, many-to-one, one-to-many, many-to-many, the self-referencing category
//! tree, and the ordered movie-director link.

use entity::{category, country, group, movie, person, post, profile, role, tag, user};
use marquee::seed::data::{CATEGORIES, MOVIES, POSTS, USERS};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

backend_tests! {
    async fn a_user_loads_with_profile_country_role_posts_and_groups(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let expected = USERS.iter().find(|u| u.username == "ada").unwrap();

        let ada = user::Entity::load()
            .filter(user::Column::Username.eq("ada"))
            .with(profile::Entity)
            .with(country::Entity)
            .with(role::Entity)
            .with(post::Entity)
            .with(group::Entity)
            .one(&app.db)
            .await
            .unwrap()
            .expect("ada exists");

        assert_eq!(ada.profile.as_ref().unwrap().display_name, expected.display_name);
        assert_eq!(ada.country.as_ref().unwrap().code, expected.country);
        assert_eq!(ada.role.as_ref().unwrap().name, expected.role);
        let mut groups: Vec<&str> = ada.groups.iter().map(|g| g.name.as_str()).collect();
        groups.sort_unstable();
        let mut expected_groups = expected.groups.to_vec();
        expected_groups.sort_unstable();
        assert_eq!(groups, expected_groups);
        assert!(!ada.posts.is_empty(), "ada wrote posts");
        assert!(ada.posts.iter().all(|p| p.author_id == ada.id));
        app.stop().await;
    }

    async fn a_category_loads_with_its_parent_and_children(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        // A middle category of the three-level tree.
        let middle = CATEGORIES
            .iter()
            .find(|c| c.parent.is_some() && CATEGORIES.iter().any(|child| child.parent == Some(c.slug)))
            .expect("the demo tree has three levels");

        let loaded = category::Entity::load()
            .filter(category::Column::Slug.eq(middle.slug))
            .with(category::Relation::Parent)
            .with(category::Relation::Children)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();

        assert_eq!(loaded.parent.as_ref().map(|p| p.slug.as_str()), middle.parent);
        let mut children: Vec<&str> = loaded.children.iter().map(|c| c.slug.as_str()).collect();
        children.sort_unstable();
        let mut expected: Vec<&str> = CATEGORIES
            .iter()
            .filter(|c| c.parent == Some(middle.slug))
            .map(|c| c.slug)
            .collect();
        expected.sort_unstable();
        assert_eq!(children, expected);
        app.stop().await;
    }

    async fn a_movie_loads_its_directors_in_credited_order(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let co_directed = MOVIES
            .iter()
            .find(|m| m.directors.len() >= 3)
            .or_else(|| MOVIES.iter().find(|m| m.directors.len() == 2))
            .expect("a co-directed movie");
        let found = movie::Entity::find()
            .filter(movie::Column::Title.eq(co_directed.title))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();

        // In credited order, through the ordered junction.
        let ordered = marquee::services::movies::directors_of(&app.db, vec![found.id]).await.unwrap();
        let names: Vec<&str> = ordered[&found.id].iter().map(|(_, name)| name.as_str()).collect();
        assert_eq!(names, co_directed.directors.to_vec());

        // And as a plain many-to-many through the loader.
        let loaded = movie::Entity::load()
            .filter(movie::Column::Id.eq(found.id))
            .with(person::Entity)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut names: Vec<&str> = loaded.directors.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        let mut expected = co_directed.directors.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
        app.stop().await;
    }

    async fn a_post_loads_with_its_tags_author_and_category(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.seed_demo().await;
        let seeded = POSTS.iter().find(|p| p.tags.len() >= 2).expect("a post with tags");
        let loaded = post::Entity::load()
            .filter(post::Column::Title.eq(seeded.title))
            .with(tag::Entity)
            .with(user::Entity)
            .with(category::Entity)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let mut tags: Vec<&str> = loaded.tags.iter().map(|t| t.name.as_str()).collect();
        tags.sort_unstable();
        let mut expected = seeded.tags.to_vec();
        expected.sort_unstable();
        assert_eq!(tags, expected);
        assert_eq!(loaded.category.as_ref().unwrap().slug, seeded.category);
        assert!(loaded.author.as_ref().is_some());
        app.stop().await;
    }
}
