//! Posts: keyset lists with their filters, a post page, who may see and edit what, and writing, editing and deleting posts with their tags.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::enums::PostStatus;
use entity::{category, post, post_tag, user};
use sea_orm::sea_query::{Expr, Query, QueryStatementBuilder};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, ExprTrait, FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, RelationTrait, TransactionSession, TransactionTrait,
};

use entity::enums::Permission;

use super::tags::{join_tags, set_tags, split_tags};
use super::*;
use crate::domain::{CurrentUser, PostBody, Tags, Title, Viewer, slugify};
use crate::services::ServiceError;
use crate::services::audit::{self, Actor};
use crate::services::error::is_unique_violation;

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
    /// Its visible comments (stored: `post.comment_count`).
    pub comment_count: i32,
    /// Its tag names joined by commas (stored: `post.tag_names`).
    pub tag_names: String,
}

impl PostRow {
    /// The tag names, sorted.
    pub fn tags(&self) -> Vec<String> {
        split_tags(&self.tag_names)
    }
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
    /// Only posts with this status (with `include_drafts` for drafts).
    pub status: Option<PostStatus>,
}

impl PostFilter {
    fn condition(&self, backend: DbBackend) -> Condition {
        let mut condition = self.condition_but_tag(backend);
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
        condition
    }

    /// Every condition but the tag's, which a list applies by joining `post_tag`.
    fn condition_but_tag(&self, backend: DbBackend) -> Condition {
        let mut condition = Condition::all();
        if !self.include_drafts {
            condition = condition.add(post::Column::Status.eq(PostStatus::Published));
        } else if let Some(status) = self.status {
            condition = condition.add(post::Column::Status.eq(status));
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            condition = condition.add(text_search(backend, q));
        }
        if let Some(author_id) = self.author_id {
            condition = condition.add(post::Column::AuthorId.eq(author_id));
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
        .add(crate::services::contains_text(
            Expr::col((post::Entity, post::Column::Title)),
            q,
        ))
        .add(crate::services::contains_text(
            Expr::col((post::Entity, post::Column::Body)),
            q,
        ))
}

/// The statement of a [`list_posts`] page: `per_page + 1` rows from the position on (one more
/// tells whether there is a next page). On SQLite a list of all posts or of categories reads
/// only the covering index `idx_post_list_covering` (migration 19).
pub fn list_select(
    backend: DbBackend,
    filter: &PostFilter,
    position: Position,
    per_page: u64,
) -> sea_orm::Select<post::Entity> {
    let by_tag = filter.tag_id.is_some();
    let at = || {
        if by_tag {
            Expr::col((post_tag::Entity, post_tag::Column::ListedAt))
        } else {
            Expr::col((post::Entity, post::Column::ListedAt))
        }
    };
    let id = || {
        if by_tag {
            Expr::col((post_tag::Entity, post_tag::Column::PostId))
        } else {
            Expr::col((post::Entity, post::Column::Id))
        }
    };
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
    let mut select = post_rows().filter(filter.condition_but_tag(backend));
    if let Some(tag_id) = filter.tag_id {
        select = select
            .join(JoinType::InnerJoin, post_tag::Relation::Post.def().rev())
            .filter(post_tag::Column::TagId.eq(tag_id));
    }
    select
        .filter(keyset)
        .order_by(at(), order.clone())
        .order_by(id(), order)
        .limit(per_page + 1)
}

/// Posts matching the filter, newest first, by keyset: the rows after (or before) a cursor on
/// `(listed_at, id)`, so the page at depth 5,000 costs what the first does, in one statement
/// (rows with author, category, comment count and tag names). No total is counted. A tag's
/// list is read from the links' own `(tag_id, listed_at, post_id)` index, in order.
pub async fn list_posts(
    db: &impl ConnectionTrait,
    filter: &PostFilter,
    position: Position,
    per_page: u64,
) -> Result<PostSlice, DbErr> {
    let per_page = per_page.clamp(1, 100);
    let take = usize::try_from(per_page).unwrap_or(100);
    let mut rows = list_select(db.get_database_backend(), filter, position, per_page)
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
    let rows = post_rows()
        .filter(post::Column::Status.eq(PostStatus::Published))
        .order_by_desc(Expr::col((post::Entity, post::Column::ListedAt)))
        .order_by_desc(Expr::col((post::Entity, post::Column::Id)))
        .limit(limit)
        .into_model::<PostRow>()
        .all(db)
        .await?;
    Ok(cards(rows))
}

pub(super) fn post_rows() -> sea_orm::Select<post::Entity> {
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
            post::Column::CommentCount,
            post::Column::TagNames,
        ])
        .column_as(user::Column::Username, "author")
        .column_as(category::Column::Name, "category_name")
        .column_as(category::Column::Slug, "category_slug")
        .join(JoinType::InnerJoin, post::Relation::User.def())
        .join(JoinType::LeftJoin, post::Relation::Category.def())
}

