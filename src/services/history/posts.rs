//! A post's history and reverting it. Whoever may edit a post may read its history and restore
//! an earlier version: the version's title, text, category and tags, through the edit's own
//! function (the same checks, the same audit), keeping whether the post is published.

use std::collections::{BTreeMap, BTreeSet};

use entity::{audit_log, category, post};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::{Differ, FieldChange, Version, entries, listed};
use crate::domain::{CurrentUser, FieldErrors, PostBody, Tags, Title};
use crate::services::ServiceError;
use crate::services::blog::{self, PostInput, PostSnapshot};

pub type PostVersion = Version<PostSnapshot>;

fn changes(
    before: Option<&PostSnapshot>,
    after: Option<&PostSnapshot>,
    categories: &BTreeMap<i32, String>,
) -> Vec<FieldChange> {
    let empty = PostSnapshot::default();
    let (was, is) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut differ = Differ::default();
    differ.note("Title", was.title.clone(), is.title.clone());
    let status = |s: &PostSnapshot| s.status.clone().unwrap_or_default();
    differ.note("Status", status(was), status(is));
    // Entries written before snapshots carried the body know nothing of these fields.
    let known = |s: Option<&PostSnapshot>| s.is_none_or(PostSnapshot::complete);
    if known(before) && known(after) {
        let category = |s: &PostSnapshot| match s.category_id {
            Some(id) => categories
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("#{id} (deleted)")),
            None => "none".into(),
        };
        differ.note("Category", category(was), category(is));
        differ.note(
            "Tags",
            listed(was.tags.iter().cloned()),
            listed(is.tags.iter().cloned()),
        );
        let body = |s: &PostSnapshot| s.body.clone().unwrap_or_default();
        match (before, after) {
            // A new post's whole text would only repeat the post: its length says enough.
            (None, Some(_)) => differ.note("Text", String::new(), words(&body(is))),
            _ => differ.text("Text", &body(was), &body(is)),
        }
    }
    differ.done()
}

fn words(text: &str) -> String {
    match text.split_whitespace().count() {
        1 => "1 word".into(),
        n => format!("{n} words"),
    }
}

/// Every audited change to the post at `slug`, newest first, for someone who may edit it
/// (four statements: the post, its entries, their actors, the categories they name).
pub async fn post_history(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    slug: &str,
) -> Result<(post::Model, Vec<PostVersion>), ServiceError> {
    let post = blog::editable_post(db, slug, user).await?;
    let found = entries(db, "post", post.id, "post.").await?;
    let snapshots: Vec<(Option<PostSnapshot>, Option<PostSnapshot>)> = found
        .iter()
        .map(|(entry, _)| {
            (
                PostSnapshot::parse(entry.before.as_deref()),
                PostSnapshot::parse(entry.after.as_deref()),
            )
        })
        .collect();
    let ids: BTreeSet<i32> = snapshots
        .iter()
        .flat_map(|(b, a)| [b, a])
        .filter_map(|s| s.as_ref().and_then(|s| s.category_id))
        .collect();
    let categories: BTreeMap<i32, String> = if ids.is_empty() {
        BTreeMap::new()
    } else {
        category::Entity::find()
            .select_only()
            .columns([category::Column::Id, category::Column::Name])
            .filter(category::Column::Id.is_in(ids))
            .into_tuple::<(i32, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let versions = found
        .into_iter()
        .zip(snapshots)
        .enumerate()
        .map(|(index, ((entry, actor), (before, after)))| Version {
            entry_id: entry.id,
            changes: changes(before.as_ref(), after.as_ref(), &categories),
            actor,
            at: entry.created_at,
            current: index == 0,
            state: after.filter(PostSnapshot::complete),
            action: entry.action,
        })
        .collect();
    Ok((post, versions))
}

/// Restores the post at `slug` to the version audit entry `entry_id` left it in, as an edit by
/// `user` (404 when the entry is not one of this post's versions; 409 when it was recorded
/// without the text). A category deleted since is refused as the edit form refuses it.
pub async fn revert_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
    entry_id: i32,
) -> Result<post::Model, ServiceError> {
    let post = blog::editable_post(db, slug, user).await?;
    let entry = audit_log::Entity::find_by_id(entry_id)
        .filter(audit_log::Column::SubjectType.eq("post"))
        .filter(audit_log::Column::SubjectId.eq(post.id.to_string()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let state = PostSnapshot::parse(entry.after.as_deref()).ok_or(ServiceError::NotFound)?;
    let Some(body) = state.body.as_deref() else {
        return Err(ServiceError::conflict(
            "This version was recorded without its text, so it cannot be restored.",
        ));
    };
    let mut errors = FieldErrors::default();
    let title = errors.check("title", Title::parse(&state.title, "post"));
    let body = errors.check("body", PostBody::parse(body));
    let tags = errors.check(
        "tags",
        Tags::from_list(state.tags.iter().map(String::as_str)),
    );
    let input = errors.or_valid(|| {
        Some(PostInput {
            title: title?,
            body: body?,
            category_id: state.category_id,
            tags: tags?,
            status: post.status,
        })
    })?;
    blog::save_post(db, user, ip, slug, input, None, Some(entry_id)).await
}
