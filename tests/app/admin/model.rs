//! The subset rule as a property, checked against a model of its own: generated role graphs,
//! accounts and grants or denials, then generated sequences of admin changes by generated
//! non-admin actors, applied through the service layer. After every step:
//! - if the service refused, nothing in the database changed (roles, permissions, inclusions,
//!   accounts, grants and denials, the audit log);
//! - if it accepted, every account it changed held only permissions the actor holds, before
//!   and after (so nobody gained one the actor lacks, and nobody above the actor was touched);
//! - someone active can still manage roles.
//!
//! What an account holds is computed here from the rows, by a model written for this test (a
//! role's own permissions and those of every role it reaches, plus grants, minus denials), not
//! by the service's function. Values come from proptest strategies with a fixed seed, so a
//! failure repeats; `MARQUEE_MODEL_CASES` sets how many worlds (each with its own sequence).

use std::collections::{BTreeMap, BTreeSet};

use entity::enums::{OverrideEffect, Permission};
use entity::{audit_log, permission_override, role, role_inclusion, role_permission, user};
use marquee::domain::{CurrentUser, Description, RoleName};
use marquee::services::admin::{
    self, BulkAction, OverrideInput, Plan, RoleInput, Selection, UserChanges,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

/// Roles the generated world adds: four plain ones and two for the actors.
const PLAIN: usize = 4;
const ACCOUNTS: usize = 6;
const STEPS: usize = 12;

/// Everything a refused change must leave as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Snapshot {
    roles: BTreeMap<i32, (String, String, bool)>,
    own: BTreeSet<(i32, Permission)>,
    includes: BTreeSet<(i32, i32)>,
    users: BTreeMap<i32, (i32, bool)>,
    /// (account, permission, denied)
    overrides: BTreeSet<(i32, Permission, bool)>,
    audit: u64,
}

async fn snapshot(db: &DatabaseConnection) -> Snapshot {
    Snapshot {
        roles: role::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.id, (r.name, r.description, r.is_default)))
            .collect(),
        own: role_permission::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.role_id, r.permission))
            .collect(),
        includes: role_inclusion::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.role_id, r.included_role_id))
            .collect(),
        users: user::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.id, (u.role_id, u.is_active)))
            .collect(),
        overrides: permission_override::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.user_id, o.permission, o.effect == OverrideEffect::Deny))
            .collect(),
        audit: audit_log::Entity::find().count(db).await.unwrap(),
    }
}

/// The model: what account `id` holds in `world` (its role's permissions, through every
/// inclusion, and its grants, less its denials; none of these overrides expire).
fn holds(world: &Snapshot, id: i32) -> BTreeSet<Permission> {
    let Some((role_id, _)) = world.users.get(&id) else {
        return BTreeSet::new();
    };
    let mut seen = BTreeSet::new();
    let mut stack = vec![*role_id];
    let mut held = BTreeSet::new();
    while let Some(next) = stack.pop() {
        if !seen.insert(next) {
            continue;
        }
        held.extend(
            world
                .own
                .iter()
                .filter(|(r, _)| *r == next)
                .map(|(_, p)| *p),
        );
        stack.extend(
            world
                .includes
                .iter()
                .filter(|(r, _)| *r == next)
                .map(|(_, i)| *i),
        );
    }
    for (user_id, permission, denied) in &world.overrides {
        if *user_id == id && !*denied {
            held.insert(*permission);
        }
    }
    for (user_id, permission, denied) in &world.overrides {
        if *user_id == id && *denied {
            held.remove(permission);
        }
    }
    held
}

fn changed(before: &Snapshot, after: &Snapshot, id: i32) -> bool {
    let overrides = |world: &Snapshot| -> Vec<(Permission, bool)> {
        world
            .overrides
            .iter()
            .filter(|(u, _, _)| *u == id)
            .map(|(_, p, e)| (*p, *e))
            .collect()
    };
    before.users.get(&id) != after.users.get(&id)
        || overrides(before) != overrides(after)
        || holds(before, id) != holds(after, id)
}

#[derive(Clone, Debug)]
enum Op {
    EditRole {
        role: usize,
        own: BTreeSet<Permission>,
        includes: BTreeSet<usize>,
    },
    Grant {
        target: usize,
        permission: Permission,
        deny: bool,
    },
    Ungrant {
        target: usize,
        permission: Permission,
    },
    Assign {
        target: usize,
        role: usize,
    },
    Active {
        target: usize,
        active: bool,
    },
    Delete {
        role: usize,
    },
    Bulk {
        targets: BTreeSet<usize>,
        role: usize,
    },
}

fn permission() -> BoxedStrategy<Permission> {
    proptest::sample::select(Permission::all()).boxed()
}

fn permissions() -> BoxedStrategy<BTreeSet<Permission>> {
    proptest::collection::btree_set(permission(), 0..5).boxed()
}

/// Indexes into the roles an op may name: the plain ones, the actors' and "reader".
fn any_role() -> BoxedStrategy<usize> {
    (0..PLAIN + 3).boxed()
}