pub(super) fn cards(rows: Vec<PostRow>) -> Vec<PostCard> {
    rows.into_iter()
        .map(|row| PostCard {
            tags: row.tags(),
            row,
        })
        .collect()
}

/// A post with author, tags and its category's trail.
#[derive(Clone, Debug)]
pub struct PostDetail {
    pub post: post::Model,
    pub author: crate::services::UserRef,
    /// The category's trail, root first and the category last; empty without a category.
    pub trail: Vec<super::Crumb>,
    pub tags: Vec<String>,
}

/// The post by `slug` with its author (`A_`, `B_`) and its category's stored trail.
fn detail_select(slug: &str) -> sea_orm::SelectTwo<post::Entity, user::Entity> {
    crate::services::partial_pair_select::<_, _, post::Model, crate::services::UserRef>(
        post::Entity::find()
            .filter(post::Column::Slug.eq(slug))
            .find_also_related(user::Entity),
    )
    .column_as(category::Column::Trail, "category_trail")
    .join(JoinType::LeftJoin, post::Relation::Category.def())
}

/// The [`PostDetail`] of a [`detail_select`] row (None without its author).
async fn detail_of(
    db: &impl ConnectionTrait,
    row: &sea_orm::QueryResult,
) -> Result<Option<PostDetail>, DbErr> {
    let post = post::Model::from_query_result(row, "A_")?;
    let Some(author) = crate::services::UserRef::from_query_result_optional(row, "B_")? else {
        return Ok(None);
    };
    let tags = split_tags(&post.tag_names);
    let stored = row.try_get::<Option<String>>("", "category_trail")?;
    let trail = match (post.category_id, super::parse_trail(stored.as_deref())) {
        (None, _) => Vec::new(),
        (Some(_), Some(trail)) => trail,
        // A category row written by other means has no trail: the tree gives it.
        (Some(id), None) => super::trail(&super::categories(db).await?, id),
    };
    Ok(Some(PostDetail {
        post,
        author,
        trail,
        tags,
    }))
}

/// A post with its author, tags and category trail, in one statement (two when the
/// category's stored trail is missing).
pub async fn post_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<PostDetail>, DbErr> {
    let select = detail_select(slug);
    match db
        .query_one_raw(select.build(db.get_database_backend()))
        .await?
    {
        Some(row) => detail_of(db, &row).await,
        None => Ok(None),
    }
}

/// A comment as [`post_with_comments`] reads it from JSON: id, author id, author name (None when
/// the account is gone), body, hidden as 1/0, written at.
#[derive(serde::Deserialize)]
struct CommentCell(i32, i32, Option<String>, String, u8, String);

impl CommentCell {
    fn into_row(self, post_id: i32) -> Result<super::CommentRow, DbErr> {
        let CommentCell(id, author_id, username, body, hidden, created_at) = self;
        Ok((
            entity::comment::Model {
                id,
                post_id,
                author_id,
                body,
                is_hidden: hidden != 0,
                created_at: parse_stored_time(&created_at)?,
            },
            username.map(|username| crate::services::UserRef {
                id: author_id,
                username,
            }),
        ))
    }
}

