//! Keyset lists of posts with their filters: one statement reading only the rows a list
//! shows.

use chrono::{DateTime, Utc};
use entity::enums::PostStatus;
use entity::{category, post, post_tag, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, ExprTrait,
    FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use crate::services::blog::tags::split_tags;

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
    /// The author's avatar (its hash), read with their name.
    pub author_avatar: Option<String>,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
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
    pub(super) fn condition(&self, backend: DbBackend) -> Condition {
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
    pub(super) fn condition_but_tag(&self, backend: DbBackend) -> Condition {
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
pub(super) fn text_search(backend: DbBackend, q: &str) -> Condition {
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
        .column_as(user::Column::Avatar, "author_avatar")
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
