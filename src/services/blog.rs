//! The blog: post lists (one query for the rows, one for their tags, one count), a post with
//! its comments, writing and editing posts with their tags in one transaction, the category
//! tree, moderation, and the top-authors report (one raw SQL statement).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use entity::enums::PostStatus;
use entity::{category, comment, post, post_tag, tag, user};
use sea_orm::sea_query::{Expr, OnConflict, Query, QueryStatementBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, ExprTrait, FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, RelationTrait, Statement, TransactionSession,
    TransactionTrait,
};
use serde_json::json;

use super::Page;
use super::accounts::unique_violation;
use super::admin::AdminError;
use super::audit::{self, Actor};
use crate::domain::slugify;

pub const POSTS_PER_PAGE: u64 = 20;
pub const COMMENTS_PER_PAGE: u64 = 50;
pub const MAX_BODY: usize = 100_000;
pub const MAX_TAGS: usize = 10;
/// Characters of a list excerpt (the same as migration 10 backfilled).
pub const EXCERPT_CHARS: usize = 220;

/// One post in a list: the post (its stored excerpt, not its body), its author and category,
/// and its visible comment count.
#[derive(Clone, Debug, FromQueryResult)]
pub struct PostRow {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub status: PostStatus,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub listed_at: DateTime<Utc>,
    pub author: String,
    pub category_name: Option<String>,
    pub category_slug: Option<String>,
    pub comment_count: i64,
    /// The post's tag names joined by commas (names never hold one), in the same statement.
    pub tag_names: Option<String>,
}

impl PostRow {
    /// The tag names, sorted.
    pub fn tags(&self) -> Vec<String> {
        split_tags(self.tag_names.as_deref())
    }
}

/// Tag names from the comma-joined `tag_names` column, sorted.
fn split_tags(joined: Option<&str>) -> Vec<String> {
    let mut tags: Vec<String> = joined
        .unwrap_or("")
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.sort();
    tags
}

/// A correlated subquery with the post's tag names joined by commas, in each back-end's
/// dialect (`group_concat`, `string_agg`, `GROUP_CONCAT … SEPARATOR`).
fn tag_names(backend: DbBackend) -> Expr {
    let sql = match backend {
        DbBackend::Postgres => {
            r#"(SELECT string_agg("tag"."name", ',') FROM "post_tag" JOIN "tag" ON "tag"."id" = "post_tag"."tag_id" WHERE "post_tag"."post_id" = "post"."id")"#
        }
        DbBackend::MySql => {
            "(SELECT GROUP_CONCAT(`tag`.`name` SEPARATOR ',') FROM `post_tag` JOIN `tag` ON `tag`.`id` = `post_tag`.`tag_id` WHERE `post_tag`.`post_id` = `post`.`id`)"
        }
        _ => {
            r#"(SELECT group_concat("tag"."name", ',') FROM "post_tag" JOIN "tag" ON "tag"."id" = "post_tag"."tag_id" WHERE "post_tag"."post_id" = "post"."id")"#
        }
    };
    Expr::cust(sql)
}

/// A list entry ready for a page.
#[derive(Clone, Debug)]
pub struct PostCard {
    pub row: PostRow,
    pub tags: Vec<String>,
}

/// A position in a post list: the `listed_at` and `id` of a post. In links it reads
/// `{nanoseconds since 1970}_{id}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i32,
}

impl Cursor {
    pub fn of(row: &PostRow) -> Cursor {
        Cursor {
            at: row.listed_at,
            id: row.id,
        }
    }

    /// `None` for anything that is not a cursor this code wrote.
    pub fn parse(raw: &str) -> Option<Cursor> {
        let (nanos, id) = raw.split_once('_')?;
        Some(Cursor {
            at: DateTime::from_timestamp_nanos(nanos.parse().ok()?),
            id: id.parse().ok()?,
        })
    }

    pub fn encode(&self) -> String {
        let nanos = self
            .at
            .timestamp_nanos_opt()
            .unwrap_or_else(|| self.at.timestamp_micros().saturating_mul(1000));
        format!("{nanos}_{}", self.id)
    }
}

