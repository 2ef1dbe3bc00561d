//! One action on many accounts: previewed with who changes and who is left alone and why;
//! each account under the rules it meets alone; one audit entry per account changed; "every
//! account matching this filter"; and a statement count that does not grow with the selection.

use std::sync::atomic::Ordering;

use entity::enums::Permission;
use entity::{audit_log, user};
use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::role_id;
use crate::helpers::{PASSWORD, location};

async fn active(db: &sea_orm::DatabaseConnection, id: i32) -> bool {
    user::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .is_active
}

async fn audited(db: &sea_orm::DatabaseConnection, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(db)
        .await
        .unwrap()
}

backend_tests! {
    async fn a_bulk_change_leaves_protected_accounts_alone_and_audits_each_account_it_changes(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        app.create_role("ushers", &[Permission::ManageUsers, Permission::Comment, Permission::ReviewMovies]).await;
        let me = app.create_user("usher", "ushers").await;
        let ann = app.create_user("ann", "reader").await;
        let bob = app.create_user("bob", "reader").await;
        let mo = app.create_user("moira", "moderator").await;
        let usher = app.visitor();
        usher.login_ok("usher", PASSWORD).await;
        let ids = [ann, bob, mo, me].map(|id| id.to_string());
        let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("users", id.as_str())).collect();
        fields.push(("action", "deactivate"));

        // The preview: Ann and Bob lose what they hold; the moderator (beyond the usher) and
        // the usher's own account are left alone, each with the reason. Nothing changes yet.
        let preview = usher.post("/admin/users/bulk", &fields).await;
        assert_eq!(preview.status(), StatusCode::OK);
        let html = preview.text().await.unwrap();
        assert!(html.contains(">ann</a>") && html.contains(">bob</a>"), "{html}");
        assert!(html.contains("Left alone (2)"), "{html}");
        assert!(html.contains(">moira</a>: It holds permissions you do not hold"), "{html}");
        assert!(html.contains(">usher</a>: This is your own account"), "{html}");
        assert!(active(&app.db, ann).await);

        // "Go back and change it": the list again, with the same accounts ticked and the same
        // action chosen; nothing saved.
        let mut back = fields.clone();
        back.push(("step", "edit"));
        let list = usher.post("/admin/users/bulk", &back).await;
        assert_eq!(list.status(), StatusCode::OK);
        let html = list.text().await.unwrap();
        let doc = crate::helpers::Doc::parse(&html);
        let mut ticked = doc.attrs("input[name=users][checked]", "value");
        ticked.sort();
        let mut expected = ids.to_vec();
        expected.sort();
        assert_eq!(ticked, expected);
        assert_eq!(doc.attrs("select[name=action] option[selected]", "value"), ["deactivate"]);
        assert!(active(&app.db, ann).await);

        let done = usher.post_confirmed("/admin/users/bulk", &fields).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert!(location(&done).starts_with("/admin/users?"));
        assert!(!active(&app.db, ann).await && !active(&app.db, bob).await);
        assert!(active(&app.db, mo).await && active(&app.db, me).await);
        assert_eq!(audited(&app.db, "user.update").await, 2);

        // Every inactive reader, by the list's filter rather than by name. The preview shows
        // them regaining what they hold, though the change takes them out of that filter.
        let reader = role_id(&app.db, "reader").await.to_string();
        let preview = usher
            .post("/admin/users/bulk", &[("all", "on"), ("role", &reader), ("active", "no"), ("action", "reactivate")])
            .await;
        assert_eq!(preview.status(), StatusCode::OK);
        let html = preview.text().await.unwrap();
        assert!(html.contains(">ann</a>") && html.contains(">bob</a>") && html.contains("Comment on posts"), "{html}");
        let done = usher
            .post_confirmed("/admin/users/bulk", &[("all", "on"), ("role", &reader), ("active", "no"), ("action", "reactivate")])
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert!(active(&app.db, ann).await && active(&app.db, bob).await);
        assert_eq!(audited(&app.db, "user.update").await, 4);

        // A role beyond the usher is refused as a whole, with the reason, and nothing changes.
        let admin = role_id(&app.db, "admin").await.to_string();
        let ann_id = ann.to_string();
        let refused = usher
            .post("/admin/users/bulk", &[("users", &ann_id), ("action", "set_role"), ("role_id", &admin)])
            .await;
        assert_eq!(refused.status(), StatusCode::SEE_OTHER);
        let (_, list) = usher.get_html(&location(&refused)).await;
        assert!(list.contains("You cannot assign the role “admin”"), "{list}");
        let stored = user::Entity::find_by_id(ann).one(&app.db).await.unwrap().unwrap();
        assert_eq!(stored.role_id.to_string(), reader);
        app.stop().await;
    }

    async fn a_bulk_action_over_500_accounts_runs_no_more_statements_than_over_ten(test_db: TestDb) {
        use crate::api_client::{Api, make_token};
        use serde_json::json;
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        app.create_user("boss", "admin").await;
        let boss = app.visitor();
        boss.login_ok("boss", PASSWORD).await;
        let token = make_token(&boss, &["manage_users", "manage_roles", "comment", "review_movies"]).await;
        let reader = role_id(&app.db, "reader").await;
        let now = chrono::Utc::now();
        for batch in 0..6 {
            user::Entity::insert_many((0..100).map(|n| user::ActiveModel {
                username: Set(format!("extra{batch}x{n}")),
                email: Set(format!("extra{batch}x{n}@example.test")),
                password_hash: Set("not a hash: these accounts never sign in".into()),
                role_id: Set(reader),
                is_active: Set(true),
                created_at: Set(now),
                session_version: Set(0),
                email_verified_at: Set(Some(now)),
                ..Default::default()
            }))
            .exec_without_returning(&app.db)
            .await
            .unwrap();
        }
        let extras: Vec<i32> = user::Entity::find()
            .filter(user::Column::Username.starts_with("extra"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(extras.len(), 600);
        let mut counts = Vec::new();
        for selection in [&extras[..10], &extras[10..510]] {
            let before = app.statements.load(Ordering::SeqCst);
            let done = api.post("/api/v1/admin/users/bulk", Some(&token), json!({
                "users": selection, "action": "grant", "permission": "comment", "reason": "Festival week",
            })).await;
            counts.push(app.statements.load(Ordering::SeqCst) - before);
            assert_eq!(done.status, StatusCode::OK, "{}", done.body);
            assert_eq!(done.body["changed"], selection.len());
        }
        assert_eq!(counts[0], counts[1], "statements for 10 and for 500 accounts: {counts:?}");
        assert_eq!(audited(&app.db, "user.override").await, 510);

        // A preview through the API names the accounts, and a filter reaches all 600.
        let preview = api.post("/api/v1/admin/users/bulk?preview=true", Some(&token), json!({
            "filter": { "q": "extra" }, "action": "deactivate",
        })).await;
        assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
        assert_eq!(preview.body["accounts"].as_array().unwrap().len(), 600);
        assert!(preview.body["refused"].as_array().unwrap().is_empty());
        let unknown = api.post("/api/v1/admin/users/bulk", Some(&token), json!({ "users": [1], "action": "promote" })).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        app.stop().await;
    }
}

backend_tests! {
    async fn reset_links_go_to_many_accounts_in_statements_that_do_not_grow_and_not_past_the_limit(test_db: TestDb) {
        use crate::api_client::{Api, make_token};
        use entity::account_link;
        use serde_json::json;
        let app = test_db.spawn().await;
        let api = Api::new(&app).await;
        app.create_user("boss", "admin").await;
        let boss = app.visitor();
        boss.login_ok("boss", PASSWORD).await;
        let token = make_token(&boss, &["manage_users", "comment", "review_movies"]).await;
        let reader = role_id(&app.db, "reader").await;
        let now = chrono::Utc::now();
        user::Entity::insert_many((0..520).map(|n| user::ActiveModel {
            username: Set(format!("many{n}")),
            email: Set(format!("many{n}@example.test")),
            password_hash: Set("not a hash: these accounts never sign in".into()),
            role_id: Set(reader),
            is_active: Set(n != 3),
            created_at: Set(now),
            session_version: Set(0),
            email_verified_at: Set(Some(now)),
            ..Default::default()
        }))
        .exec_without_returning(&app.db)
        .await
        .unwrap();
        let ids: Vec<i32> = user::Entity::find()
            .filter(user::Column::Username.starts_with("many"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        let inactive = user::Entity::find_by_username("many3").one(&app.db).await.unwrap().unwrap().id;
        // One account already had its three links this hour (as a member asking would).
        let busy = user::Entity::find_by_username("many5").one(&app.db).await.unwrap().unwrap();
        for _ in 0..3 {
            let done = api.post(&format!("/api/v1/admin/users/{}/reset-link", busy.id), Some(&token), json!({})).await;
            assert!(done.status.is_success(), "{}", done.body);
        }

        // A preview sends nothing and names who is left alone, and why.
        let preview = boss.post("/admin/users/bulk", &[
            ("users", &inactive.to_string()), ("users", &busy.id.to_string()), ("users", &ids[10].to_string()),
            ("action", "send_reset_link"),
        ]).await;
        assert_eq!(preview.status(), StatusCode::OK);
        let page = preview.text().await.unwrap();
        assert!(page.contains("This account is deactivated: activate it first."), "{page}");
        assert!(page.contains("Several reset links went to this account in the last hour"), "{page}");
        let links_to = |id: i32| account_link::Entity::find().filter(account_link::Column::UserId.eq(id)).count(&app.db);
        assert_eq!(links_to(ids[10]).await.unwrap(), 0, "a preview sends nothing");

        // The three links above go out beside the requests; let the sender finish first.
        for _ in 0..200 {
            let queued = entity::mail_outbox::Entity::find().filter(entity::mail_outbox::Column::FailedAt.is_null()).count(&app.db).await.unwrap();
            if queued == 0 { break; }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // The statements of the whole action, counted on its preview: the same reads and writes,
        // rolled back, so the mail sender (which runs beside the request once mail is queued)
        // has nothing to add to the count.
        // The counter counts every statement of the server, the mail sender's polls too (one
        // may land inside a request): each count is the least of three runs, as background
        // work can only add to one.
        let mut counts = Vec::new();
        for selection in [&ids[..10], &ids[10..510]] {
            let mut least = u64::MAX;
            for _ in 0..3 {
                let before = app.statements.load(Ordering::SeqCst);
                let previewed = api.post("/api/v1/admin/users/bulk?preview=true", Some(&token), json!({
                    "users": selection, "action": "send_reset_link",
                })).await;
                least = least.min(app.statements.load(Ordering::SeqCst) - before);
                assert_eq!(previewed.status, StatusCode::OK, "{}", previewed.body);
            }
            counts.push(least);
        }
        assert_eq!(counts[0], counts[1], "statements for 10 and for 500 accounts: {counts:?}");
        for selection in [&ids[..10], &ids[10..510]] {
            let done = api.post("/api/v1/admin/users/bulk", Some(&token), json!({
                "users": selection, "action": "send_reset_link",
            })).await;
            assert_eq!(done.status, StatusCode::OK, "{}", done.body);
            let refused: Vec<i64> = done.body["refused"].as_array().unwrap().iter().map(|r| r["user_id"].as_i64().unwrap()).collect();
            assert_eq!(refused, [i64::from(inactive), i64::from(busy.id)].iter().copied().filter(|id| selection.iter().any(|s| i64::from(*s) == *id)).collect::<Vec<_>>());
            assert_eq!(done.body["changed"].as_u64().unwrap() as usize, selection.len() - refused.len());
        }
        // One link per account sent to, and one mail naming it (delivered from the outbox:
        // read before the sender gets to it, or found in the mail folder).
        let links = account_link::Entity::find().filter(account_link::Column::UserId.is_in(ids.clone())).count(&app.db).await.unwrap();
        assert_eq!(links, 3 + 508);
        assert_eq!(audited(&app.db, "user.reset_link").await, 3 + 508);
        let many200 = user::Entity::find_by_username("many200").one(&app.db).await.unwrap().unwrap();
        let row = account_link::Entity::find().filter(account_link::Column::UserId.eq(many200.id)).one(&app.db).await.unwrap().unwrap();
        assert_eq!(row.purpose, "reset");
    }
}
