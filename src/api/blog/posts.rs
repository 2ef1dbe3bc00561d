//! Posts through the API: lists with the pages' filters, one post, writing, editing,
//! publishing and deleting.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::enums::PostStatus;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Caller, Json, Problem, json, limit, tagged};
use crate::domain::{FieldErrors, PostBody, ServiceError, Tags, Title, Viewer, parse_status};
use crate::request::client_ip;
use crate::services::blog::{self, Cursor, Position, PostFilter};
use crate::services::precondition::{Lock, unless_changed};
use crate::state::App;

/// Draft or published.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
}

impl From<PostStatus> for Status {
    fn from(status: PostStatus) -> Self {
        match status {
            PostStatus::Draft => Status::Draft,
            PostStatus::Published => Status::Published,
        }
    }
}

/// A category as posts name it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CategoryRef {
    pub slug: String,
    pub name: String,
}

/// A post in a list: its excerpt, not its text.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PostSummary {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub status: Status,
    pub excerpt: String,
    pub author: String,
    pub category: Option<CategoryRef>,
    pub tags: Vec<String>,
    /// Visible comments.
    pub comment_count: i64,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A page of posts, newest first. `next` is the cursor of the older page, `prev` of the newer
/// one; `null` at either end.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PostList {
    pub items: Vec<PostSummary>,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A post with its Markdown text and that text rendered to safe HTML.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Post {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub status: Status,
    pub body: String,
    pub body_html: String,
    pub author: String,
    pub category: Option<CategoryRef>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A tag as a post names it: letters, digits, spaces and hyphens, at most 50 (the pattern
/// shows the ASCII ones; letters of any script are accepted).
#[derive(ToSchema)]
#[schema(
    pattern = r"^[A-Za-z0-9 -]*[A-Za-z0-9][A-Za-z0-9 -]*$",
    max_length = 50
)]
#[allow(dead_code)]
pub struct TagName(String);

/// A post to write or the new state of one. Missing properties count as empty.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PostWrite {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Markdown, up to 100,000 characters.
    #[schema(min_length = 1, max_length = 100000, pattern = r"\S")]
    pub body: String,
    pub category_id: Option<i32>,
    /// Up to 10 tags of letters, digits, spaces and hyphens.
    #[schema(max_items = 10, inline, value_type = Vec<TagName>)]
    pub tags: Vec<String>,
    /// `draft` (the default) or `published`.
    #[schema(pattern = "^(draft|published)?$")]
    pub status: String,
}

impl PostWrite {
    /// The service's input, by the domain parsers and field names the post form uses.
    pub(super) fn parse(&self) -> Result<blog::PostInput, ServiceError> {
        // The list as sent, before duplicates merge: the document says at most ten.
        if self.tags.len() > Tags::MAX {
            return Err(ServiceError::invalid(
                "tags",
                format!("Use at most {} tags.", Tags::MAX),
            ));
        }
        let tag_names = crate::api::list_entries(&self.tags, "tags", &[','])?;
        let mut errors = FieldErrors::default();
        let title = errors.check("title", Title::parse(&self.title, "post"));
        let body = errors.check("body", PostBody::parse(&self.body));
        let tags = errors.check("tags", Tags::from_list(tag_names));
        let status = errors.check("status", parse_status(&self.status));
        errors.or_valid(|| {
            Some(blog::PostInput {
                title: title?,
                body: body?,
                // A JSON number is already an id; whether it names a category is the
                // service's to say.
                category_id: self.category_id,
                tags: tags?,
                status: status?,
            })
        })
    }
}

/// Which posts to list.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PostListQuery {
    /// Text in the title or body.
    pub q: Option<String>,
    /// A tag's name.
    pub tag: Option<String>,
    /// A category's slug: its posts and those of every category below it.
    pub category: Option<String>,
    /// An author's username.
    pub author: Option<String>,
    /// `published` (the default), `draft` or `all`: drafts only for their author (with
    /// `author`) or a moderator.
    pub status: Option<String>,
    /// A `next` or `prev` cursor from an earlier page.
    pub cursor: Option<String>,
    /// Posts per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u64>,
}

pub(super) fn bad_cursor() -> ApiError {
    ApiError::BadRequest("This cursor is not one the API gave out.".into())
}