/// Which page of a list: the newest, the one after (older than) a post, or the one before
/// (newer than) a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Position {
    #[default]
    Newest,
    Older(Cursor),
    Newer(Cursor),
}

/// A page of a post list with the cursors of its neighbours (`None` at either end).
#[derive(Clone, Debug, Default)]
pub struct PostSlice {
    pub items: Vec<PostCard>,
    pub newer: Option<Cursor>,
    pub older: Option<Cursor>,
}

/// Which posts a list shows.
#[derive(Clone, Debug, Default)]
pub struct PostFilter {
    /// Case-insensitive text in the title or body.
    pub q: Option<String>,
    pub author_id: Option<i32>,
    pub tag_id: Option<i32>,
    pub category_ids: Option<Vec<i32>>,
    /// Drafts too (the author's own page, for them or a moderator).
    pub include_drafts: bool,
}

impl PostFilter {
    fn condition(&self, backend: DbBackend) -> Condition {
        let mut condition = Condition::all();
        if !self.include_drafts {
            condition = condition.add(post::Column::Status.eq(PostStatus::Published));
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            condition = condition.add(text_search(backend, q));
        }
        if let Some(author_id) = self.author_id {
            condition = condition.add(post::Column::AuthorId.eq(author_id));
        }
        if let Some(tag_id) = self.tag_id {
            condition = condition.add(
                post::Column::Id.in_subquery(
                    Query::select()
                        .column(post_tag::Column::PostId)
                        .from(post_tag::Entity)
                        .and_where(post_tag::Column::TagId.eq(tag_id))
                        .to_owned(),
                ),
            );
        }
        if let Some(ids) = &self.category_ids {
            condition = condition.add(post::Column::CategoryId.is_in(ids.clone()));
        }
        condition
    }
}

/// Posts whose title or body contains `q`, case-insensitively. On SQLite a phrase of three
/// characters or more is looked up in the trigram index `post_search` (migration 12); shorter
/// ones, and the other backends, use `LIKE` (served by trigram indexes on PostgreSQL).
fn text_search(backend: DbBackend, q: &str) -> Condition {
    if backend == DbBackend::Sqlite && q.chars().count() >= 3 {
        let phrase = format!("\"{}\"", q.replace('"', "\"\""));
        return Condition::all().add(
            Expr::col((post::Entity, post::Column::Id)).in_subquery(
                Query::select()
                    .expr(Expr::cust("rowid"))
                    .from("post_search")
                    .and_where(Expr::cust_with_values("post_search MATCH ?", [phrase]))
                    .to_owned(),
            ),
        );
    }
    Condition::any()
        .add(super::contains_text(
            Expr::col((post::Entity, post::Column::Title)),
            q,
        ))
        .add(super::contains_text(
            Expr::col((post::Entity, post::Column::Body)),
            q,
        ))
}

