//! A post page: the post with its author, tags and category trail, and its page of comments
//! as one JSON column (one statement on SQLite and PostgreSQL).

use chrono::{DateTime, Utc};
use entity::{category, post, user};
use sea_orm::sea_query::{Expr, Query, QueryStatementBuilder};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, ExprTrait,
    FromQueryResult, JoinType, Order, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait,
    RelationTrait,
};

use crate::services::blog::tags::split_tags;

/// A post with author, tags and its category's trail.
#[derive(Clone, Debug)]
pub struct PostDetail {
    pub post: post::Model,
    pub author: crate::services::UserRef,
    /// The category's trail, root first and the category last; empty without a category.
    pub trail: Vec<crate::services::blog::Crumb>,
    pub tags: Vec<String>,
}

/// The post by `slug` with its author (`A_`, `B_`) and its category's stored trail.
pub(super) fn detail_select(slug: &str) -> sea_orm::SelectTwo<post::Entity, user::Entity> {
    crate::services::partial_pair_select::<_, _, post::Model, crate::services::UserRef>(
        post::Entity::find()
            .filter(post::Column::Slug.eq(slug))
            .find_also_related(user::Entity),
    )
    .column_as(category::Column::Trail, "category_trail")
    .join(JoinType::LeftJoin, post::Relation::Category.def())
}

/// The [`PostDetail`] of a [`detail_select`] row (None without its author).
pub(super) async fn detail_of(
    db: &impl ConnectionTrait,
    row: &sea_orm::QueryResult,
) -> Result<Option<PostDetail>, DbErr> {
    let post = post::Model::from_query_result(row, "A_")?;
    let Some(author) = crate::services::UserRef::from_query_result_optional(row, "B_")? else {
        return Ok(None);
    };
    let tags = split_tags(&post.tag_names);
    let stored = row.try_get::<Option<String>>("", "category_trail")?;
    let trail = match (
        post.category_id,
        crate::services::blog::parse_trail(stored.as_deref()),
    ) {
        (None, _) => Vec::new(),
        (Some(_), Some(trail)) => trail,
        // A category row written by other means has no trail: the tree gives it.
        (Some(id), None) => {
            crate::services::blog::trail(&crate::services::blog::categories(db).await?, id)
        }
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
/// the account is gone), author's avatar, body, hidden as 1/0, written at, edited at, deleted
/// at, the comment it answers and its conversation's top-level comment.
#[derive(serde::Deserialize)]
pub(super) struct CommentCell(
    i32,
    i32,
    Option<String>,
    Option<String>,
    String,
    u8,
    String,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<i32>,
);

impl CommentCell {
    pub(super) fn into_row(self, post_id: i32) -> Result<crate::services::blog::CommentRow, DbErr> {
        let CommentCell(
            id,
            author_id,
            username,
            avatar,
            body,
            hidden,
            created_at,
            edited,
            deleted,
            parent_id,
            thread_id,
        ) = self;
        let time = |t: Option<String>| t.as_deref().map(parse_stored_time).transpose();
        Ok((
            entity::comment::Model {
                id,
                post_id,
                author_id,
                body,
                is_hidden: hidden != 0,
                created_at: parse_stored_time(&created_at)?,
                edited_at: time(edited)?,
                deleted_at: time(deleted)?,
                parent_id,
                thread_id,
            },
            username.map(|username| crate::services::UserRef {
                id: author_id,
                username,
                avatar,
            }),
        ))
    }
}

/// A timestamp as a backend writes it into JSON: RFC 3339 (PostgreSQL, `T` between date and
/// time) or the text SQLite stores (a space between them, the offset optional).
pub(super) fn parse_stored_time(text: &str) -> Result<DateTime<Utc>, DbErr> {
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
) -> Result<
    Option<(
        PostDetail,
        crate::services::Page<crate::services::blog::CommentRow>,
    )>,
    DbErr,
> {
    use entity::comment;
    use sea_orm::sea_query::{Alias, Func};
    let backend = db.get_database_backend();
    let page = page.clamp(1, crate::services::MAX_PAGE);
    if backend == DbBackend::MySql {
        let Some(detail) = post_by_slug(db, slug).await? else {
            return Ok(None);
        };
        let mut comments =
            crate::services::blog::comments(db, detail.post.id, include_hidden, page).await?;
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
        comments.pages = comments
            .total
            .div_ceil(crate::services::blog::COMMENTS_PER_PAGE);
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
        .expr_as(Expr::col((user::Entity, user::Column::Avatar)), "avatar")
        .expr_as(Expr::col((comment::Entity, comment::Column::Body)), "body")
        .expr_as(hidden, "hidden")
        .expr_as(
            Expr::col((comment::Entity, comment::Column::CreatedAt)),
            "created_at",
        )
        .expr_as(
            Expr::col((comment::Entity, comment::Column::EditedAt)),
            "edited_at",
        )
        .expr_as(
            Expr::col((comment::Entity, comment::Column::DeletedAt)),
            "deleted_at",
        )
        .expr_as(
            Expr::col((comment::Entity, comment::Column::ParentId)),
            "parent_id",
        )
        .expr_as(
            Expr::col((comment::Entity, comment::Column::ThreadId)),
            "thread_id",
        )
        .from(comment::Entity)
        .left_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id))
                .equals((comment::Entity, comment::Column::AuthorId)),
        )
        .cond_where(of_post())
        .order_by_expr(crate::services::blog::conversation_order(), Order::Asc)
        .order_by((comment::Entity, comment::Column::CreatedAt), Order::Asc)
        .order_by((comment::Entity, comment::Column::Id), Order::Asc)
        .limit(crate::services::blog::COMMENTS_PER_PAGE)
        .offset(crate::services::offset(
            page,
            crate::services::blog::COMMENTS_PER_PAGE,
        ))
        .take();
    let shown_alias = Alias::new("shown");
    let fields = [
        "id",
        "author_id",
        "username",
        "avatar",
        "body",
        "hidden",
        "created_at",
        "edited_at",
        "deleted_at",
        "parent_id",
        "thread_id",
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
    // An aggregate keeps no order of its own: the page's order (by conversation, then time:
    // `blog::conversation_order`) is put back here.
    items.sort_by_key(|(a, _)| (a.thread_id.unwrap_or(a.id), a.created_at, a.id));
    let comments = crate::services::Page {
        items,
        number: page,
        pages: total.div_ceil(crate::services::blog::COMMENTS_PER_PAGE),
        total,
    };
    Ok(Some((detail, comments)))
}
