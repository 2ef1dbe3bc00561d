//! The subset rule of role management, attempted on every path: an actor may only create,
//! change, delete or assign a role whose permissions are a subset of their own, and may only
//! change or deactivate an account whose role's permissions are a subset of their own. Each
//! test tries the escalation, checks the refusal, and checks that nothing changed. The races
//! fire two requests at the same moment.

use entity::enums::Permission;
use entity::{audit_log, role, role_permission, user};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{PASSWORD, TestApp, Visitor, location};

async fn role_id(app: &TestApp, name: &str) -> i32 {
    role::Entity::find_by_name(name)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn permissions_of(app: &TestApp, role: i32) -> Vec<Permission> {
    let mut found: Vec<Permission> = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.eq(role))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|rp| rp.permission)
        .collect();
    found.sort();
    found
}

async fn default_roles(app: &TestApp) -> Vec<String> {
    role::Entity::find()
        .filter(role::Column::IsDefault.eq(true))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

async fn account(app: &TestApp, name: &str) -> user::Model {
    user::Entity::find_by_username(name)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
}

async fn audit_entries(app: &TestApp) -> u64 {
    audit_log::Entity::find().count(&app.db).await.unwrap()
}

/// A signed-in account whose role holds only `manage_roles` (and `comment`).
async fn role_keeper(app: &TestApp) -> Visitor {
    app.create_role("keepers", &[Permission::ManageRoles, Permission::Comment])
        .await;
    let keeper = app.signed_in("keeper", "keepers").await;
    keeper.visitor
}

/// The form fields that save `role` with exactly its current name and permissions.
async fn same_role_fields(app: &TestApp, id: i32) -> Vec<(&'static str, String)> {
    let role = role::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut fields = vec![("name", role.name)];
    for p in permissions_of(app, id).await {
        fields.push(("permissions", p.as_str().to_owned()));
    }
    fields
}

/// The digest of the preview `fields` get at `path` (the form's first submission).
async fn preview_of(
    visitor: &crate::helpers::Visitor,
    path: &str,
    fields: &[(&str, &str)],
) -> String {
    let response = visitor.post(path, fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    crate::helpers::preview_digest(&response.text().await.unwrap()).expect("a preview")
}

fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

backend_tests! {
    async fn a_role_manager_cannot_make_a_more_powerful_role_the_default(test_db: TestDb) {
        let app = test_db.spawn().await;
        let keeper = role_keeper(&app).await;
        let admin = role_id(&app, "admin").await;
        let before = permissions_of(&app, admin).await;
        let audits = audit_entries(&app).await;

        let mut fields = same_role_fields(&app, admin).await;
        fields.push(("is_default", "on".into()));
        let response = keeper.post_confirmed(&format!("/admin/roles/{admin}/edit"), &borrowed(&fields)).await;

        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("it has permissions you do not hold"));
        assert_eq!(default_roles(&app).await, ["reader"]);
        assert_eq!(permissions_of(&app, admin).await, before);
        assert_eq!(audit_entries(&app).await, audits);
        app.stop().await;
    }

    async fn a_role_manager_cannot_create_a_default_role_beyond_their_own(test_db: TestDb) {
        let app = test_db.spawn().await;
        let keeper = role_keeper(&app).await;
        let roles = crate::helpers::count_rows(&app.db, "role").await;

        let response = keeper
            .post_confirmed("/admin/roles/new", &[("name", "sneaky"), ("is_default", "on"), ("permissions", "manage_users")])
            .await;

        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(crate::helpers::count_rows(&app.db, "role").await, roles);
        assert_eq!(default_roles(&app).await, ["reader"]);
        app.stop().await;
    }

    async fn a_role_manager_cannot_remove_permissions_from_a_role_above_their_own(test_db: TestDb) {
        let app = test_db.spawn().await;
        let keeper = role_keeper(&app).await;
        let admin = role_id(&app, "admin").await;
        let before = permissions_of(&app, admin).await;

        // Only the permissions the keeper holds are left ticked: nothing is added.
        let response = keeper
            .post_confirmed(&format!("/admin/roles/{admin}/edit"), &[("name", "admin"), ("permissions", "manage_roles")])
            .await;

        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("You cannot change the role"));
        assert_eq!(permissions_of(&app, admin).await, before);
        // Renaming it is a change too.
        let mut fields = same_role_fields(&app, admin).await;
        fields[0].1 = "overlords".into();
        let response = keeper.post_confirmed(&format!("/admin/roles/{admin}/edit"), &borrowed(&fields)).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(role::Entity::find_by_name("admin").one(&app.db).await.unwrap().is_some());
        app.stop().await;
    }

    async fn a_role_manager_cannot_delete_a_role_above_their_own(test_db: TestDb) {
        let app = test_db.spawn().await;
        let keeper = role_keeper(&app).await;
        let moderator = role_id(&app, "moderator").await;

        let response = keeper.post_confirmed(&format!("/admin/roles/{moderator}/delete"), &[]).await;

        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(role::Entity::find_by_id(moderator).one(&app.db).await.unwrap().is_some());
        app.stop().await;
    }

    async fn deleting_a_role_cannot_move_its_users_into_a_default_role_above_the_actor(test_db: TestDb) {
        let app = test_db.spawn().await;
        let keeper = role_keeper(&app).await;
        let small = app.create_role("small", &[Permission::Comment]).await;
        let member = app.create_user("member", "small").await;
        // An administrator made a role with more power than the keeper's the default.
        let big = app.create_role("big", &[Permission::Comment, Permission::ManageUsers]).await;
        for (id, is_default) in [(role_id(&app, "reader").await, false), (big, true)] {
            role::Entity::update_many()
                .col_expr(role::Column::IsDefault, sea_orm::sea_query::Expr::value(is_default))
                .filter(role::Column::Id.eq(id))
                .exec(&app.db)
                .await
                .unwrap();
        }

        let response = keeper.post_confirmed(&format!("/admin/roles/{small}/delete"), &[]).await;

        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(role::Entity::find_by_id(small).one(&app.db).await.unwrap().is_some());
        let stored = user::Entity::find_by_id(member).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.role_id, small);
        app.stop().await;
    }

    async fn a_user_manager_cannot_demote_or_deactivate_an_administrator(test_db: TestDb) {
        let app = test_db.spawn().await;
        let boss = app.create_user("boss", "admin").await;
        app.create_user("second", "admin").await;
        app.create_role("ushers", &[Permission::ManageUsers, Permission::Comment]).await;
        let usher = app.signed_in("usher", "ushers").await;
        let admin = role_id(&app, "admin").await;
        let reader = role_id(&app, "reader").await;
        let audits = audit_entries(&app).await;

        let demote = usher
            .post_confirmed(&format!("/admin/users/{boss}"), &[("role_id", &reader.to_string()), ("is_active", "on")])
            .await;
        assert_eq!(demote.status(), StatusCode::CONFLICT);
        assert!(demote.text().await.unwrap().contains("their role has permissions you do not hold"));
        let deactivate = usher.post_confirmed(&format!("/admin/users/{boss}"), &[("role_id", &admin.to_string())]).await;
        assert_eq!(deactivate.status(), StatusCode::CONFLICT);

        let stored = account(&app, "boss").await;
        assert_eq!((stored.role_id, stored.is_active, stored.session_version), (admin, true, 0));
        assert_eq!(audit_entries(&app).await, audits);
        app.stop().await;
    }

    async fn a_user_manager_still_manages_accounts_below_their_own(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        app.create_role("ushers", &[Permission::ManageUsers, Permission::Comment, Permission::ReviewMovies]).await;
        app.create_user("usher", "ushers").await;
        let grace = app.create_user("grace", "reader").await;
        let usher = app.visitor();
        usher.login_ok("usher", PASSWORD).await;
        let reader = role_id(&app, "reader").await;

        let response = usher.post_confirmed(&format!("/admin/users/{grace}"), &[("role_id", &reader.to_string())]).await;

        assert_eq!(response.status(), StatusCode::SEE_OTHER, "the rule refuses escalation, not ordinary work");
        assert!(!account(&app, "grace").await.is_active);
        app.stop().await;
    }

    async fn a_demoted_actor_is_judged_by_their_permissions_now_not_at_sign_in(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let keeper = role_keeper(&app).await;
        let keeper_role = role_id(&app, "keepers").await;
        // The keeper's role loses manage_roles behind their back (their session version is
        // not bumped here, so only the service's own check can stop them).
        role_permission::Entity::delete_many()
            .filter(role_permission::Column::RoleId.eq(keeper_role))
            .filter(role_permission::Column::Permission.eq(Permission::ManageRoles))
            .exec(&app.db)
            .await
            .unwrap();
        let roles = crate::helpers::count_rows(&app.db, "role").await;

        let response = keeper.post_confirmed("/admin/roles/new", &[("name", "late"), ("permissions", "comment")]).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(crate::helpers::count_rows(&app.db, "role").await, roles);
        app.stop().await;
    }

    async fn two_administrators_demoting_each_other_at_once_leave_one_able_to_manage_roles(test_db: TestDb) {
        let app = test_db.spawn().await;
        let ann = app.create_user("ann", "admin").await;
        let bob = app.create_user("bob", "admin").await;
        let reader = role_id(&app, "reader").await.to_string();
        let (a, b) = (app.visitor(), app.visitor());
        a.login_ok("ann", PASSWORD).await;
        b.login_ok("bob", PASSWORD).await;
        let (ta, tb) = (a.csrf().await, b.csrf().await);

        let (pa, pb) = (format!("/admin/users/{bob}"), format!("/admin/users/{ann}"));
        // Each previews the demotion, then both confirm at the same moment.
        let change = [("role_id", reader.as_str()), ("is_active", "on")];
        let (da, db) = (preview_of(&a, &pa, &change).await, preview_of(&b, &pb, &change).await);
        let fa = [("role_id", reader.as_str()), ("is_active", "on"), ("confirm", da.as_str()), ("csrf_token", ta.as_str())];
        let fb = [("role_id", reader.as_str()), ("is_active", "on"), ("confirm", db.as_str()), ("csrf_token", tb.as_str())];
        let (ra, rb) = tokio::join!(a.post_raw(&pa, &fa), b.post_raw(&pb, &fb));

        for response in [&ra, &rb] {
            assert!(response.status().as_u16() < 500, "{}", response.status());
        }
        let admin = role_id(&app, "admin").await;
        let still_admin = [account(&app, "ann").await, account(&app, "bob").await]
            .iter()
            .filter(|u| u.role_id == admin)
            .count();
        assert_eq!(still_admin, 1, "exactly one demotion went through");
        let succeeded = [&ra, &rb].iter().filter(|r| location(r) == "/admin/users").count();
        assert_eq!(succeeded, 1);
        app.stop().await;
    }

    async fn two_concurrent_make_default_saves_leave_exactly_one_default_role(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("ann", "admin").await;
        app.create_user("bob", "admin").await;
        let author = role_id(&app, "author").await;
        let moderator = role_id(&app, "moderator").await;
        let (a, b) = (app.visitor(), app.visitor());
        a.login_ok("ann", PASSWORD).await;
        b.login_ok("bob", PASSWORD).await;
        let mut fa = same_role_fields(&app, author).await;
        fa.push(("is_default", "on".to_owned()));
        let mut fb = same_role_fields(&app, moderator).await;
        fb.push(("is_default", "on".to_owned()));
        let (ta, tb) = (a.csrf().await, b.csrf().await);

        let (pa, pb) = (format!("/admin/roles/{author}/edit"), format!("/admin/roles/{moderator}/edit"));
        let (fa, fb) = (borrowed(&fa), borrowed(&fb));
        for _ in 0..3 {
            // Both preview, then confirm at the same moment. The second to commit may find
            // that the first changed what it previewed (the default flag): it then saves
            // nothing (409), which keeps one default role as surely as saving does.
            let (da, db) = (preview_of(&a, &pa, &fa).await, preview_of(&b, &pb, &fb).await);
            let mut ca = fa.clone();
            ca.extend([("confirm", da.as_str()), ("csrf_token", ta.as_str())]);
            let mut cb = fb.clone();
            cb.extend([("confirm", db.as_str()), ("csrf_token", tb.as_str())]);
            let (ra, rb) = tokio::join!(a.post_raw(&pa, &ca), b.post_raw(&pb, &cb));
            let statuses = [ra.status().as_u16(), rb.status().as_u16()];
            assert!(statuses.contains(&303) && statuses.iter().all(|s| [303, 409].contains(s)), "{statuses:?}");
            let defaults = default_roles(&app).await;
            assert_eq!(defaults.len(), 1, "{defaults:?}");
            assert!(defaults[0] == "author" || defaults[0] == "moderator");
        }
        app.stop().await;
    }

    async fn changes_to_shared_content_by_others_are_audited(test_db: TestDb) {
        let app = test_db.spawn().await;
        let writer = app.create_user("writer", "author").await;
        app.create_user("mod", "moderator").await;
        let post = app.create_post(writer, "Draft by writer", false, None, &[]).await;
        let (author, moderator) = (app.visitor(), app.visitor());
        author.login_ok("writer", PASSWORD).await;
        moderator.login_ok("mod", PASSWORD).await;
        let edit = format!("/posts/{}/edit", post.slug);
        let audits = |action: &'static str| {
            let db = app.db.clone();
            async move {
                audit_log::Entity::find()
                    .filter(audit_log::Column::Action.eq(action))
                    .count(&db)
                    .await
                    .unwrap()
            }
        };

        // The author's own edit is kept too (the post's history), as theirs.
        author.post(&edit, &[("title", "Draft by writer, edited"), ("body", "b"), ("status", "draft")]).await;
        assert_eq!(audits("post.update").await, 1);
        let own = audit_log::Entity::find().filter(audit_log::Column::Action.eq("post.update")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(own.actor_id, Some(writer));
        // A moderator's edit, publication and deletion of someone else's post are audited.
        moderator.post(&edit, &[("title", "Tidied"), ("body", "b"), ("status", "draft")]).await;
        moderator.post(&edit, &[("title", "Tidied"), ("body", "b"), ("status", "published")]).await;
        moderator.post(&format!("/posts/{}/delete", post.slug), &[]).await;
        assert_eq!((audits("post.update").await, audits("post.publish").await, audits("post.delete").await), (2, 1, 1));

        // Every catalogue change is audited.
        let response = moderator
            .post("/movies/new", &[("title", "Heat"), ("year", "1995"), ("mpa", "R"), ("synopsis", "s"), ("directors", "Michael Mann"), ("theatre", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let id = crate::helpers::location(&response).rsplit('/').next().unwrap().to_owned();
        moderator
            .post(&format!("/movies/{id}/edit"), &[("title", "Heat (1995)"), ("year", "1995"), ("mpa", "R"), ("synopsis", "s"), ("directors", "Michael Mann")])
            .await;
        moderator.post(&format!("/movies/{id}/delete"), &[]).await;
        assert_eq!((audits("movie.create").await, audits("movie.update").await, audits("movie.delete").await), (1, 1, 1));
        app.stop().await;
    }
}