/// A timestamp as a backend writes it into JSON: RFC 3339 (PostgreSQL, `T` between date and
/// time) or the text SQLite stores (a space between them, the offset optional).
fn parse_stored_time(text: &str) -> Result<DateTime<Utc>, DbErr> {
    let with_t = text.replacen(' ', "T", 1);
    DateTime::parse_from_rfc3339(&with_t)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc())
        })
        .map_err(|e| DbErr::Json(format!("comment time {text:?}: {e}")))
}

/// A post page's data: the post with author, tags and trail, and one page of its comments
/// (oldest first; hidden ones only with `include_hidden`) with their total. One statement on
/// SQLite and PostgreSQL: the comments come as one JSON column of the post's row, and the
/// total is the maintained `comment_count` (or, with hidden comments, a count in the same
/// statement). MySQL/MariaDB cannot reach the post from inside the comments' derived table,
/// so there it is two statements (three for a moderator past the last page, for the total).
pub async fn post_with_comments(
    db: &impl ConnectionTrait,
    slug: &str,
    include_hidden: bool,
    page: u64,
) -> Result<Option<(PostDetail, crate::services::Page<super::CommentRow>)>, DbErr> {
    use entity::comment;
    use sea_orm::sea_query::{Alias, Func};
    let backend = db.get_database_backend();
    let page = page.clamp(1, crate::services::MAX_PAGE);
    if backend == DbBackend::MySql {
        let Some(detail) = post_by_slug(db, slug).await? else {
            return Ok(None);
        };
        let mut comments = super::comments(db, detail.post.id, include_hidden, page).await?;
        // Readers' total is the maintained count, as on the other backends. A moderator's
        // comes with the rows, except past the last page, where none carries it (a third
        // statement, only there).
        if !include_hidden {
            comments.total = u64::try_from(detail.post.comment_count).unwrap_or(0);
        } else if comments.items.is_empty() && page > 1 {
            comments.total = comment::Entity::find()
                .filter(comment::Column::PostId.eq(detail.post.id))
                .count(db)
                .await?;
        }
        comments.pages = comments.total.div_ceil(super::COMMENTS_PER_PAGE);
        return Ok(Some((detail, comments)));
    }
    let of_post = || {
        let mut on_post = Condition::all().add(
            Expr::col((comment::Entity, comment::Column::PostId))
                .equals((post::Entity, post::Column::Id)),
        );
        if !include_hidden {
            on_post =
                on_post.add(Expr::col((comment::Entity, comment::Column::IsHidden)).eq(false));
        }
        on_post
    };
    let hidden =
        crate::services::json_flag(Expr::col((comment::Entity, comment::Column::IsHidden)));
    let shown = Query::select()
        .expr_as(Expr::col((comment::Entity, comment::Column::Id)), "id")
        .expr_as(
            Expr::col((comment::Entity, comment::Column::AuthorId)),
            "author_id",
        )
        .expr_as(
            Expr::col((user::Entity, user::Column::Username)),
            "username",
        )
        .expr_as(Expr::col((comment::Entity, comment::Column::Body)), "body")
        .expr_as(hidden, "hidden")
        .expr_as(
            Expr::col((comment::Entity, comment::Column::CreatedAt)),
            "created_at",
        )
        .from(comment::Entity)
        .left_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((comment::Entity, comment::Column::AuthorId)),
        )
        .cond_where(of_post())
        .order_by((comment::Entity, comment::Column::CreatedAt), Order::Asc)
        .order_by((comment::Entity, comment::Column::Id), Order::Asc)
        .limit(super::COMMENTS_PER_PAGE)
        .offset(crate::services::offset(page, super::COMMENTS_PER_PAGE))
        .take();
    let shown_alias = Alias::new("shown");
    let fields = [
        "id",
        "author_id",
        "username",
        "body",
        "hidden",
        "created_at",
    ]
    .map(|name| Expr::col((shown_alias.clone(), Alias::new(name))));
    let comments_json = Query::select()
        .expr(crate::services::json_rows(backend, fields))
        .from_subquery(shown, shown_alias)
        .take();
    let mut select = detail_select(slug).expr_as(
        Expr::SubQuery(None, Box::new(comments_json.into_sub_query_statement())),
        "comments_json",
    );
    if include_hidden {
        let all = Query::select()
            .expr(Func::cast_as(
                Expr::col((comment::Entity, comment::Column::Id)).count(),
                Alias::new("BIGINT"),
            ))
            .from(comment::Entity)
            .cond_where(of_post())
            .take();
        select = select.expr_as(
            Expr::SubQuery(None, Box::new(all.into_sub_query_statement())),
            "comments_total",
        );
    }
    let Some(row) = db.query_one_raw(select.build(backend)).await? else {
        return Ok(None);
    };
    let Some(detail) = detail_of(db, &row).await? else {
        return Ok(None);
    };
    let total = match include_hidden {
        true => row.try_get::<i64>("", "comments_total")?,
        false => i64::from(detail.post.comment_count),
    };
    let total = u64::try_from(total).unwrap_or(0);
    let cells: Vec<CommentCell> = crate::services::from_json_rows(
        row.try_get::<Option<String>>("", "comments_json")?,
        "comments",
    )?;
    let mut items = cells
        .into_iter()
        .map(|cell| cell.into_row(detail.post.id))
        .collect::<Result<Vec<_>, DbErr>>()?;
    // An aggregate keeps no order of its own: the page's order is put back here.
    items.sort_by_key(|(a, _)| (a.created_at, a.id));
    let comments = crate::services::Page {
        items,
        number: page,
        pages: total.div_ceil(super::COMMENTS_PER_PAGE),
        total,
    };
    Ok(Some((detail, comments)))
}