/// `o…` for the page older than a post, `n…` for the page newer than it.
pub(super) fn post_position(raw: Option<&str>) -> Result<Position, ApiError> {
    let Some(raw) = raw.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(Position::Newest);
    };
    let (kind, rest) = raw.split_at_checked(1).ok_or_else(bad_cursor)?;
    let cursor = Cursor::parse(rest).ok_or_else(bad_cursor)?;
    match kind {
        "o" => Ok(Position::Older(cursor)),
        "n" => Ok(Position::Newer(cursor)),
        _ => Err(bad_cursor()),
    }
}

pub(super) fn category_ref(name: Option<String>, slug: Option<String>) -> Option<CategoryRef> {
    Some(CategoryRef {
        name: name?,
        slug: slug?,
    })
}

/// Lists posts, newest first, with the same filters as the pages.
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    params(PostListQuery),
    responses(
        (status = 200, description = "A page of posts", body = PostList),
        (status = 400, description = "A bad cursor, limit or status", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Drafts asked for without credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Drafts of someone else, without moderating", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag, category or author", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn list_posts(
    caller: Caller,
    app: App,
    query: web::Query<PostListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let db = &app.db;
    let per_page = limit(query.limit, blog::POSTS_PER_PAGE)?;
    let position = post_position(query.cursor.as_deref())?;
    let mut filter = PostFilter {
        q: query.q.filter(|q| !q.trim().is_empty()),
        ..Default::default()
    };
    if let Some(tag) = query.tag.as_deref() {
        filter.tag_id = Some(blog::tag_by_name(db, tag).await?.id);
    }
    if let Some(slug) = query.category.as_deref() {
        let all = blog::categories(db).await?;
        (_, filter) = blog::category_posts(&all, slug, filter).ok_or(ServiceError::NotFound)?;
    }
    if let Some(author) = query.author.as_deref() {
        filter.author_id = Some(
            crate::services::accounts::user_by_username(db, author)
                .await?
                .id,
        );
    }
    match query.status.as_deref().unwrap_or("published") {
        "published" => {}
        status @ ("draft" | "all") => {
            if caller.user.is_none() {
                return Err(ApiError::token_required());
            }
            if !blog::may_list_drafts(caller.viewer(), filter.author_id) {
                return Err(ServiceError::forbidden().into());
            }
            filter.include_drafts = true;
            filter.status = (status == "draft").then_some(PostStatus::Draft);
        }
        _ => {
            return Err(ApiError::BadRequest(
                "status is published, draft or all.".into(),
            ));
        }
    }
    let slice = blog::list_posts(db, &filter, position, per_page).await?;
    let items = slice
        .items
        .into_iter()
        .map(|card| PostSummary {
            id: card.row.id,
            slug: card.row.slug,
            title: card.row.title,
            status: card.row.status.into(),
            excerpt: card.row.excerpt,
            author: card.row.author,
            category: category_ref(card.row.category_name, card.row.category_slug),
            tags: card.tags,
            comment_count: i64::from(card.row.comment_count),
            created_at: card.row.created_at,
            published_at: card.row.published_at,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &PostList {
            items,
            next: slice.older.map(|c| format!("o{}", c.encode())),
            prev: slice.newer.map(|c| format!("n{}", c.encode())),
        },
    ))
}

/// The post as the API shows it, if `viewer` may see it.
pub(crate) async fn post_view(
    db: &impl ConnectionTrait,
    slug: &str,
    viewer: Viewer<'_>,
) -> Result<Post, ServiceError> {
    let detail = blog::post_by_slug(db, slug)
        .await?
        .filter(|d| blog::may_see(viewer, &d.post))
        .ok_or(ServiceError::NotFound)?;
    let category = detail.trail.last().map(|last| CategoryRef {
        slug: last.slug.clone(),
        name: last.name.clone(),
    });
    let post = detail.post;
    Ok(Post {
        id: post.id,
        body_html: blog::body_html(&post),
        slug: post.slug,
        title: post.title,
        status: post.status.into(),
        body: post.body,
        author: detail.author.username,
        category,
        tags: detail.tags,
        created_at: post.created_at,
        updated_at: post.updated_at,
        published_at: post.published_at,
    })
}

/// Reads one post (drafts only for their author and moderators).
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}",
    tag = "posts",
    params(
        ("slug" = String, Path, description = "The post's slug"),
        ("If-None-Match" = Option<String>, Header, description = "An entity tag read earlier: 304 when it is still current"),
    ),
    responses(
        (status = 200, description = "The post", body = Post, headers(("ETag" = String, description = "The post's entity tag"))),
        (status = 304, description = "Not modified since the tag in If-None-Match"),
        (status = 404, description = "No such post, or a draft this caller may not see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []))
)]
pub async fn get_post(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let post = post_view(&app.db, &path.into_inner(), caller.viewer()).await?;
    Ok(tagged(&req, StatusCode::OK, &post))
}

/// Writes a post (`write_posts`).
#[utoipa::path(
    post,
    path = "/api/v1/posts",
    tag = "posts",
    request_body = PostWrite,
    responses(
        (status = 201, description = "The new post", body = Post, headers(("Location" = String, description = "The post's address in the API"), ("ETag" = String, description = "The post's entity tag"))),
        (status = 403, description = "The token lacks write_posts", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many posts with this title at once", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn create_post(
    req: HttpRequest,
    caller: Caller,
    app: App,
    body: Json<PostWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    user.require(entity::enums::Permission::WritePosts)?;
    let input = body.0.parse()?;
    let created = blog::create_post(&app.db, user, client_ip(&req), input).await?;
    let post = post_view(&app.db, &created.slug, Some(user)).await?;
    let location = format!(
        "/api/v1/posts/{}",
        crate::routes::respond::urlencode(&post.slug)
    );
    Ok(crate::api::created(&location, &post))
}

/// Looks up the post to change (its id, for the lock of a conditional change).
pub(super) async fn post_to_change(
    db: &DatabaseConnection,
    slug: &str,
    caller: &Caller,
) -> Result<i32, ApiError> {
    let user = caller.writer()?;
    Ok(blog::editable_post(db, slug, user).await?.id)
}

/// Saves a new state of a post (its author with `write_posts`, or a moderator). With
/// `If-Match`, only while the post is as the client read it.
#[utoipa::path(
    put,
    path = "/api/v1/posts/{slug}",
    tag = "posts",
    request_body = PostWrite,
    params(
        ("slug" = String, Path, description = "The post's slug"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the change is based on"),
    ),
    responses(
        (status = 200, description = "The post as saved", body = Post, headers(("ETag" = String, description = "The post's new entity tag"))),
        (status = 403, description = "Someone else's post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The post changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn update_post(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<String>,
    body: Json<PostWrite>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let id = post_to_change(&app.db, &slug, &caller).await?;
    let user = caller.writer()?;
    let input = body.0.parse()?;
    let address = client_ip(&req);
    unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Row("post", id),
        async |txn: &DatabaseTransaction| post_view(txn, &slug, Some(user)).await,
        async |txn: &DatabaseTransaction| {
            blog::update_post(txn, user, address, &slug, input, None).await
        },
    )
    .await?;
    let post = post_view(&app.db, &slug, Some(user)).await?;
    Ok(tagged(&req, StatusCode::OK, &post))
}

/// Publishes a draft, keeping everything else (a published post stays as it is).
#[utoipa::path(
    post,
    path = "/api/v1/posts/{slug}/publish",
    tag = "posts",
    params(
        ("slug" = String, Path, description = "The post's slug"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the change is based on"),
    ),
    responses(
        (status = 200, description = "The published post", body = Post, headers(("ETag" = String, description = "The post's new entity tag"))),
        (status = 403, description = "Someone else's post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The post changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The stored post no longer passes the rules", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn publish_post(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let id = post_to_change(&app.db, &slug, &caller).await?;
    let user = caller.writer()?;
    let address = client_ip(&req);
    unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Row("post", id),
        async |txn: &DatabaseTransaction| post_view(txn, &slug, Some(user)).await,
        async |txn: &DatabaseTransaction| blog::publish_post(txn, user, address, &slug).await,
    )
    .await?;
    let post = post_view(&app.db, &slug, Some(user)).await?;
    Ok(tagged(&req, StatusCode::OK, &post))
}

/// Deletes a post with its comments (its author, or a moderator).
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{slug}",
    tag = "posts",
    params(
        ("slug" = String, Path, description = "The post's slug"),
        ("If-Match" = Option<String>, Header, description = "The entity tag the deletion is based on"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Someone else's post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such post", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The post changed since the tag in If-Match", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["write_posts"]))
)]
pub async fn delete_post(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let id = post_to_change(&app.db, &slug, &caller).await?;
    let user = caller.writer()?;
    let address = client_ip(&req);
    unless_changed(
        &app.db,
        crate::api::if_match(&req).as_deref(),
        Lock::Row("post", id),
        async |txn: &DatabaseTransaction| post_view(txn, &slug, Some(user)).await,
        async |txn: &DatabaseTransaction| blog::delete_post(txn, user, address, &slug).await,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
