//! Writing, editing, publishing and deleting posts with their tags, each in one transaction,
//! and the counts kept with them; the stored fields derived from a post come from
//! [`super::stored`].

use std::collections::BTreeSet;

use chrono::Utc;
use entity::enums::PostStatus;
use entity::{category, post, post_tag};
use sea_orm::sea_query::{Expr, Query, QueryStatementBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr,
    EntityTrait, ExprTrait, QueryFilter, QuerySelect, TransactionSession, TransactionTrait,
};

use entity::enums::Permission;

use crate::domain::{CurrentUser, PostBody, Tags, Title, slugify};
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};
use crate::services::blog::tags::set_tags;
use crate::services::error::is_unique_violation;

use super::rules::*;
use super::snapshot::PostSnapshot;
use super::stored::stored_fields;

/// Checked values of the post form.
#[derive(Clone, Debug)]
pub struct PostInput {
    pub title: Title,
    pub body: PostBody,
    pub category_id: Option<i32>,
    pub tags: Tags,
    pub status: PostStatus,
}

/// A chosen category must exist.
pub(super) async fn check_category(
    db: &impl ConnectionTrait,
    category_id: Option<i32>,
) -> Result<(), ServiceError> {
    match category_id {
        Some(id) if category::Entity::find_by_id(id).one(db).await?.is_none() => Err(
            ServiceError::invalid("category_id", "Choose a category from the list."),
        ),
        _ => Ok(()),
    }
}

/// A slug for `title` that no post uses yet.
pub(super) async fn free_slug(db: &impl ConnectionTrait, title: &str) -> Result<String, DbErr> {
    let base = slugify(title, 200);
    let taken: BTreeSet<String> = post::Entity::find()
        .select_only()
        .column(post::Column::Slug)
        .filter(
            Condition::any()
                .add(post::Column::Slug.eq(base.as_str()))
                .add(post::Column::Slug.starts_with(format!("{base}-"))),
        )
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    Ok((2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(base))
}

/// How many slugs a new post tries before giving up (each after the first gets a random
/// suffix, so only a flood of identical titles at the same instant needs more than one).
pub(super) const SLUG_ATTEMPTS: usize = 8;

/// Creates a post with its tags in one write transaction. A slug taken by someone else between
/// the look-up and the insert is retried inside the same transaction, from a savepoint.
pub async fn create_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    input: PostInput,
) -> Result<post::Model, ServiceError> {
    user.require(Permission::WritePosts)?;
    check_category(db, input.category_id).await?;
    // Rendered before the transaction: it holds the write lock only for the writes.
    let stored = stored_fields(input.body.as_str(), input.tags.names(), &[]);
    let txn = crate::services::begin_content_change(db).await?;
    let base = free_slug(&txn, input.title.as_str()).await?;
    let now = Utc::now();
    for attempt in 0..SLUG_ATTEMPTS {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!(
                "{base}-{}",
                crate::services::accounts::password::generate(6).to_lowercase()
            )
        };
        let savepoint = crate::services::begin_write(&txn).await?;
        let mut row = post::ActiveModel {
            title: Set(input.title.to_string()),
            slug: Set(slug),
            body: Set(input.body.to_string()),
            listed_at: Set(now),
            status: Set(input.status),
            author_id: Set(user.id),
            category_id: Set(input.category_id),
            created_at: Set(now),
            updated_at: Set(now),
            published_at: Set((input.status == PostStatus::Published).then_some(now)),
            ..Default::default()
        };
        stored.clone().set_on(&mut row);
        let inserted = row.insert(&savepoint).await;
        match inserted {
            Ok(created) => {
                savepoint.commit().await?;
                let tags = set_tags(&txn, &created, input.tags.names()).await?;
                audit::record(
                    &txn,
                    &Actor::of(user, ip),
                    "post.create",
                    "post",
                    created.id,
                    None,
                    Some(PostSnapshot::of(&created).to_json()),
                )
                .await?;
                refresh_post_counts(
                    &txn,
                    Some(input.category_id.into_iter().collect()),
                    Some(tags),
                )
                .await?;
                txn.commit().await?;
                return Ok(created);
            }
            // Someone took the slug between our look-up and insert: back to the savepoint.
            Err(error) if is_unique_violation(&error) => {
                savepoint.rollback().await?;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ServiceError::conflict(
        "Too many posts with this title are being written right now; try again.",
    ))
}

/// The version of a post an edit form was opened at: a fingerprint of everything the form
/// shows, so that saving over someone else's change can be told from saving over one's own.
pub fn post_version(post: &post::Model) -> String {
    crate::services::precondition::form_version(&serde_json::json!([
        post.title,
        post.body,
        post.status.as_str(),
        post.category_id,
        post.tag_names,
        post.updated_at,
    ]))
}

/// Saves an edit (the slug stays, so links keep working) with its tags in one transaction,
/// audited with the post before and after ([`PostSnapshot`]: its history). With `expected`
/// (the [`post_version`] the form was opened at), only while the post is still that version:
/// otherwise nothing is saved ([`ServiceError::Stale`]).
pub async fn update_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
    input: PostInput,
    expected: Option<&str>,
) -> Result<post::Model, ServiceError> {
    save_post(db, user, ip, slug, input, expected, None).await
}

