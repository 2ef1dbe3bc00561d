//! The category tree: reading it (cached by the pages), its counts and shape, and managing it (audited).

use entity::{category, post};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use serde_json::json;

use entity::enums::Permission;

use crate::domain::{CurrentUser, Name, slugify};
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};
use crate::services::error::on_table;

/// The category with this slug.
pub async fn category_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<category::Model, ServiceError> {
    category::Entity::find_by_slug(slug)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The whole category tree (it is small): one query.
pub async fn categories(db: &impl ConnectionTrait) -> Result<Vec<category::Model>, DbErr> {
    category::Entity::find()
        .order_by_asc(category::Column::Name)
        .all(db)
        .await
}

/// A category tree node for display: depth for indentation.
#[derive(Clone, Debug)]
pub struct TreeNode {
    pub category: category::Model,
    pub depth: usize,
    /// Published posts in this category and all below it.
    pub total_posts: u64,
}

/// Depth-first, alphabetical order, with subtree post counts.
pub fn flatten(all: &[category::Model]) -> Vec<TreeNode> {
    fn walk(all: &[category::Model], parent: Option<i32>, depth: usize, out: &mut Vec<TreeNode>) {
        for c in all.iter().filter(|c| c.parent_id == parent) {
            let total_posts = descendants(all, c.id)
                .iter()
                .filter_map(|id| all.iter().find(|c| c.id == *id))
                .map(|c| u64::try_from(c.post_count).unwrap_or(0))
                .sum();
            out.push(TreeNode {
                category: c.clone(),
                depth,
                total_posts,
            });
            if depth < 32 {
                walk(all, Some(c.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::with_capacity(all.len());
    walk(all, None, 0, &mut out);
    out
}

/// `id` and every category below it.
pub fn descendants(all: &[category::Model], id: i32) -> Vec<i32> {
    let mut found = vec![id];
    let mut i = 0;
    while i < found.len() {
        let current = found[i];
        found.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(current))
                .map(|c| c.id),
        );
        i += 1;
        if found.len() > all.len() + 1 {
            break; // a cycle in bad data must not loop forever
        }
    }
    found
}

/// The category with `slug` in the tree `all`, and `filter` narrowed to its posts: a
/// category's posts include those of every category below it. The one home of that rule, for
/// a category page, its feed and the API's `category` filter; `None` for an unknown slug.
pub fn category_posts(
    all: &[category::Model],
    slug: &str,
    filter: super::PostFilter,
) -> Option<(category::Model, super::PostFilter)> {
    let category = all.iter().find(|c| c.slug == slug)?.clone();
    let filter = super::PostFilter {
        category_ids: Some(descendants(all, category.id)),
        ..filter
    };
    Some((category, filter))
}

/// From the root down to `id`.
pub fn ancestors(all: &[category::Model], id: i32) -> Vec<category::Model> {
    let mut chain = Vec::new();
    let mut current = all.iter().find(|c| c.id == id);
    while let Some(c) = current {
        if chain.iter().any(|seen: &category::Model| seen.id == c.id) {
            break;
        }
        chain.push(c.clone());
        current = c.parent_id.and_then(|p| all.iter().find(|x| x.id == p));
    }
    chain.reverse();
    chain
}

/// One step of a category's trail: what a breadcrumb shows and links to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Crumb {
    pub name: String,
    pub slug: String,
}

/// The root-to-`id` chain of `all` as crumbs (what `category.trail` holds).
pub fn trail(all: &[category::Model], id: i32) -> Vec<Crumb> {
    ancestors(all, id)
        .into_iter()
        .map(|c| Crumb {
            name: c.name,
            slug: c.slug,
        })
        .collect()
}

/// A stored trail, or `None` when there is none or it cannot be read.
pub fn parse_trail(stored: Option<&str>) -> Option<Vec<Crumb>> {
    serde_json::from_str(stored?).ok()
}

/// Stores every category's trail that a change made stale (after a create, rename or move:
/// a move changes the trails of the whole subtree). Categories are few and admin-made, so
/// this reads them all; only rows whose trail differs are written.
pub async fn refresh_trails(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let all = categories(db).await?;
    for c in &all {
        let fresh = serde_json::to_string(&trail(&all, c.id))
            .map_err(|e| DbErr::Custom(format!("category trail: {e}")))?;
        if c.trail.as_deref() != Some(fresh.as_str()) {
            category::Entity::update_many()
                .col_expr(category::Column::Trail, Expr::value(fresh))
                .filter(category::Column::Id.eq(c.id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// The checked values of the category form.
#[derive(Clone, Debug)]
pub struct CategoryInput {
    pub name: Name,
    pub parent_id: Option<i32>,
}

fn unknown_parent() -> ServiceError {
    ServiceError::invalid("parent_id", "Choose a parent from the list.")
}

async fn free_category_slug(db: &impl ConnectionTrait, name: &str) -> Result<String, DbErr> {
    let base = slugify(name, 70);
    let mut candidate = base.clone();
    let mut n = 2;
    while category::Entity::find_by_slug(candidate.as_str())
        .one(db)
        .await?
        .is_some()
    {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Creates a category (`manage_categories`; audited).
pub async fn create_category(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    input: CategoryInput,
) -> Result<category::Model, ServiceError> {
    user.require(Permission::ManageCategories)?;
    let txn = crate::services::begin_content_change(db).await?;
    if let Some(parent) = input.parent_id
        && category::Entity::find_by_id(parent)
            .one(&txn)
            .await?
            .is_none()
    {
        return Err(unknown_parent());
    }
    let created = category::ActiveModel {
        slug: Set(free_category_slug(&txn, input.name.as_str()).await?),
        name: Set(input.name.into_inner()),
        parent_id: Set(input.parent_id),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(on_table("category"))?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "category.create",
        "category",
        created.id,
        None,
        Some(json!({ "name": created.name, "parent_id": created.parent_id })),
    )
    .await?;
    refresh_trails(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

/// Renames and/or moves a category (`manage_categories`; audited); moving it under itself or
/// a descendant is refused.
pub async fn update_category(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
    input: CategoryInput,
) -> Result<category::Model, ServiceError> {
    user.require(Permission::ManageCategories)?;
    let txn = crate::services::begin_content_change(db).await?;
    let all = categories(&txn).await?;
    let existing = all
        .iter()
        .find(|c| c.id == id)
        .cloned()
        .ok_or(ServiceError::NotFound)?;
    if let Some(parent) = input.parent_id {
        if !all.iter().any(|c| c.id == parent) {
            return Err(unknown_parent());
        }
        if descendants(&all, id).contains(&parent) {
            return Err(ServiceError::invalid(
                "parent_id",
                "A category cannot move under itself or one of its own subcategories.",
            ));
        }
    }
    let before = json!({ "name": existing.name, "parent_id": existing.parent_id });
    let mut active: category::ActiveModel = existing.into();
    active.name = Set(input.name.into_inner());
    active.parent_id = Set(input.parent_id);
    let updated = active.update(&txn).await.map_err(on_table("category"))?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "category.update",
        "category",
        id,
        Some(before),
        Some(json!({ "name": updated.name, "parent_id": updated.parent_id })),
    )
    .await?;
    refresh_trails(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a category without subcategories (`manage_categories`; audited); its posts become
/// uncategorised. Returns how many posts it had.
pub async fn delete_category(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    id: i32,
) -> Result<u64, ServiceError> {
    user.require(Permission::ManageCategories)?;
    let txn = crate::services::begin_content_change(db).await?;
    let existing = category::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let children = category::Entity::find()
        .filter(category::Column::ParentId.eq(id))
        .count(&txn)
        .await?;
    if children > 0 {
        return Err(ServiceError::conflict(
            "This category has subcategories: move or delete them first.",
        ));
    }
    let posts = post::Entity::find()
        .filter(post::Column::CategoryId.eq(id))
        .count(&txn)
        .await?;
    category::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        &Actor::of(user, ip),
        "category.delete",
        "category",
        id,
        Some(json!({ "name": existing.name, "parent_id": existing.parent_id, "posts": posts })),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: i32, parent: Option<i32>, post_count: i32) -> category::Model {
        category::Model {
            id,
            name: format!("c{id}"),
            slug: format!("c{id}"),
            parent_id: parent,
            post_count,
            trail: None,
        }
    }

    #[test]
    fn the_tree_knows_descendants_and_ancestors() {
        let all = vec![
            cat(1, None, 0),
            cat(2, Some(1), 0),
            cat(3, Some(2), 2),
            cat(4, None, 1),
        ];
        assert_eq!(descendants(&all, 1), vec![1, 2, 3]);
        assert_eq!(
            ancestors(&all, 3).iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let flat = flatten(&all);
        assert_eq!(
            flat.iter()
                .map(|n| (n.category.id, n.depth, n.total_posts))
                .collect::<Vec<_>>(),
            vec![(1, 0, 2), (2, 1, 2), (3, 2, 2), (4, 0, 1)]
        );
    }
}