/// Posts matching the filter, newest first, by keyset: the rows after (or before) a cursor on
/// `(listed_at, id)`, so the page at depth 5,000 costs what the first does, in one statement
/// (rows with author, category, comment count and tag names). No total is counted.
pub async fn list_posts(
    db: &impl ConnectionTrait,
    filter: &PostFilter,
    position: Position,
    per_page: u64,
) -> Result<PostSlice, DbErr> {
    let per_page = per_page.clamp(1, 100);
    let take = usize::try_from(per_page).unwrap_or(100);
    let at = || Expr::col((post::Entity, post::Column::ListedAt));
    let id = || Expr::col((post::Entity, post::Column::Id));
    // `listed_at <= t AND (listed_at < t OR id < i)`: the same rows as the row comparison
    // `(listed_at, id) < (t, i)`, with a leading bound every back-end turns into an index
    // range (without it SQLite scans from the top, and deep pages cost thirty times more).
    let (keyset, order) = match position {
        Position::Newest => (Condition::all(), Order::Desc),
        Position::Older(c) => (
            Condition::all()
                .add(at().lte(c.at))
                .add(Condition::any().add(at().lt(c.at)).add(id().lt(c.id))),
            Order::Desc,
        ),
        Position::Newer(c) => (
            Condition::all()
                .add(at().gte(c.at))
                .add(Condition::any().add(at().gt(c.at)).add(id().gt(c.id))),
            Order::Asc,
        ),
    };
    let mut rows = post_rows(db.get_database_backend())
        .filter(filter.condition(db.get_database_backend()))
        .filter(keyset)
        .order_by(at(), order.clone())
        .order_by(id(), order)
        .limit(per_page + 1)
        .into_model::<PostRow>()
        .all(db)
        .await?;
    let more = rows.len() > take;
    rows.truncate(take);
    let (newer, older) = match position {
        Position::Newest => (false, more),
        Position::Older(_) => (true, more),
        Position::Newer(_) => {
            if !more {
                // Back at the top: the newest page, full, and no "newer" link.
                return Box::pin(list_posts(db, filter, Position::Newest, per_page)).await;
            }
            rows.reverse();
            (true, true)
        }
    };
    let page_newer = if newer {
        rows.first().map(Cursor::of)
    } else {
        None
    };
    let page_older = if older {
        rows.last().map(Cursor::of)
    } else {
        None
    };
    Ok(PostSlice {
        items: cards(rows),
        newer: page_newer,
        older: page_older,
    })
}

/// How many posts match the filter (for small sets: one category's posts before deleting it).
pub async fn count_posts(db: &impl ConnectionTrait, filter: &PostFilter) -> Result<u64, DbErr> {
    post::Entity::find()
        .filter(filter.condition(db.get_database_backend()))
        .count(db)
        .await
}