fn op() -> BoxedStrategy<(usize, Op)> {
    let target = 0..ACCOUNTS + 2;
    let op = prop_oneof![
        (
            any_role(),
            permissions(),
            proptest::collection::btree_set(any_role(), 0..3)
        )
            .prop_map(|(role, own, includes)| Op::EditRole {
                role,
                own,
                includes
            }),
        (target.clone(), permission(), any::<bool>()).prop_map(|(target, permission, deny)| {
            Op::Grant {
                target,
                permission,
                deny,
            }
        }),
        (target.clone(), permission())
            .prop_map(|(target, permission)| Op::Ungrant { target, permission }),
        (target.clone(), any_role()).prop_map(|(target, role)| Op::Assign { target, role }),
        (target.clone(), any::<bool>()).prop_map(|(target, active)| Op::Active { target, active }),
        (0..PLAIN).prop_map(|role| Op::Delete { role }),
        (proptest::collection::btree_set(target, 1..5), any_role())
            .prop_map(|(targets, role)| Op::Bulk { targets, role }),
    ];
    (0..2usize, op).boxed()
}

/// A world to start from: each plain role's permissions and the lower roles it includes, the
/// actors' extra permissions, each account's role and grants or denials.
#[derive(Clone, Debug)]
struct World {
    plain: Vec<(BTreeSet<Permission>, BTreeSet<usize>)>,
    actors: Vec<BTreeSet<Permission>>,
    accounts: Vec<(usize, Vec<(Permission, bool)>)>,
}

fn world() -> BoxedStrategy<World> {
    (
        proptest::collection::vec(
            (
                permissions(),
                proptest::collection::btree_set(0..PLAIN, 0..2),
            ),
            PLAIN,
        ),
        proptest::collection::vec(permissions(), 2),
        proptest::collection::vec(
            (
                any_role(),
                proptest::collection::vec((permission(), any::<bool>()), 0..2),
            ),
            ACCOUNTS,
        ),
    )
        .prop_map(|(plain, actors, accounts)| World {
            plain,
            actors,
            accounts,
        })
        .boxed()
}

fn input(
    name: &str,
    own: BTreeSet<Permission>,
    includes: BTreeSet<i32>,
    default: bool,
) -> RoleInput {
    RoleInput {
        name: RoleName::parse(name).unwrap(),
        description: Description::parse("").unwrap(),
        is_default: default,
        permissions: own,
        includes,
        opened_at: None,
    }
}

/// Builds the world through the services as the operator; returns the role ids (plain, the
/// two actors', reader) and the account ids (the accounts, then the two actors).
async fn build(app: &crate::helpers::TestApp, case: usize, world: &World) -> (Vec<i32>, Vec<i32>) {
    let operator = app.operator().await;
    let mut roles = Vec::new();
    for (n, (own, includes)) in world.plain.iter().enumerate() {
        // Only lower roles: the generated graph starts without circles.
        let includes = includes
            .iter()
            .filter(|i| **i < n)
            .map(|i| roles[*i])
            .collect();
        let made = admin::create_role(
            &app.db,
            &operator,
            None,
            input(&format!("plain{case}x{n}"), own.clone(), includes, false),
            &Plan::Apply,
        )
        .await
        .unwrap()
        .applied()
        .unwrap();
        roles.push(made.id);
    }
    for (n, extra) in world.actors.iter().enumerate() {
        let mut own = extra.clone();
        own.extend([Permission::ManageRoles, Permission::ManageUsers]);
        let made = admin::create_role(
            &app.db,
            &operator,
            None,
            input(&format!("actor{case}x{n}"), own, BTreeSet::new(), false),
            &Plan::Apply,
        )
        .await
        .unwrap()
        .applied()
        .unwrap();
        roles.push(made.id);
    }
    let reader = role::Entity::find_by_name("reader")
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    roles.push(reader.id);
    let mut accounts = Vec::new();
    for (n, (role, overrides)) in world.accounts.iter().enumerate() {
        let id = app.create_user(&format!("acct{case}x{n}"), "reader").await;
        let changes = UserChanges {
            role_id: roles[*role],
            is_active: true,
            opened_at: None,
        };
        admin::update_user(&app.db, &operator, None, id, changes, &Plan::Apply)
            .await
            .unwrap();
        for (permission, deny) in overrides {
            let grant = OverrideInput {
                permission: *permission,
                effect: if *deny {
                    OverrideEffect::Deny
                } else {
                    OverrideEffect::Grant
                },
                reason: "set-up".into(),
                expires_at: None,
            };
            // The operator may be refused (the last role manager): that is part of the world.
            let _ = admin::set_override(&app.db, &operator, None, id, grant, &Plan::Apply).await;
        }
        accounts.push(id);
    }
    for n in 0..2 {
        let id = app.create_user(&format!("actor{case}x{n}"), "reader").await;
        let changes = UserChanges {
            role_id: roles[PLAIN + n],
            is_active: true,
            opened_at: None,
        };
        admin::update_user(&app.db, &operator, None, id, changes, &Plan::Apply)
            .await
            .unwrap();
        accounts.push(id);
    }
    (roles, accounts)
}

