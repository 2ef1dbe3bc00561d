//! The admin area: permissions on every route, roles with guard rails, users, audit log,
//! groups, sessions ending on role changes.

use entity::enums::Permission;
use entity::{audit_log, role, role_permission, user};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{Doc, PASSWORD, location};

const ADMIN_GETS: &[&str] = &[
    "/admin",
    "/admin/roles",
    "/admin/roles/new",
    "/admin/roles/1/edit",
    "/admin/roles/1/delete",
    "/admin/users",
    "/admin/users/1",
    "/admin/audit",
];

const ADMIN_POSTS: &[&str] = &[
    "/admin/roles/new",
    "/admin/roles/1/edit",
    "/admin/roles/2/delete",
    "/admin/users/1",
];

async fn role_id(db: &sea_orm::DatabaseConnection, name: &str) -> i32 {
    role::Entity::find_by_name(name)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn permissions_of(db: &sea_orm::DatabaseConnection, role: i32) -> Vec<Permission> {
    let mut found: Vec<Permission> = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.eq(role))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|rp| rp.permission)
        .collect();
    found.sort();
    found
}

backend_tests! {
    async fn people_without_the_permission_get_403_on_every_admin_route(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("grace", "reader").await;
        app.create_user("boss", "admin").await;
        let roles_before = crate::helpers::count_rows(&app.db, "role").await;

        let anonymous = app.visitor();
        for path in ADMIN_GETS {
            let response = anonymous.get(path).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
            assert!(location(&response).starts_with("/login?next="), "{path}");
        }

        let reader = app.visitor();
        reader.login_ok("grace", PASSWORD).await;
        for path in ADMIN_GETS {
            assert_eq!(reader.get(path).await.status(), StatusCode::FORBIDDEN, "GET {path}");
        }
        for path in ADMIN_POSTS {
            let response = reader
                .post(path, &[("name", "sneaky"), ("permissions", "manage_roles"), ("role_id", "4"), ("is_active", "on")])
                .await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
        for path in ["/groups", "/groups/1/edit", "/groups/1/delete"] {
            assert_eq!(reader.post(path, &[("name", "x")]).await.status(), StatusCode::FORBIDDEN, "POST {path}");
        }
        let (status, html) = reader.get_html("/").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(Doc::parse(&html).count("a[href='/admin']"), 0, "no admin link for readers");
        assert_eq!(crate::helpers::count_rows(&app.db, "role").await, roles_before);
        let me = user::Entity::find_by_username("grace").one(&app.db).await.unwrap().unwrap();
        assert_eq!(me.role_id, role_id(&app.db, "reader").await, "no escalation");

        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        for path in ADMIN_GETS {
            assert_eq!(admin.get(path).await.status(), StatusCode::OK, "admin GET {path}");
        }
        app.stop().await;
    }

    async fn an_admin_creates_a_role_through_the_form_and_assigns_it(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let grace = app.create_user("grace", "reader").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let member = app.visitor();
        member.login_ok("grace", PASSWORD).await;
        assert_eq!(member.get("/admin/users").await.status(), StatusCode::FORBIDDEN);

        // Invalid first: the form comes back with the input kept.
        let bad = admin
            .post_confirmed("/admin/roles/new", &[("name", ""), ("description", "Keeps the roster"), ("permissions", "manage_users")])
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        let doc = Doc::parse(&html);
        assert_eq!(doc.text("#name-error"), "Give the role a name.");
        assert_eq!(doc.attrs("#description", "value"), ["Keeps the roster"]);
        assert_eq!(doc.attrs("input[name=permissions][checked]", "value"), ["manage_users"]);

        let response = admin
            .post_confirmed("/admin/roles/new", &[
                ("name", "Curator"),
                ("description", "Keeps the roster"),
                ("permissions", "manage_users"),
                ("permissions", "comment"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let curator = role_id(&app.db, "curator").await;
        assert_eq!(permissions_of(&app.db, curator).await, vec![Permission::Comment, Permission::ManageUsers]);
        let (_, roles_page) = admin.get_html("/admin/roles").await;
        assert!(roles_page.contains("curator") && roles_page.contains("Manage users"));

        let response = admin
            .post_confirmed(&format!("/admin/users/{grace}"), &[("role_id", &curator.to_string()), ("is_active", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // The role change ended grace's session; after logging in again she has the capability.
        assert_eq!(member.nav_username().await, None);
        member.login_ok("grace", PASSWORD).await;
        assert_eq!(member.get("/admin/users").await.status(), StatusCode::OK);
        assert_eq!(member.get("/admin/roles").await.status(), StatusCode::FORBIDDEN);

        let entries: Vec<_> = audit_log::Entity::find()
            .filter(audit_log::Column::Action.not_like("auth.%"))
            .order_by_asc(audit_log::Column::Id)
            .all(&app.db)
            .await
            .unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["role.create", "user.update"]);
        let boss = user::Entity::find_by_username("boss").one(&app.db).await.unwrap().unwrap();
        assert!(entries.iter().all(|e| e.actor_id == Some(boss.id) && e.ip.is_some()));
        assert!(entries[1].before.as_deref().unwrap().contains("\"role_id\""));
        assert!(entries[1].after.as_deref().unwrap().contains("curator"));
        app.stop().await;
    }

    async fn nobody_can_grant_a_permission_they_do_not_hold(test_db: TestDb) {
        let app = test_db.spawn().await;
        // The keeper holds everything a reader has, so readers are theirs to manage.
        app.create_role("rolekeeper", &[Permission::ManageRoles, Permission::ManageUsers, Permission::Comment, Permission::ReviewMovies]).await;
        app.create_user("keeper", "rolekeeper").await;
        let grace = app.create_user("grace", "reader").await;
        let keeper = app.visitor();
        keeper.login_ok("keeper", PASSWORD).await;
        let roles_before = crate::helpers::count_rows(&app.db, "role").await;

        let response = keeper
            .post_confirmed("/admin/roles/new", &[("name", "sneaky"), ("permissions", "view_audit_log")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("You cannot grant permissions you do not hold yourself"));
        assert_eq!(crate::helpers::count_rows(&app.db, "role").await, roles_before);

        // Nor by editing an existing role...
        let reader = role_id(&app.db, "reader").await;
        let response = keeper
            .post_confirmed(&format!("/admin/roles/{reader}/edit"), &[
                ("name", "reader"), ("is_default", "on"),
                ("permissions", "comment"), ("permissions", "review_movies"), ("permissions", "manage_groups"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(!permissions_of(&app.db, reader).await.contains(&Permission::ManageGroups));

        // ...nor by handing someone a more powerful role.
        let admin_role = role_id(&app.db, "admin").await;
        let response = keeper
            .post_confirmed(&format!("/admin/users/{grace}"), &[("role_id", &admin_role.to_string()), ("is_active", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("it has permissions you do not hold"));
        let stored = user::Entity::find_by_id(grace).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.role_id, reader);
        app.stop().await;
    }

    async fn the_last_person_able_to_manage_roles_cannot_be_removed(test_db: TestDb) {
        let app = test_db.spawn().await;
        let boss = app.create_user("boss", "admin").await;
        app.create_role("usherette", &[Permission::ManageUsers, Permission::Comment, Permission::ReviewMovies]).await;
        app.create_user("usher", "usherette").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let usher = app.visitor();
        usher.login_ok("usher", PASSWORD).await;

        // Another user manager may not deactivate the only role manager.
        let admin_role = role_id(&app.db, "admin").await;
        let response = usher
            .post_confirmed(&format!("/admin/users/{boss}"), &[("role_id", &admin_role.to_string())])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("their role has permissions you do not hold"));

        // Admins cannot lock themselves out.
        let reader = role_id(&app.db, "reader").await;
        let response = admin
            .post_confirmed(&format!("/admin/users/{boss}"), &[("role_id", &reader.to_string()), ("is_active", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("cannot change your own role"));
        let response = admin
            .post_confirmed(&format!("/admin/roles/{admin_role}/edit"), &[("name", "admin"), ("permissions", "manage_users")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("lock you out"));
        let response = admin.post_confirmed(&format!("/admin/roles/{admin_role}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT);

        let stored = user::Entity::find_by_id(boss).one(&app.db).await.unwrap().unwrap();
        assert!(stored.is_active);
        assert_eq!(stored.role_id, admin_role);
        assert!(permissions_of(&app.db, admin_role).await.contains(&Permission::ManageRoles));
        assert_eq!(admin.nav_username().await.as_deref(), Some("boss"));
        app.stop().await;
    }

    async fn deleting_a_role_moves_its_users_to_the_default_role_after_confirmation(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let temp = app.create_role("temp", &[Permission::Comment]).await;
        let a = app.create_user("tempa", "temp").await;
        app.create_user("tempb", "temp").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let member = app.visitor();
        member.login_ok("tempa", PASSWORD).await;

        // The page is the preview: who moves, and what they lose (nothing changes on GET).
        let (status, html) = admin.get_html(&format!("/admin/roles/{temp}/delete")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("2 user(s)</strong> will move to the default role, “reader”"), "{html}");
        assert!(html.contains(">tempa</a>") && html.contains(">tempb</a>"), "{html}");
        assert!(role::Entity::find_by_id(temp).one(&app.db).await.unwrap().is_some());

        let response = admin.post_confirmed(&format!("/admin/roles/{temp}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        // Each moved account went the way of any role change: an audit entry, sessions ended.
        let entries = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::Action.eq("user.update"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(entries.len(), 2, "{entries:?}");
        assert!(entries.iter().all(|e| e.after.as_deref().unwrap_or("").contains("role “temp” deleted")), "{entries:?}");
        assert!(entries.iter().any(|e| e.subject_id.as_deref() == Some(a.to_string().as_str())));
        assert_eq!(member.nav_username().await, None, "the moved member's session ended");
        assert!(role::Entity::find_by_id(temp).one(&app.db).await.unwrap().is_none());
        let moved = user::Entity::find_by_id(a).one(&app.db).await.unwrap().unwrap();
        assert_eq!(moved.role_id, role_id(&app.db, "reader").await);
        let (_, roles) = admin.get_html("/admin/roles").await;
        assert!(roles.contains("2 user(s) moved to the default role"));

        let reader = role_id(&app.db, "reader").await;
        let response = admin.post_confirmed(&format!("/admin/roles/{reader}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::CONFLICT, "the default role stays");
        app.stop().await;
    }

    async fn there_is_always_exactly_one_default_role(test_db: TestDb) {
        let app = test_db.spawn().await;
        let admin = app.signed_in("boss", "admin").await;

        let response = admin
            .post_confirmed("/admin/roles/new", &[("name", "newcomer"), ("is_default", "on"), ("permissions", "comment")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let defaults: Vec<String> = role::Entity::find()
            .filter(role::Column::IsDefault.eq(true))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(defaults, ["newcomer"]);

        let newcomer = role_id(&app.db, "newcomer").await;
        let response = admin
            .post_confirmed(&format!("/admin/roles/{newcomer}/edit"), &[("name", "newcomer"), ("permissions", "comment")])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("There must always be a default role"));

        let visitor = app.visitor();
        visitor
            .post("/register", &[("username", "fresh"), ("email", "fresh@example.test"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
            .await;
        let fresh = user::Entity::find_by_username("fresh").one(&app.db).await.unwrap().unwrap();
        assert_eq!(fresh.role_id, newcomer, "new accounts get the default role");
        app.stop().await;
    }

    async fn the_user_list_searches_filters_sorts_and_paginates(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        for i in 0..30 {
            app.create_user(&format!("member{i:02}"), if i % 3 == 0 { "author" } else { "reader" }).await;
        }
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;

        let listed = |html: &str| Doc::parse(html).texts("tbody tr td:first-child a");
        let (_, first) = admin.get_html("/admin/users?sort=username").await;
        assert!(first.contains("31 user(s)"));
        let names = listed(&first);
        assert_eq!(names.len(), 25, "25 a page");
        assert_eq!(names[..2], ["boss", "member00"]);
        let (_, second) = admin.get_html("/admin/users?sort=username&page=2").await;
        assert_eq!(listed(&second), ["member24", "member25", "member26", "member27", "member28", "member29"]);

        let (_, search) = admin.get_html("/admin/users?q=MEMBER1").await;
        assert!(search.contains("10 user(s)"), "case-insensitive search");
        let author = role_id(&app.db, "author").await;
        let (_, by_role) = admin.get_html(&format!("/admin/users?role={author}&q=member")).await;
        assert!(by_role.contains("10 user(s)"));
        assert!(by_role.contains(&format!("role={author}")), "pagination and sort links keep the filter");

        let (_, desc) = admin.get_html("/admin/users?sort=username&dir=desc").await;
        assert_eq!(listed(&desc)[..2], ["member29", "member28"]);

        let target = user::Entity::find_by_username("member05").one(&app.db).await.unwrap().unwrap();
        let reader = role_id(&app.db, "reader").await;
        admin.post_confirmed(&format!("/admin/users/{}", target.id), &[("role_id", &reader.to_string())]).await;
        let (_, inactive) = admin.get_html("/admin/users?active=no").await;
        assert!(inactive.contains("1 user(s)"));
        assert_eq!(listed(&inactive), ["member05"]);
        app.stop().await;
    }

    async fn the_audit_log_lists_changes_with_filters_for_those_allowed(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        app.create_user("grace", "reader").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        admin.post_confirmed("/admin/roles/new", &[("name", "one"), ("permissions", "comment")]).await;
        admin.create_group("Cinephiles", "Films").await;

        let (status, all) = admin.get_html("/admin/audit").await;
        assert_eq!(status, StatusCode::OK);
        assert!(all.contains("3 entries"), "the sign-in, then two changes");
        assert!(all.contains("auth.login") && all.contains("role.create") && all.contains("group.create"));
        let (_, groups_only) = admin.get_html("/admin/audit?subject=group").await;
        assert!(groups_only.contains("1 entry") && groups_only.contains("Cinephiles"));
        let (_, by_grace) = admin.get_html("/admin/audit?actor=grace").await;
        assert!(by_grace.contains("0 entries"));

        let reader = app.visitor();
        reader.login_ok("grace", PASSWORD).await;
        assert_eq!(reader.get("/admin/audit").await.status(), StatusCode::FORBIDDEN);
        app.stop().await;
    }

    async fn groups_are_managed_by_admins_and_joined_by_members(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        for i in 0..22 {
            app.create_user(&format!("fan{i:02}"), "reader").await;
        }
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;

        let bad = admin.create_group("  ", "kept text").await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().await.unwrap().contains("kept text"));
        let created = admin.create_group("Noir", "Shadows").await;
        assert_eq!(created.status(), StatusCode::SEE_OTHER);
        let path = location(&created);
        let dup = admin.create_group("Noir", "").await;
        assert_eq!(dup.status(), StatusCode::CONFLICT, "a taken name is a conflict");
        assert!(dup.text().await.unwrap().contains("A group with this name exists already."));

        for i in 0..22 {
            let fan = app.visitor();
            fan.login_ok(&format!("fan{i:02}"), PASSWORD).await;
            assert_eq!(fan.post(&format!("{path}/join"), &[]).await.status(), StatusCode::SEE_OTHER);
            if i == 0 {
                // Joining twice is harmless; leaving works.
                fan.post(&format!("{path}/join"), &[]).await;
                fan.post(&format!("{path}/leave"), &[]).await;
                let (_, page) = fan.get_html(&path).await;
                assert!(page.contains("Join group"));
            }
        }
        let members = |html: &str| Doc::parse(html).texts(".member-list li a");
        let (_, first) = app.visitor().get_html(&path).await;
        assert!(first.contains("(21)"), "21 members");
        let shown = members(&first);
        assert_eq!(shown.len(), 20, "20 a page");
        assert!(shown.contains(&"fan01".to_owned()) && !shown.contains(&"fan21".to_owned()));
        let (_, second) = app.visitor().get_html(&format!("{path}?page=2")).await;
        assert_eq!(members(&second), ["fan21"]);

        let renamed = admin.post(&format!("{path}/edit"), &[("name", "Film noir"), ("description", "Shadows")]).await;
        assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
        let (_, list) = app.visitor().get_html("/groups").await;
        assert!(list.contains("Film noir") && list.contains("21 members"));
        let (_, confirm) = admin.get_html(&format!("{path}/delete")).await;
        assert!(confirm.contains("21 member(s)"));
        assert_eq!(admin.post(&format!("{path}/delete"), &[]).await.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.visitor().get(&path).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(crate::helpers::count_rows(&app.db, "user_group").await, 0);
        let actions: Vec<String> = audit_log::Entity::find()
            .filter(audit_log::Column::Action.not_like("auth.%"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["group.create", "group.update", "group.delete"]);
        app.stop().await;
    }

    async fn deactivating_a_user_ends_their_sessions_and_blocks_login(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let grace = app.create_user("grace", "reader").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let member = app.visitor();
        member.login_ok("grace", PASSWORD).await;
        let reader = role_id(&app.db, "reader").await;

        let response = admin.post_confirmed(&format!("/admin/users/{grace}"), &[("role_id", &reader.to_string())]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        assert_eq!(member.nav_username().await, None);
        let response = member.login("grace", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.text().await.unwrap().contains("deactivated"));
        app.stop().await;
    }
}

/// `marquee user create` and `marquee user set-role`, through the real binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_command_creates_accounts_and_sets_roles() {
    let test_db = crate::helpers::TestDb::create(crate::helpers::Backend::Sqlite).await;
    let app = test_db.spawn().await;
    let run = |args: &[&str], password: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"));
        command
            .args(args)
            .env("DATABASE_URL", &test_db.url)
            .env("MARQUEE_LOG", "error");
        match password {
            Some(p) => command.env("MARQUEE_USER_PASSWORD", p),
            None => command.env_remove("MARQUEE_USER_PASSWORD"),
        };
        command.stdin(std::process::Stdio::null()).output().unwrap()
    };

    let out = run(
        &[
            "user",
            "create",
            "--username",
            "Root2",
            "--email",
            "root2@example.test",
            "--role",
            "admin",
        ],
        Some(PASSWORD),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created = user::Entity::find_by_username("root2")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created.role_id, role_id(&app.db, "admin").await);
    assert!(
        created.email_verified_at.is_some(),
        "an operator vouches for the address"
    );
    assert!(marquee::services::accounts::password::verify_blocking(
        PASSWORD,
        &created.password_hash
    ));

    let weak = run(
        &[
            "user",
            "create",
            "--username",
            "weak",
            "--email",
            "weak@example.test",
        ],
        Some("short"),
    );
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 10"));

    app.create_user("grace", "reader").await;
    let out = run(&["user", "set-role", "grace", "moderator"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let grace = user::Entity::find_by_username("grace")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(grace.role_id, role_id(&app.db, "moderator").await);

    // The only admin cannot be demoted, even from the command line.
    let out = run(&["user", "set-role", "root2", "reader"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody able to manage roles"));

    // `set-password`: a new password, and every session of the account ends.
    let session = app.visitor();
    session.login_ok("grace", PASSWORD).await;
    let new_password = "set from the command line";
    let out = run(&["user", "set-password", "grace"], Some(new_password));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(session.nav_username().await, None);
    app.visitor().login_ok("grace", new_password).await;
    let out = run(&["user", "set-password", "nobody"], Some(new_password));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user is called nobody"));
    let out = run(&["user", "set-password", "grace"], Some("short"));
    assert!(!out.status.success());
    app.stop().await;
    test_db.drop_database().await;
}

// Roles that include roles, and one account's own grants and denials.
mod bulk;
mod history;
mod model;
mod permissions;
mod preview;