/// The `limit` newest published posts, without a count (home page).
pub async fn recent_posts(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<PostCard>, DbErr> {
    let rows = post_rows(db.get_database_backend())
        .filter(post::Column::Status.eq(PostStatus::Published))
        .order_by_desc(Expr::col((post::Entity, post::Column::ListedAt)))
        .order_by_desc(Expr::col((post::Entity, post::Column::Id)))
        .limit(limit)
        .into_model::<PostRow>()
        .all(db)
        .await?;
    Ok(cards(rows))
}

fn post_rows(backend: DbBackend) -> sea_orm::Select<post::Entity> {
    let visible_comments = Query::select()
        .expr(Expr::col((comment::Entity, comment::Column::Id)).count())
        .from(comment::Entity)
        .and_where(
            Expr::col((comment::Entity, comment::Column::PostId))
                .equals((post::Entity, post::Column::Id)),
        )
        .and_where(Expr::col((comment::Entity, comment::Column::IsHidden)).eq(false))
        .to_owned();
    post::Entity::find()
        .select_only()
        .columns([
            post::Column::Id,
            post::Column::Title,
            post::Column::Slug,
            post::Column::Excerpt,
            post::Column::Status,
            post::Column::CreatedAt,
            post::Column::PublishedAt,
            post::Column::ListedAt,
        ])
        .column_as(user::Column::Username, "author")
        .column_as(category::Column::Name, "category_name")
        .column_as(category::Column::Slug, "category_slug")
        .expr_as(
            Expr::SubQuery(None, Box::new(visible_comments.into_sub_query_statement())),
            "comment_count",
        )
        .expr_as(tag_names(backend), "tag_names")
        .join(JoinType::InnerJoin, post::Relation::User.def())
        .join(JoinType::LeftJoin, post::Relation::Category.def())
}

fn cards(rows: Vec<PostRow>) -> Vec<PostCard> {
    rows.into_iter()
        .map(|row| PostCard {
            tags: row.tags(),
            row,
        })
        .collect()
}

/// Tag names per post, in one query.
pub async fn tags_of(
    db: &impl ConnectionTrait,
    post_ids: Vec<i32>,
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut by_post: HashMap<i32, Vec<String>> = HashMap::new();
    if post_ids.is_empty() {
        return Ok(by_post);
    }
    let links = post_tag::Entity::find()
        .filter(post_tag::Column::PostId.is_in(post_ids))
        .find_also_related(tag::Entity)
        .all(db)
        .await?;
    for (link, tag) in links {
        if let Some(tag) = tag {
            by_post.entry(link.post_id).or_default().push(tag.name);
        }
    }
    for names in by_post.values_mut() {
        names.sort();
    }
    Ok(by_post)
}

/// A post with author, category and tags.
#[derive(Clone, Debug)]
pub struct PostDetail {
    pub post: post::Model,
    pub author: super::UserRef,
    pub category: Option<category::Model>,
    pub tags: Vec<String>,
}

/// A post with its author and tags, in one statement. Its `category` is left for the caller to
/// take from the category tree (`categories`), which pages keep in the cache.
pub async fn post_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<PostDetail>, DbErr> {
    let backend = db.get_database_backend();
    let select = super::partial_pair_select::<_, _, post::Model, super::UserRef>(
        post::Entity::find()
            .filter(post::Column::Slug.eq(slug))
            .find_also_related(user::Entity),
    )
    .expr_as(tag_names(backend), "tag_names");
    let Some(row) = db.query_one_raw(select.build(backend)).await? else {
        return Ok(None);
    };
    let post = post::Model::from_query_result(&row, "A_")?;
    let Some(author) = super::UserRef::from_query_result_optional(&row, "B_")? else {
        return Ok(None);
    };
    let tags = split_tags(row.try_get::<Option<String>>("", "tag_names")?.as_deref());
    Ok(Some(PostDetail {
        post,
        author,
        category: None,
        tags,
    }))
}

pub type CommentRow = (comment::Model, Option<super::UserRef>);

/// Comments of a post, oldest first, with their total (one statement); hidden ones only for
/// moderators.
pub async fn comments(
    db: &impl ConnectionTrait,
    post_id: i32,
    include_hidden: bool,
    page: u64,
) -> Result<Page<CommentRow>, DbErr> {
    let mut query = comment::Entity::find().filter(comment::Column::PostId.eq(post_id));
    if !include_hidden {
        query = query.filter(comment::Column::IsHidden.eq(false));
    }
    super::pair_page::<_, _, comment::Model, super::UserRef>(
        db,
        query
            .order_by_asc(comment::Column::CreatedAt)
            .order_by_asc(comment::Column::Id)
            .find_also_related(user::Entity),
        page,
        COMMENTS_PER_PAGE,
    )
    .await
}

/// Adds a comment (and moves the content version, so cached pages show it at once).
pub async fn add_comment(
    db: &(impl ConnectionTrait + TransactionTrait),
    post_id: i32,
    author_id: i32,
    body: String,
) -> Result<comment::Model, DbErr> {
    let txn = super::begin_write(db).await?;
    let created = comment::ActiveModel {
        post_id: Set(post_id),
        author_id: Set(author_id),
        body: Set(body),
        is_hidden: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

/// Checked values of the post form.
#[derive(Clone, Debug)]
pub struct PostInput {
    pub title: String,
    pub body: String,
    pub category_id: Option<i32>,
    pub tags: Vec<String>,
    pub status: PostStatus,
}

/// Splits "Rust, web dev, rust" into ["rust", "web-dev"]; refuses junk with a message.
pub fn parse_tags(raw: &str) -> Result<Vec<String>, String> {
    let mut tags = BTreeSet::new();
    for part in raw.split(',') {
        let name = part.trim().to_lowercase();
        if name.is_empty() {
            continue;
        }
        let ok = name.chars().count() <= 50
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == ' ')
            && name.chars().any(char::is_alphanumeric);
        if !ok {
            return Err(format!(
                "Tags may hold letters, digits, spaces and hyphens (50 at most): “{}” is not allowed.",
                part.trim()
            ));
        }
        tags.insert(name.split_whitespace().collect::<Vec<_>>().join("-"));
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("Use at most {MAX_TAGS} tags."));
    }
    Ok(tags.into_iter().collect())
}

/// Looks up (or creates) the tags and returns their ids.
async fn tag_ids(db: &impl ConnectionTrait, names: &[String]) -> Result<Vec<i32>, DbErr> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    // Insert what is missing; a name created meanwhile by someone else is simply kept.
    tag::Entity::insert_many(names.iter().map(|name| tag::ActiveModel {
        name: Set(name.clone()),
        ..Default::default()
    }))
    // "Update" the name to itself: the one upsert form all three backends accept.
    .on_conflict(
        OnConflict::column(tag::Column::Name)
            .update_column(tag::Column::Name)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(tag::Entity::find()
        .filter(tag::Column::Name.is_in(names.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect())
}

async fn set_tags(db: &impl ConnectionTrait, post_id: i32, names: &[String]) -> Result<(), DbErr> {
    post_tag::Entity::delete_many()
        .filter(post_tag::Column::PostId.eq(post_id))
        .exec(db)
        .await?;
    let ids = tag_ids(db, names).await?;
    if !ids.is_empty() {
        post_tag::Entity::insert_many(ids.into_iter().map(|tag_id| post_tag::ActiveModel {
            post_id: Set(post_id),
            tag_id: Set(tag_id),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// A slug for `title` that no post uses yet.
async fn free_slug(db: &impl ConnectionTrait, title: &str) -> Result<String, DbErr> {
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
const SLUG_ATTEMPTS: usize = 8;

/// Creates a post with its tags in one write transaction. A slug taken by someone else between
/// the look-up and the insert is retried inside the same transaction, from a savepoint.
pub async fn create_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    author_id: i32,
    input: PostInput,
) -> Result<post::Model, DbErr> {
    // Rendered before the transaction: it holds the write lock only for the writes.
    let body_html = markup::to_safe_html(&input.body);
    let excerpt = markup::excerpt(&input.body, EXCERPT_CHARS);
    let txn = super::begin_write(db).await?;
    let base = free_slug(&txn, &input.title).await?;
    let now = Utc::now();
    for attempt in 0..SLUG_ATTEMPTS {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!(
                "{base}-{}",
                crate::auth::password::generate(6).to_lowercase()
            )
        };
        let savepoint = super::begin_write(&txn).await?;
        let inserted = post::ActiveModel {
            title: Set(input.title.clone()),
            slug: Set(slug),
            body: Set(input.body.clone()),
            body_html: Set(Some(body_html.clone())),
            excerpt: Set(excerpt.clone()),
            listed_at: Set(now),
            status: Set(input.status),
            author_id: Set(author_id),
            category_id: Set(input.category_id),
            created_at: Set(now),
            updated_at: Set(now),
            published_at: Set((input.status == PostStatus::Published).then_some(now)),
            ..Default::default()
        }
        .insert(&savepoint)
        .await;
        match inserted {
            Ok(created) => {
                savepoint.commit().await?;
                set_tags(&txn, created.id, &input.tags).await?;
                super::content_changed(&txn).await?;
                txn.commit().await?;
                return Ok(created);
            }
            // Someone took the slug between our look-up and insert: back to the savepoint.
            Err(error) if unique_violation(&error).is_some() => {
                savepoint.rollback().await?;
            }
            Err(error) => return Err(error),
        }
    }
    Err(DbErr::Custom("could not find a free slug".into()))
}

/// Saves an edit (the slug stays, so links keep working) with its tags in one transaction. An
/// edit or publication by someone other than the author (a moderator) is audited.
pub async fn update_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    existing: post::Model,
    input: PostInput,
    actor: &Actor,
) -> Result<post::Model, DbErr> {
    let body_html = markup::to_safe_html(&input.body);
    let excerpt = markup::excerpt(&input.body, EXCERPT_CHARS);
    let txn = super::begin_write(db).await?;
    let first_publication =
        existing.published_at.is_none() && input.status == PostStatus::Published;
    let post_id = existing.id;
    let by_other = actor.id != Some(existing.author_id);
    let before = serde_json::json!({ "title": existing.title, "status": existing.status.as_str() });
    let mut active: post::ActiveModel = existing.into();
    active.title = Set(input.title);
    active.body = Set(input.body);
    active.body_html = Set(Some(body_html));
    active.excerpt = Set(excerpt);
    active.category_id = Set(input.category_id);
    active.status = Set(input.status);
    if first_publication {
        let now = Utc::now();
        active.published_at = Set(Some(now));
        active.listed_at = Set(now);
    }
    let updated = active.update(&txn).await?;
    set_tags(&txn, post_id, &input.tags).await?;
    if by_other {
        let action = if first_publication {
            "post.publish"
        } else {
            "post.update"
        };
        let after =
            serde_json::json!({ "title": updated.title, "status": updated.status.as_str() });
        audit::record(
            &txn,
            actor,
            action,
            "post",
            post_id,
            Some(before),
            Some(after),
        )
        .await?;
    }
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a post (its comments and tag links go with it); audited when someone other than the
/// author deletes it.
pub async fn delete_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    post: &post::Model,
    actor: &Actor,
) -> Result<(), DbErr> {
    let txn = super::begin_write(db).await?;
    post::Entity::delete_by_id(post.id).exec(&txn).await?;
    if actor.id != Some(post.author_id) {
        let before = serde_json::json!({
            "title": post.title,
            "slug": post.slug,
            "author_id": post.author_id,
        });
        audit::record(
            &txn,
            actor,
            "post.delete",
            "post",
            post.id,
            Some(before),
            None,
        )
        .await?;
    }
    super::content_changed(&txn).await?;
    txn.commit().await
}

/// The whole category tree (it is small): one query.
pub async fn categories(db: &impl ConnectionTrait) -> Result<Vec<category::Model>, DbErr> {
    category::Entity::find()
        .order_by_asc(category::Column::Name)
        .all(db)
        .await
}

/// Published posts per category (one GROUP BY query).
pub async fn post_counts(db: &impl ConnectionTrait) -> Result<HashMap<i32, u64>, DbErr> {
    Ok(post::Entity::find()
        .select_only()
        .column(post::Column::CategoryId)
        .column_as(post::Column::Id.count(), "n")
        .filter(post::Column::Status.eq(PostStatus::Published))
        .filter(post::Column::CategoryId.is_not_null())
        .group_by(post::Column::CategoryId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
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
pub fn flatten(all: &[category::Model], counts: &HashMap<i32, u64>) -> Vec<TreeNode> {
    fn walk(
        all: &[category::Model],
        counts: &HashMap<i32, u64>,
        parent: Option<i32>,
        depth: usize,
        out: &mut Vec<TreeNode>,
    ) {
        for c in all.iter().filter(|c| c.parent_id == parent) {
            let total_posts = descendants(all, c.id)
                .iter()
                .map(|id| counts.get(id).copied().unwrap_or(0))
                .sum();
            out.push(TreeNode {
                category: c.clone(),
                depth,
                total_posts,
            });
            if depth < 32 {
                walk(all, counts, Some(c.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::with_capacity(all.len());
    walk(all, counts, None, 0, &mut out);
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

fn check_category_name(name: &str) -> Result<String, AdminError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AdminError::Field(
            "name",
            "Give the category a name.".into(),
        ));
    }
    if name.chars().count() > 64 {
        return Err(AdminError::Field(
            "name",
            "Category names are at most 64 characters long.".into(),
        ));
    }
    Ok(name.to_owned())
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

pub async fn create_category(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    name: &str,
    parent_id: Option<i32>,
) -> Result<category::Model, AdminError> {
    let name = check_category_name(name)?;
    let txn = super::begin_write(db).await?;
    if let Some(parent) = parent_id
        && category::Entity::find_by_id(parent)
            .one(&txn)
            .await?
            .is_none()
    {
        return Err(AdminError::Field(
            "parent_id",
            "Choose a parent from the list.".into(),
        ));
    }
    let created = category::ActiveModel {
        slug: Set(free_category_slug(&txn, &name).await?),
        name: Set(name),
        parent_id: Set(parent_id),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "category.create",
        "category",
        created.id,
        None,
        Some(json!({ "name": created.name, "parent_id": created.parent_id })),
    )
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

/// Renames and/or moves a category; moving it under itself or a descendant is refused.
pub async fn update_category(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i32,
    name: &str,
    parent_id: Option<i32>,
) -> Result<category::Model, AdminError> {
    let name = check_category_name(name)?;
    let txn = super::begin_write(db).await?;
    let all = categories(&txn).await?;
    let existing = all
        .iter()
        .find(|c| c.id == id)
        .cloned()
        .ok_or(AdminError::NotFound)?;
    if let Some(parent) = parent_id {
        if !all.iter().any(|c| c.id == parent) {
            return Err(AdminError::Field(
                "parent_id",
                "Choose a parent from the list.".into(),
            ));
        }
        if descendants(&all, id).contains(&parent) {
            return Err(AdminError::Field(
                "parent_id",
                "A category cannot move under itself or one of its own subcategories.".into(),
            ));
        }
    }
    let before = json!({ "name": existing.name, "parent_id": existing.parent_id });
    let mut active: category::ActiveModel = existing.into();
    active.name = Set(name);
    active.parent_id = Set(parent_id);
    let updated = active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        "category.update",
        "category",
        id,
        Some(before),
        Some(json!({ "name": updated.name, "parent_id": updated.parent_id })),
    )
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a category without subcategories; its posts become uncategorised.
pub async fn delete_category(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i32,
) -> Result<u64, AdminError> {
    let txn = super::begin_write(db).await?;
    let existing = category::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let children = category::Entity::find()
        .filter(category::Column::ParentId.eq(id))
        .count(&txn)
        .await?;
    if children > 0 {
        return Err(AdminError::Refused(
            "This category has subcategories: move or delete them first.".into(),
        ));
    }
    let posts = post::Entity::find()
        .filter(post::Column::CategoryId.eq(id))
        .count(&txn)
        .await?;
    category::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        "category.delete",
        "category",
        id,
        Some(json!({ "name": existing.name, "parent_id": existing.parent_id, "posts": posts })),
        None,
    )
    .await?;
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(posts)
}

/// A post as a link: id, title and slug (never its body).
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "post::Entity")]
pub struct PostRef {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

pub type ModerationRow = (comment::Model, Option<super::UserRef>, Option<PostRef>);

/// Newest comments first, hidden ones included, with author and post (two statements: the
/// comments with their authors and total, then their posts).
pub async fn moderation_queue(
    db: &impl ConnectionTrait,
    page: u64,
    per_page: u64,
) -> Result<Page<ModerationRow>, DbErr> {
    let found = super::pair_page::<_, _, comment::Model, super::UserRef>(
        db,
        comment::Entity::find()
            .order_by_desc(comment::Column::CreatedAt)
            .order_by_desc(comment::Column::Id)
            .find_also_related(user::Entity),
        page,
        per_page,
    )
    .await?;
    let post_ids: Vec<i32> = found.items.iter().map(|(c, _)| c.post_id).collect();
    let posts: HashMap<i32, PostRef> = if post_ids.is_empty() {
        HashMap::new()
    } else {
        post::Entity::find()
            .filter(post::Column::Id.is_in(post_ids))
            .into_partial_model::<PostRef>()
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    Ok(Page {
        items: found
            .items
            .into_iter()
            .map(|(c, author)| {
                let post = posts.get(&c.post_id).cloned();
                (c, author, post)
            })
            .collect(),
        number: found.number,
        pages: found.pages,
        total: found.total,
    })
}

pub async fn set_comment_hidden(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: i32,
    hidden: bool,
) -> Result<comment::Model, AdminError> {
    let txn = super::begin_write(db).await?;
    let existing = comment::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AdminError::NotFound)?;
    let was = existing.is_hidden;
    let mut active: comment::ActiveModel = existing.into();
    active.is_hidden = Set(hidden);
    let updated = active.update(&txn).await?;
    if was != hidden {
        let action = if hidden {
            "comment.hide"
        } else {
            "comment.unhide"
        };
        audit::record(
            &txn,
            actor,
            action,
            "comment",
            id,
            Some(json!({ "is_hidden": was })),
            Some(json!({ "is_hidden": hidden })),
        )
        .await?;
    }
    super::content_changed(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Clone, Debug, FromQueryResult)]
pub struct TopAuthor {
    pub username: String,
    pub posts: i64,
    pub comments: i64,
}

/// Authors with the most posts published in the last 30 days, with the comments those posts
/// received. One hand-written SQL statement for all three backends; only the identifier
/// quote and placeholder style differ.
pub async fn top_authors(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<TopAuthor>, DbErr> {
    let backend = db.get_database_backend();
    let (q, p1, p2, p3) = match backend {
        DbBackend::Postgres => ('"', "$1", "$2", "$3"),
        DbBackend::MySql => ('`', "?", "?", "?"),
        _ => ('"', "?", "?", "?"),
    };
    let sql = format!(
        "SELECT u.{q}username{q} AS username, \
                COUNT(DISTINCT p.{q}id{q}) AS posts, \
                COUNT(c.{q}id{q}) AS comments \
         FROM {q}post{q} p \
         JOIN {q}user{q} u ON u.{q}id{q} = p.{q}author_id{q} \
         LEFT JOIN {q}comment{q} c ON c.{q}post_id{q} = p.{q}id{q} AND c.{q}is_hidden{q} = {false_literal} \
         WHERE p.{q}status{q} = {p1} AND p.{q}published_at{q} >= {p2} \
         GROUP BY u.{q}id{q}, u.{q}username{q} \
         ORDER BY posts DESC, comments DESC, username ASC \
         LIMIT {p3}",
        false_literal = if backend == DbBackend::Postgres {
            "FALSE"
        } else {
            "0"
        },
    );
    let since = Utc::now() - Duration::days(30);
    let statement = Statement::from_sql_and_values(
        backend,
        sql,
        [
            PostStatus::Published.as_str().into(),
            since.into(),
            sea_orm::Value::BigInt(Some(i64::try_from(limit).unwrap_or(10))),
        ],
    );
    TopAuthor::find_by_statement(statement).all(db).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: i32, parent: Option<i32>) -> category::Model {
        category::Model {
            id,
            name: format!("c{id}"),
            slug: format!("c{id}"),
            parent_id: parent,
        }
    }

    #[test]
    fn tags_are_normalised_and_junk_is_refused() {
        assert_eq!(
            parse_tags(" Rust, web dev ,rust,, ").unwrap(),
            vec!["rust", "web-dev"]
        );
        assert!(parse_tags("ok, <script>").unwrap_err().contains("<script>"));
        assert!(parse_tags(&"x".repeat(51)).is_err());
        assert!(parse_tags("---").is_err());
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert!(
            parse_tags(&many.join(","))
                .unwrap_err()
                .contains("at most 10")
        );
    }

    #[test]
    fn the_tree_knows_descendants_and_ancestors() {
        let all = vec![cat(1, None), cat(2, Some(1)), cat(3, Some(2)), cat(4, None)];
        assert_eq!(descendants(&all, 1), vec![1, 2, 3]);
        assert_eq!(
            ancestors(&all, 3).iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        let counts = HashMap::from([(3, 2), (4, 1)]);
        let flat = flatten(&all, &counts);
        assert_eq!(
            flat.iter()
                .map(|n| (n.category.id, n.depth, n.total_posts))
                .collect::<Vec<_>>(),
            vec![(1, 0, 2), (2, 1, 2), (3, 2, 2), (4, 0, 1)]
        );
    }
}