/// Applies `op` by `actor` through the services; whether they accepted it.
async fn apply_op(
    db: &DatabaseConnection,
    actor: &CurrentUser,
    op: &Op,
    roles: &[i32],
    accounts: &[i32],
) -> bool {
    let plan = Plan::Apply;
    match op {
        Op::EditRole {
            role,
            own,
            includes,
        } => {
            let current = admin::role_row(db, roles[*role]).await.unwrap();
            let Some(current) = current else { return false };
            let includes = includes.iter().map(|i| roles[*i]).collect();
            let edit = input(
                &current.role.name,
                own.clone(),
                includes,
                current.role.is_default,
            );
            admin::update_role(db, actor, None, roles[*role], edit, &plan)
                .await
                .is_ok()
        }
        Op::Grant {
            target,
            permission,
            deny,
        } => {
            let grant = OverrideInput {
                permission: *permission,
                effect: if *deny {
                    OverrideEffect::Deny
                } else {
                    OverrideEffect::Grant
                },
                reason: "generated".into(),
                expires_at: None,
            };
            admin::set_override(db, actor, None, accounts[*target], grant, &plan)
                .await
                .is_ok()
        }
        Op::Ungrant { target, permission } => {
            admin::remove_override(db, actor, None, accounts[*target], *permission, &plan)
                .await
                .is_ok()
        }
        Op::Assign { target, role } => {
            let id = accounts[*target];
            let Some(found) = user::Entity::find_by_id(id).one(db).await.unwrap() else {
                return false;
            };
            let changes = UserChanges {
                role_id: roles[*role],
                is_active: found.is_active,
                opened_at: None,
            };
            admin::update_user(db, actor, None, id, changes, &plan)
                .await
                .is_ok()
        }
        Op::Active { target, active } => {
            let id = accounts[*target];
            let Some(found) = user::Entity::find_by_id(id).one(db).await.unwrap() else {
                return false;
            };
            let changes = UserChanges {
                role_id: found.role_id,
                is_active: *active,
                opened_at: None,
            };
            admin::update_user(db, actor, None, id, changes, &plan)
                .await
                .is_ok()
        }
        Op::Delete { role } => admin::delete_role(db, actor, None, roles[*role], &plan)
            .await
            .is_ok(),
        Op::Bulk { targets, role } => {
            let selection = Selection::Accounts(targets.iter().map(|t| accounts[*t]).collect());
            let action = BulkAction::SetRole(roles[*role]);
            admin::bulk_change(db, actor, None, &selection, &action, &plan)
                .await
                .is_ok()
        }
    }
}

backend_tests! {
    async fn no_generated_sequence_of_admin_changes_breaks_the_subset_rule(test_db: TestDb) {
        let app = test_db.spawn().await;
        app.create_user("boss", "admin").await;
        let cases: usize = std::env::var("MARQUEE_MODEL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
        // Generated up front: strategies are not `Send`.
        let plans: Vec<(World, Vec<(usize, Op)>)> = {
            let mut runner = TestRunner::deterministic();
            let steps = proptest::collection::vec(op(), STEPS);
            (0..cases)
                .map(|_| (world().new_tree(&mut runner).unwrap().current(), steps.new_tree(&mut runner).unwrap().current()))
                .collect()
        };
        let (mut accepted, mut refused) = (0, 0);
        for (case, (world, steps)) in plans.iter().enumerate() {
            let (roles, accounts) = build(&app, case, world).await;
            for (by, op) in steps {
                let actor_id = accounts[ACCOUNTS + by];
                let before = snapshot(&app.db).await;
                // A deactivated actor or one whose role was deleted still acts: the service
                // reads them again and refuses.
                let actor = app.acting(actor_id).await;
                let held = holds(&before, actor_id);
                let ok = apply_op(&app.db, &actor, op, &roles, &accounts).await;
                let after = snapshot(&app.db).await;
                if !ok {
                    refused += 1;
                    assert_eq!(before, after, "a refused {op:?} by {by} changed the database");
                    continue;
                }
                accepted += 1;
                for id in after.users.keys().chain(before.users.keys()) {
                    if !changed(&before, &after, *id) {
                        continue;
                    }
                    let (was, is) = (holds(&before, *id), holds(&after, *id));
                    assert!(was.is_subset(&held) && is.is_subset(&held),
                        "{op:?} by {by} (holding {held:?}) changed account {id}: {was:?} → {is:?}");
                }
                let managers = after.users.iter()
                    .filter(|(id, (_, active))| *active && holds(&after, **id).contains(&Permission::ManageRoles))
                    .count();
                assert!(managers > 0, "{op:?} left nobody able to manage roles");
            }
        }
        // The generated sequences exercise both sides of the rule.
        assert!(accepted > 0 && refused > 0, "accepted {accepted}, refused {refused}");
        app.stop().await;
    }
}
