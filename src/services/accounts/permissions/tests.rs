use chrono::{Duration, Utc};
use entity::enums::{OverrideEffect, Permission};
use entity::permission_override;

use super::*;

const READER: i32 = 1;
const AUTHOR: i32 = 2;
const EDITOR: i32 = 3;

/// Reader comments; author writes and includes reader; editor moderates and includes author.
fn graph() -> RoleGraph {
    RoleGraph::new(
        [
            (READER, Permission::Comment),
            (AUTHOR, Permission::WritePosts),
            (EDITOR, Permission::ModerateComments),
        ],
        [(AUTHOR, READER), (EDITOR, AUTHOR)],
    )
}

fn override_of(
    permission: Permission,
    effect: OverrideEffect,
    hours: Option<i64>,
) -> permission_override::Model {
    let now = Utc::now();
    permission_override::Model {
        id: 1,
        user_id: 9,
        permission,
        effect,
        reason: "test".into(),
        granted_by_id: None,
        created_at: now,
        expires_at: hours.map(|h| now + Duration::hours(h)),
    }
}

#[test]
fn a_role_holds_what_it_includes_transitively_with_the_chain_it_comes_through() {
    let graph = graph();
    let grants = graph.grants(EDITOR);
    assert_eq!(grants[&Permission::ModerateComments], vec![EDITOR]);
    assert_eq!(grants[&Permission::WritePosts], vec![EDITOR, AUTHOR]);
    assert_eq!(grants[&Permission::Comment], vec![EDITOR, AUTHOR, READER]);
    assert_eq!(
        graph.permissions(READER),
        BTreeSet::from([Permission::Comment])
    );
    assert_eq!(graph.roles(), BTreeSet::from([READER, AUTHOR, EDITOR]));
}

#[test]
fn a_cycle_is_found_with_its_roles_in_order() {
    let graph = graph();
    assert_eq!(graph.cycle_through(EDITOR), None);
    let looped = graph.with_role(
        READER,
        BTreeSet::from([Permission::Comment]),
        BTreeSet::from([EDITOR]),
    );
    assert_eq!(
        looped.cycle_through(READER),
        Some(vec![READER, EDITOR, AUTHOR, READER])
    );
    // Every role on the loop holds everything on it, and the closure still ends.
    assert_eq!(looped.permissions(READER), looped.permissions(EDITOR));
}

#[test]
fn changed_roles_are_those_whose_permissions_move() {
    let graph = graph();
    let next = graph.with_role(
        READER,
        BTreeSet::from([Permission::Comment, Permission::ReviewMovies]),
        BTreeSet::new(),
    );
    assert_eq!(
        graph.changed_roles(&next),
        BTreeSet::from([READER, AUTHOR, EDITOR])
    );
    let renamed = graph.with_role(
        AUTHOR,
        BTreeSet::from([Permission::WritePosts]),
        BTreeSet::from([READER]),
    );
    assert!(graph.changed_roles(&renamed).is_empty());
    let gone = graph.without_role(AUTHOR);
    assert_eq!(
        gone.permissions(EDITOR),
        BTreeSet::from([Permission::ModerateComments])
    );
}

#[test]
fn a_denial_beats_the_role_and_every_grant_and_an_expired_override_counts_for_nothing() {
    let graph = graph();
    let now = Utc::now();
    let grant = override_of(Permission::ManageMovies, OverrideEffect::Grant, Some(24));
    let deny = override_of(Permission::Comment, OverrideEffect::Deny, None);
    let lapsed = override_of(Permission::ManageGroups, OverrideEffect::Grant, Some(-1));
    let result = effective(
        &graph,
        AUTHOR,
        true,
        &[grant.clone(), deny.clone(), lapsed.clone()],
        now,
    );
    assert_eq!(
        result.permissions(),
        BTreeSet::from([Permission::WritePosts, Permission::ManageMovies])
    );
    assert_eq!(
        result.held[&Permission::ManageMovies],
        vec![Reason::Grant(grant)]
    );
    assert_eq!(result.denied, vec![deny]);
    assert_eq!(result.lapsed, vec![lapsed]);

    let unverified = effective(&graph, EDITOR, false, &[], now);
    assert!(
        unverified.held.is_empty(),
        "nothing before the address is confirmed"
    );
}