/// [`update_post`], or with `reverted_to` the revert to that history entry's version, audited
/// as `post.revert`: the same checks and writes as an edit.
pub(crate) async fn save_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
    input: PostInput,
    expected: Option<&str>,
    reverted_to: Option<i32>,
) -> Result<post::Model, ServiceError> {
    let existing = editable_post(db, slug, user).await?;
    check_category(db, input.category_id).await?;
    let actor = Actor::of(user, ip);
    let attached = crate::services::blog::post_pictures(db, existing.id).await?;
    let stored = stored_fields(input.body.as_str(), input.tags.names(), &attached);
    let txn = crate::services::begin_content_change(db).await?;
    // Read again inside the change: its category and tags as of every earlier change.
    let existing = post::Entity::find_by_id(existing.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    // Content changes run one after another (the content version's lock, taken first), so
    // the version read here is the one this change replaces.
    crate::services::precondition::still_at(expected, &post_version(&existing))?;
    let first_publication =
        existing.published_at.is_none() && input.status == PostStatus::Published;
    let post_id = existing.id;
    let categories: Vec<i32> = existing
        .category_id
        .into_iter()
        .chain(input.category_id)
        .collect();
    let before = PostSnapshot::of(&existing).to_json();
    let mut active: post::ActiveModel = existing.into();
    active.title = Set(input.title.into_inner());
    active.body = Set(input.body.into_inner());
    stored.set_on(&mut active);
    active.category_id = Set(input.category_id);
    active.status = Set(input.status);
    if first_publication {
        let now = Utc::now();
        active.published_at = Set(Some(now));
        active.listed_at = Set(now);
    }
    let updated = active.update(&txn).await?;
    let tags = set_tags(&txn, &updated, input.tags.names()).await?;
    refresh_post_counts(&txn, Some(categories), Some(tags)).await?;
    let action = match (reverted_to, first_publication) {
        (Some(_), _) => "post.revert",
        (None, true) => "post.publish",
        (None, false) => "post.update",
    };
    let after = PostSnapshot {
        reverted_to,
        ..PostSnapshot::of(&updated)
    };
    audit::record(
        &txn,
        &actor,
        action,
        "post",
        post_id,
        Some(before),
        Some(after.to_json()),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a post `user` may edit (its comments and tag links go with it); audited when
/// someone other than the author deletes it. Returns the deleted post.
pub async fn delete_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
) -> Result<post::Model, ServiceError> {
    let post = editable_post(db, slug, user).await?;
    let actor = Actor::of(user, ip);
    let txn = crate::services::begin_content_change(db).await?;
    let category = post::Entity::find_by_id(post.id)
        .select_only()
        .column(post::Column::CategoryId)
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tags = set_tags(&txn, &post, &[]).await?;
    crate::services::blog::pictures::release_all(&txn, post.id).await?;
    post::Entity::delete_by_id(post.id).exec(&txn).await?;
    refresh_post_counts(&txn, Some(category.into_iter().collect()), Some(tags)).await?;
    if user.id != post.author_id {
        let before = serde_json::json!({
            "title": post.title,
            "slug": post.slug,
            "author_id": post.author_id,
        });
        audit::record(
            &txn,
            &actor,
            "post.delete",
            "post",
            post.id,
            Some(before),
            None,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(post)
}

/// Recomputes the maintained post counts (`category.post_count`, `tag.post_count`: published
/// posts) of these categories and tags from the posts, `None` meaning all of them (one
/// statement each; none for an empty list). Called in the transaction of every post change
/// (`begin_content_change`, which orders concurrent writers).
pub async fn refresh_post_counts(
    db: &impl ConnectionTrait,
    categories: Option<Vec<i32>>,
    tags: Option<Vec<i32>>,
) -> Result<(), DbErr> {
    let published = |select: &mut sea_orm::sea_query::SelectStatement| {
        Expr::SubQuery(
            None,
            Box::new(
                select
                    .expr(Expr::col((post::Entity, post::Column::Id)).count())
                    .from(post::Entity)
                    .and_where(
                        Expr::col((post::Entity, post::Column::Status)).eq(PostStatus::Published),
                    )
                    .to_owned()
                    .into_sub_query_statement(),
            ),
        )
    };
    if categories.as_ref().is_none_or(|ids| !ids.is_empty()) {
        let mut update = category::Entity::update_many().col_expr(
            category::Column::PostCount,
            published(
                Query::select().and_where(
                    Expr::col((post::Entity, post::Column::CategoryId))
                        .equals((category::Entity, category::Column::Id)),
                ),
            ),
        );
        if let Some(ids) = categories {
            update = update.filter(category::Column::Id.is_in(ids));
        }
        update.exec(db).await?;
    }
    if tags.as_ref().is_none_or(|ids| !ids.is_empty()) {
        let mut update = entity::tag::Entity::update_many().col_expr(
            entity::tag::Column::PostCount,
            published(
                Query::select()
                    .inner_join(
                        post_tag::Entity,
                        Expr::col((post_tag::Entity, post_tag::Column::PostId))
                            .equals((post::Entity, post::Column::Id)),
                    )
                    .and_where(
                        Expr::col((post_tag::Entity, post_tag::Column::TagId))
                            .equals((entity::tag::Entity, entity::tag::Column::Id)),
                    ),
            ),
        );
        if let Some(ids) = tags {
            update = update.filter(entity::tag::Column::Id.is_in(ids));
        }
        update.exec(db).await?;
    }
    Ok(())
}

/// Publishes a post `user` may edit, keeping its title, text, category and tags: the same
/// change as saving the edit form with "published" (a no-op for a published post).
pub async fn publish_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
) -> Result<post::Model, ServiceError> {
    let existing = editable_post(db, slug, user).await?;
    if existing.status == PostStatus::Published {
        return Ok(existing);
    }
    let tags = crate::services::blog::tags_of(db, vec![existing.id])
        .await?
        .remove(&existing.id)
        .unwrap_or_default();
    let mut errors = crate::domain::FieldErrors::default();
    let title = errors.check("title", Title::parse(&existing.title, "post"));
    let body = errors.check("body", PostBody::parse(&existing.body));
    let tags = errors.check("tags", Tags::from_list(tags.iter().map(String::as_str)));
    let input = errors.or_valid(|| {
        Some(PostInput {
            title: title?,
            body: body?,
            category_id: existing.category_id,
            tags: tags?,
            status: PostStatus::Published,
        })
    })?;
    update_post(db, user, ip, slug, input, None).await
}