/// Moderators see drafts and hidden comments, and may edit, hide and delete what others wrote.
pub fn is_moderator(user: &CurrentUser) -> bool {
    user.can(Permission::ModerateComments)
}

/// Whether `viewer` may see `post`: published posts for everyone, drafts for their author and
/// moderators.
pub fn may_see(viewer: Viewer<'_>, post: &post::Model) -> bool {
    post.status == PostStatus::Published
        || viewer.is_some_and(|u| u.id == post.author_id || is_moderator(u))
}

/// Whether `viewer` may edit or delete `post`: its author while they hold `write_posts`, or a
/// moderator.
pub fn can_edit(viewer: Viewer<'_>, post: &post::Model) -> bool {
    viewer.is_some_and(|u| {
        (u.id == post.author_id && u.can(Permission::WritePosts)) || is_moderator(u)
    })
}

/// Whether `viewer` sees the drafts in `author`'s list (their own, or as a moderator).
pub fn sees_drafts_of(viewer: Viewer<'_>, author_id: i32) -> bool {
    viewer.is_some_and(|u| u.id == author_id || is_moderator(u))
}

/// Whether `viewer` may list drafts: an author's own (`author_id`), or anyone's as a
/// moderator.
pub fn may_list_drafts(viewer: Viewer<'_>, author_id: Option<i32>) -> bool {
    match author_id {
        Some(author) => sees_drafts_of(viewer, author),
        None => viewer.is_some_and(is_moderator),
    }
}

/// The post, if `viewer` may see it (404 otherwise, so drafts do not leak).
pub async fn visible_post(
    db: &impl ConnectionTrait,
    slug: &str,
    viewer: Viewer<'_>,
) -> Result<post::Model, ServiceError> {
    post::Entity::find_by_slug(slug)
        .one(db)
        .await?
        .filter(|p| may_see(viewer, p))
        .ok_or(ServiceError::NotFound)
}

