//! Roles that include roles, and one account's own grants and denials: what an account holds
//! follows them on the next request; cycles, escalation through either and the loss of the
//! last role manager are refused with nothing changed; expiry needs no job.

use chrono::{Duration, Utc};
use entity::enums::Permission;
use entity::{permission_override, role_inclusion};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::role_id;
use crate::helpers::{PASSWORD, count_rows};

/// What `/movies/new` answers a member: it needs `manage_movies`.
async fn may_add_movies(member: &crate::helpers::Visitor) -> bool {
    member.get("/movies/new").await.status() == StatusCode::OK
}

backend_tests! {
    async fn a_role_holds_what_it_includes_on_the_next_request_and_a_cycle_is_refused(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let curator = app.create_role("curator", &[Permission::ManageMovies]).await;
        app.create_user("ada", "reader").await;
        let ada = app.visitor();
        ada.login_ok("ada", PASSWORD).await;
        assert!(!may_add_movies(&ada).await);

        // The reader role includes the curator role: every reader may now add movies.
        let reader = role_id(&app.db, "reader").await;
        let response = admin
            .post_confirmed(&format!("/admin/roles/{reader}/edit"), &[
                ("name", "reader"), ("is_default", "on"),
                ("permissions", "comment"), ("permissions", "review_movies"),
                ("includes", &curator.to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
        assert!(may_add_movies(&ada).await, "an included role's permission counts on the next request");
        let (_, roles) = admin.get_html("/admin/roles").await;
        assert!(roles.contains("Includes curator"), "the role list names the inclusion");

        // The curator role including the reader role would close a circle.
        let response = admin
            .post_confirmed(&format!("/admin/roles/{curator}/edit"), &[
                ("name", "curator"), ("permissions", "manage_movies"), ("includes", &reader.to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = response.text().await.unwrap();
        assert!(page.contains("in a circle: “curator” → “reader” → “curator”"), "{page}");
        let inclusions = role_inclusion::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(inclusions.len(), 1, "nothing changed: {inclusions:?}");

        // Deleting the included role takes its permissions away from the includer's members.
        let response = admin.post_confirmed(&format!("/admin/roles/{curator}/delete"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(!may_add_movies(&ada).await);
        assert_eq!(count_rows(&app.db, "role_inclusion").await, 0);
        app.stop().await;
    }

    async fn nobody_gains_through_an_inclusion_what_the_actor_lacks(test_db: TestDb) {
        let app = test_db.spawn().await;
        // The keeper manages roles and holds what readers and authors hold, not more.
        app.create_role("rolekeeper", &[
            Permission::ManageRoles, Permission::Comment, Permission::ReviewMovies, Permission::WritePosts,
        ]).await;
        app.create_user("keeper", "rolekeeper").await;
        app.create_user("boss", "admin").await;
        let keeper = app.visitor();
        keeper.login_ok("keeper", PASSWORD).await;
        let reader = role_id(&app.db, "reader").await;
        let author = role_id(&app.db, "author").await;
        let moderator = role_id(&app.db, "moderator").await;

        // Making readers include moderators would give readers what the keeper lacks.
        let response = keeper
            .post_confirmed(&format!("/admin/roles/{reader}/edit"), &[
                ("name", "reader"), ("is_default", "on"),
                ("permissions", "comment"), ("permissions", "review_movies"),
                ("includes", &moderator.to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("You cannot grant permissions you do not hold yourself"));

        // A new role that includes the moderator role, likewise.
        let roles_before = count_rows(&app.db, "role").await;
        let response = keeper
            .post_confirmed("/admin/roles/new", &[("name", "sneaky"), ("includes", &moderator.to_string())])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(count_rows(&app.db, "role").await, roles_before);

        // Including readers in authors is within the keeper's permissions.
        let response = keeper
            .post_confirmed(&format!("/admin/roles/{author}/edit"), &[
                ("name", "author"), ("permissions", "write_posts"), ("includes", &reader.to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // But once the boss makes moderators include authors, a change to readers changes
        // moderators too (they include them), whom the keeper may not touch.
        let boss = app.visitor();
        boss.login_ok("boss", PASSWORD).await;
        let response = boss
            .post_confirmed(&format!("/admin/roles/{moderator}/edit"), &[
                ("name", "moderator"), ("permissions", "moderate_comments"),
                ("permissions", "manage_categories"), ("permissions", "manage_movies"),
                ("includes", &author.to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let response = keeper
            .post_confirmed(&format!("/admin/roles/{reader}/edit"), &[
                ("name", "reader"), ("is_default", "on"), ("permissions", "comment"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("This changes the role “moderator”"));
        app.stop().await;
    }

    async fn a_grant_counts_until_it_expires_and_a_denial_beats_the_role(test_db: TestDb) {
        let app = test_db.spawn().await;
        let boss = app.create_user("boss", "admin").await;
        let ada_id = app.create_user("ada", "reader").await;
        let admin = app.visitor();
        admin.login_ok("boss", PASSWORD).await;
        let ada = app.visitor();
        ada.login_ok("ada", PASSWORD).await;

        let response = admin
            .post_confirmed(&format!("/admin/users/{ada_id}/overrides"), &[
                ("permission", "manage_movies"), ("effect", "grant"), ("reason", "Film festival week"),
                ("expires_on", &(Utc::now() + Duration::days(7)).format("%Y-%m-%d").to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
        assert!(may_add_movies(&ada).await, "the grant counts at once");
        let (_, page) = admin.get_html(&format!("/admin/users/{ada_id}")).await;
        assert!(page.contains("granted by boss until"), "the reason is shown: {page}");
        assert!(page.contains("Film festival week"));

        // Past its expiry it counts for nothing, with no job run; the record stays.
        let grant = permission_override::Entity::find()
            .filter(permission_override::Column::UserId.eq(ada_id))
            .one(&app.db).await.unwrap().unwrap();
        let mut lapsed: permission_override::ActiveModel = grant.into();
        lapsed.expires_at = Set(Some(Utc::now() - Duration::minutes(1)));
        lapsed.update(&app.db).await.unwrap();
        assert!(!may_add_movies(&ada).await, "an expired grant stops counting");
        let (_, page) = admin.get_html(&format!("/admin/users/{ada_id}")).await;
        assert!(page.contains("lapsed"), "{page}");
        let audit = entity::audit_log::Entity::find()
            .filter(entity::audit_log::Column::Action.eq("user.override"))
            .one(&app.db).await.unwrap().unwrap();
        assert!(audit.after.unwrap().contains("expires_at"), "the log tells when it lapses");

        // A denial takes away what the role gives.
        let response = admin
            .post_confirmed(&format!("/admin/users/{ada_id}/overrides"), &[
                ("permission", "comment"), ("effect", "deny"), ("reason", "Cooling off"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let held = marquee::services::accounts::effective_of(
            &app.db,
            &entity::user::Entity::find_by_id(ada_id).one(&app.db).await.unwrap().unwrap(),
        ).await.unwrap();
        assert!(!held.permissions().contains(&Permission::Comment));
        assert!(held.permissions().contains(&Permission::ReviewMovies), "the rest of the role stays");

        // Removing it gives it back.
        let response = admin.post_confirmed(&format!("/admin/users/{ada_id}/overrides/comment/remove"), &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let held = marquee::services::accounts::effective_of(
            &app.db,
            &entity::user::Entity::find_by_id(ada_id).one(&app.db).await.unwrap().unwrap(),
        ).await.unwrap();
        assert!(held.permissions().contains(&Permission::Comment));

        // Nobody overrides themselves.
        let response = admin
            .post_confirmed(&format!("/admin/users/{boss}/overrides"), &[
                ("permission", "comment"), ("effect", "deny"), ("reason", "Test"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        app.stop().await;
    }

    async fn overrides_grant_nothing_the_actor_lacks_and_keep_a_lasting_role_manager(test_db: TestDb) {
        let app = test_db.spawn().await;
        let boss = app.create_user("boss", "admin").await;
        app.create_role("rolekeeper", &[Permission::ManageRoles, Permission::Comment, Permission::ReviewMovies]).await;
        app.create_user("keeper", "rolekeeper").await;
        let ada = app.create_user("ada", "reader").await;
        let keeper = app.visitor();
        keeper.login_ok("keeper", PASSWORD).await;
        let overrides = || count_rows(&app.db, "permission_override");
        let before = overrides().await;

        // A permission the keeper lacks, to a reader.
        let response = keeper
            .post_confirmed(&format!("/admin/users/{ada}/overrides"), &[
                ("permission", "view_audit_log"), ("effect", "grant"), ("reason", "Curious"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        // Anything at all to an account that holds more than the keeper.
        let response = keeper
            .post_confirmed(&format!("/admin/users/{boss}/overrides"), &[
                ("permission", "comment"), ("effect", "deny"), ("reason", "Revenge"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert_eq!(overrides().await, before, "nothing written");

        app.stop().await;
    }

    async fn a_grant_that_will_expire_cannot_be_the_last_way_to_manage_roles(test_db: TestDb) {
        let app = test_db.spawn().await;
        // Sam is the only role manager; Ada, a reader, holds nothing Sam lacks.
        app.create_role("steward", &[Permission::ManageRoles, Permission::Comment, Permission::ReviewMovies]).await;
        let sam = app.create_user("sam", "steward").await;
        let ada = app.create_user("ada", "reader").await;
        let steward = app.visitor();
        steward.login_ok("sam", PASSWORD).await;
        let response = steward
            .post_confirmed(&format!("/admin/users/{ada}/overrides"), &[
                ("permission", "manage_roles"), ("effect", "grant"), ("reason", "Covering a week"),
                ("expires_on", &(Utc::now() + Duration::days(7)).format("%Y-%m-%d").to_string()),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);

        // Ada now holds what Sam holds, so may change Sam; but denying Sam "Manage roles"
        // would leave only her grant, which will expire.
        let reader = app.visitor();
        reader.login_ok("ada", PASSWORD).await;
        let response = reader
            .post_confirmed(&format!("/admin/users/{sam}/overrides"), &[
                ("permission", "manage_roles"), ("effect", "deny"), ("reason", "Taking over"),
            ])
            .await;
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.text().await.unwrap().contains("nobody able to manage roles"));
        assert_eq!(count_rows(&app.db, "permission_override").await, 1, "nothing written");
        app.stop().await;
    }

    async fn inclusions_and_overrides_through_the_api_follow_the_same_rules(test_db: TestDb) {
        use crate::api_client::{Api, make_token};
        use serde_json::json;
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        app.create_user("boss", "admin").await;
        app.create_role("rolekeeper", &[Permission::ManageRoles, Permission::ManageUsers, Permission::Comment, Permission::ReviewMovies]).await;
        app.create_user("keeper", "rolekeeper").await;
        let ada = app.create_user("ada", "reader").await;
        let boss = app.visitor();
        boss.login_ok("boss", PASSWORD).await;
        // A token acts within its scopes: these cover everything the calls below hand out.
        let admin = make_token(&boss, &["manage_roles", "manage_users", "manage_movies", "comment", "review_movies"]).await;
        let keeper = app.visitor();
        keeper.login_ok("keeper", PASSWORD).await;
        let narrow = make_token(&keeper, &["manage_roles", "manage_users", "comment", "review_movies"]).await;

        // A role that includes the reader role holds the reader's permissions.
        let reader = role_id(&app.db, "reader").await;
        let made = api.post("/api/v1/admin/roles", Some(&admin), json!({
            "name": "critic", "permissions": ["manage_movies"], "includes": [reader],
        })).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        assert_eq!(made.body["includes"], json!([reader]));
        let effective: std::collections::BTreeSet<&str> = made.body["effective_permissions"]
            .as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(effective, ["comment", "manage_movies", "review_movies"].into_iter().collect());

        // A week-long grant, then what Ada holds and why.
        let until = (Utc::now() + Duration::days(7)).to_rfc3339();
        let granted = api.put(&format!("/api/v1/admin/users/{ada}/overrides/manage_movies"), Some(&admin), json!({
            "effect": "grant", "reason": "Festival week", "expires_at": until,
        })).await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
        assert_eq!(granted.body["granted_by"], "boss");
        let held = api.get(&format!("/api/v1/admin/users/{ada}/permissions"), Some(&admin)).await;
        assert_eq!(held.status, StatusCode::OK);
        let movies = held.body["permissions"].as_array().unwrap().iter()
            .find(|p| p["permission"] == "manage_movies").unwrap().clone();
        assert_eq!(movies["granted"]["reason"], "Festival week");
        let comment = held.body["permissions"].as_array().unwrap().iter()
            .find(|p| p["permission"] == "comment").unwrap().clone();
        assert_eq!(comment["through_roles"], json!([["reader"]]));

        // The keeper lacks manage_movies: Ada, who now holds it, is beyond the keeper's reach,
        // and so is granting it.
        let refused = api.put(&format!("/api/v1/admin/users/{ada}/overrides/comment"), Some(&narrow), json!({
            "effect": "deny", "reason": "Quiet",
        })).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
        let refused = api.post("/api/v1/admin/roles", Some(&narrow), json!({
            "name": "sneaky", "includes": [role_id(&app.db, "critic").await],
        })).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);

        // A circle through the API is a 422 on `includes`.
        let critic = role_id(&app.db, "critic").await;
        let circle = api.put(&format!("/api/v1/admin/roles/{reader}"), Some(&admin), json!({
            "name": "reader", "is_default": true, "permissions": ["comment", "review_movies"], "includes": [critic],
        })).await;
        assert_eq!(circle.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", circle.body);
        assert_eq!(circle.body["errors"][0]["field"], "includes");

        // Removing the grant: 204, then 404 for the second time.
        let removed = api.delete(&format!("/api/v1/admin/users/{ada}/overrides/manage_movies"), Some(&admin)).await;
        assert_eq!(removed.status, StatusCode::NO_CONTENT);
        let again = api.delete(&format!("/api/v1/admin/users/{ada}/overrides/manage_movies"), Some(&admin)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        app.stop().await;
    }
}