/// The post, if `user` may edit it; a draft they may not edit is a 404, a published post a
/// 403.
pub async fn editable_post(
    db: &impl ConnectionTrait,
    slug: &str,
    user: &CurrentUser,
) -> Result<post::Model, ServiceError> {
    let post = post::Entity::find_by_slug(slug)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if can_edit(Some(user), &post) {
        Ok(post)
    } else if post.status == PostStatus::Draft {
        Err(ServiceError::NotFound)
    } else {
        Err(ServiceError::forbidden())
    }
}

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
async fn check_category(
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
    user: &CurrentUser,
    input: PostInput,
) -> Result<post::Model, ServiceError> {
    user.require(Permission::WritePosts)?;
    check_category(db, input.category_id).await?;
    // Rendered before the transaction: it holds the write lock only for the writes.
    let body_html = markup::to_safe_html(input.body.as_str());
    let excerpt = markup::excerpt(input.body.as_str(), EXCERPT_CHARS);
    let txn = crate::services::begin_content_change(db).await?;
    let base = free_slug(&txn, input.title.as_str()).await?;
    let now = Utc::now();
    for attempt in 0..SLUG_ATTEMPTS {
        let slug = if attempt == 0 {
            base.clone()
        } else {
            format!(
                "{base}-{}",
                crate::services::password::generate(6).to_lowercase()
            )
        };
        let savepoint = crate::services::begin_write(&txn).await?;
        let inserted = post::ActiveModel {
            title: Set(input.title.to_string()),
            slug: Set(slug),
            body: Set(input.body.to_string()),
            body_html: Set(Some(body_html.clone())),
            excerpt: Set(excerpt.clone()),
            listed_at: Set(now),
            tag_names: Set(join_tags(input.tags.names())),
            status: Set(input.status),
            author_id: Set(user.id),
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
                let tags = set_tags(&txn, &created, input.tags.names()).await?;
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

/// Saves an edit (the slug stays, so links keep working) with its tags in one transaction. An
/// edit or publication by someone other than the author (a moderator) is audited.
pub async fn update_post(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    ip: Option<String>,
    slug: &str,
    input: PostInput,
) -> Result<post::Model, ServiceError> {
    let existing = editable_post(db, slug, user).await?;
    check_category(db, input.category_id).await?;
    let actor = Actor::of(user, ip);
    let body_html = markup::to_safe_html(input.body.as_str());
    let excerpt = markup::excerpt(input.body.as_str(), EXCERPT_CHARS);
    let txn = crate::services::begin_content_change(db).await?;
    // Read again inside the change: its category and tags as of every earlier change.
    let existing = post::Entity::find_by_id(existing.id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let first_publication =
        existing.published_at.is_none() && input.status == PostStatus::Published;
    let post_id = existing.id;
    let categories: Vec<i32> = existing
        .category_id
        .into_iter()
        .chain(input.category_id)
        .collect();
    let by_other = user.id != existing.author_id;
    let before = serde_json::json!({ "title": existing.title, "status": existing.status.as_str() });
    let mut active: post::ActiveModel = existing.into();
    active.title = Set(input.title.into_inner());
    active.body = Set(input.body.into_inner());
    active.body_html = Set(Some(body_html));
    active.excerpt = Set(excerpt);
    active.category_id = Set(input.category_id);
    active.status = Set(input.status);
    active.tag_names = Set(join_tags(input.tags.names()));
    if first_publication {
        let now = Utc::now();
        active.published_at = Set(Some(now));
        active.listed_at = Set(now);
    }
    let updated = active.update(&txn).await?;
    let tags = set_tags(&txn, &updated, input.tags.names()).await?;
    refresh_post_counts(&txn, Some(categories), Some(tags)).await?;
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
            &actor,
            action,
            "post",
            post_id,
            Some(before),
            Some(after),
        )
        .await?;
    }
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
    let tags = super::tags_of(db, vec![existing.id])
        .await?
        .remove(&existing.id)
        .unwrap_or_default();
    let mut errors = crate::domain::FieldErrors::default();
    let title = errors.check("title", Title::parse(&existing.title, "post"));
    let body = errors.check("body", PostBody::parse(&existing.body));
    let tags = errors.check("tags", Tags::parse(&tags.join(",")));
    let input = errors.or_valid(|| {
        Some(PostInput {
            title: title?,
            body: body?,
            category_id: existing.category_id,
            tags: tags?,
            status: PostStatus::Published,
        })
    })?;
    update_post(db, user, ip, slug, input).await
}
