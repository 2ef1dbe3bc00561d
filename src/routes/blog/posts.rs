//! Posts: lists (all, search, tag, author, category), a post with comments, writing, editing
//! and deleting, commenting.

use std::sync::Arc;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::enums::{Permission, PostStatus};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::auth::RequireUser;
use crate::cache::DataKey;
use crate::cache::shared_with_visitors;
use crate::domain::{FieldErrors, ServiceError};
use crate::flash::Level;
use crate::forms::PostForm;
use crate::routes::PageQuery;
use crate::routes::error::AppError;
use crate::routes::feeds;
use crate::routes::respond::urlencode;
use crate::routes::{Cached, HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::Page;
use crate::services::blog::{self, Cursor, Position, PostFilter};
use crate::services::feeds::FeedSubject;
use crate::state::App;
use crate::views::{
    FeedLink, KeysetPager, PageContext, Pager, PostDeletePage, PostFormPage, PostListPage, PostPage,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub q: String,
    /// The page older than this cursor (the "Older" link).
    pub after: String,
    /// The page newer than this cursor (the "Newer" link).
    pub before: String,
}

impl ListQuery {
    /// Where in the list: a cursor that does not parse is the newest page.
    fn position(&self) -> Position {
        if let Some(c) = Cursor::parse(&self.after) {
            Position::Older(c)
        } else if let Some(c) = Cursor::parse(&self.before) {
            Position::Newer(c)
        } else {
            Position::Newest
        }
    }
}

/// How a list page presents itself: heading, search target, and category context.
struct ListFrame {
    heading: String,
    intro: Option<String>,
    /// Where the search form sends the query (the current list).
    action: String,
    breadcrumbs: Vec<entity::category::Model>,
    subcategories: Vec<entity::category::Model>,
    feed: Option<FeedLink>,
}

impl ListFrame {
    fn new(heading: String, action: String) -> ListFrame {
        ListFrame {
            heading,
            intro: None,
            action,
            breadcrumbs: Vec::new(),
            subcategories: Vec::new(),
            feed: None,
        }
    }
}

async fn render_list(
    ctx: PageContext,
    cached: &Cached,
    filter: PostFilter,
    query: ListQuery,
    frame: ListFrame,
) -> Result<HttpResponse, AppError> {
    let filter = PostFilter {
        q: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        ..filter
    };
    let position = query.position();
    // Only the newest page of a public list is kept: deeper pages are rarely asked twice, and
    // lists with drafts are personal.
    let version = match filter.include_drafts || position != Position::Newest {
        true => None,
        false => cached.version().await,
    };
    let page = cached
        .app
        .cache
        .get_or_load(
            version,
            DataKey::Posts {
                filter: filter.clone(),
                position,
            },
            async || blog::list_posts(cached.db(), &filter, position, blog::POSTS_PER_PAGE).await,
        )
        .await?;
    let pager = KeysetPager::new(&page, &[("q", query.q.clone())]);
    let list = PostListPage {
        ctx,
        heading: frame.heading,
        intro: frame.intro,
        q: query.q,
        action: frame.action,
        page,
        pager,
        breadcrumbs: frame.breadcrumbs,
        subcategories: frame.subcategories,
        feed: frame.feed,
    };
    Ok(shared_with_visitors(
        render_status(StatusCode::OK, &list)?,
        &list.ctx,
        version,
    ))
}

#[tracing::instrument(name = "posts", skip_all)]
pub async fn list(
    cached: Cached,
    ctx: PageContext,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let heading = if query.q.trim().is_empty() {
        "Posts".to_owned()
    } else {
        format!("Posts matching “{}”", query.q.trim())
    };
    render_list(
        ctx,
        &cached,
        PostFilter::default(),
        query,
        ListFrame::new(heading, "/posts".into()),
    )
    .await
}

pub async fn by_tag(
    cached: Cached,
    ctx: PageContext,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let tag = blog::tag_by_name(cached.db(), &path.into_inner()).await?;
    let filter = PostFilter {
        tag_id: Some(tag.id),
        ..Default::default()
    };
    let action = format!("/tags/{}", urlencode(&tag.name));
    let frame = ListFrame {
        feed: Some(feeds::link(&FeedSubject::Tag(tag.clone()))),
        ..ListFrame::new(format!("#{}", tag.name), action)
    };
    render_list(ctx, &cached, filter, query.into_inner(), frame).await
}

pub async fn by_author(
    cached: Cached,
    ctx: PageContext,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let author =
        crate::services::accounts::user_by_username(cached.db(), &path.into_inner()).await?;
    let own = blog::sees_drafts_of(ctx.user.as_ref(), author.id);
    let filter = PostFilter {
        author_id: Some(author.id),
        include_drafts: own,
        ..Default::default()
    };
    let intro =
        own.then(|| "Drafts are listed too; only the author and moderators see them.".to_owned());
    let action = format!("/users/{}/posts", author.username);
    let frame = ListFrame {
        intro,
        feed: Some(feeds::link(&FeedSubject::Author {
            username: author.username.clone(),
            name: author.username.clone(),
        })),
        ..ListFrame::new(format!("Posts by {}", author.username), action)
    };
    render_list(ctx, &cached, filter, query.into_inner(), frame).await
}

pub async fn by_category(
    cached: Cached,
    ctx: PageContext,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let all = cached.category_tree().await?;
    let slug = path.into_inner();
    let (category, filter) =
        blog::category_posts(&all, &slug, PostFilter::default()).ok_or(AppError::NotFound)?;
    let frame = ListFrame {
        intro: Some("Posts in this category and all of its subcategories.".to_owned()),
        breadcrumbs: blog::ancestors(&all, category.id),
        subcategories: all
            .iter()
            .filter(|c| c.parent_id == Some(category.id))
            .cloned()
            .collect(),
        feed: Some(feeds::link(&FeedSubject::Category(category.clone()))),
        ..ListFrame::new(
            category.name.clone(),
            format!("/categories/{}", category.slug),
        )
    };
    render_list(ctx, &cached, filter, query.into_inner(), frame).await
}

/// Shared, not copied, by the requests that find it in the cache.
type PostWithComments = Option<(Arc<blog::PostDetail>, Arc<Page<blog::CommentRow>>)>;

/// A post page in one statement (two on MySQL/MariaDB: see [`blog::post_with_comments`]),
/// kept in the cache for everyone but moderators (who also see hidden comments).
pub(super) async fn post_page(
    ctx: PageContext,
    cached: &Cached,
    slug: &str,
    page: u64,
    comment_body: String,
    comment_error: Option<String>,
) -> Result<PostPage, AppError> {
    let viewer = ctx.user.clone();
    let can_moderate = viewer.as_ref().is_some_and(blog::is_moderator);
    let version = match can_moderate {
        true => None,
        false => cached.version().await,
    };
    let loaded = cached
        .app
        .cache
        .get_or_load(
            version,
            DataKey::Post {
                slug: slug.to_owned(),
                page,
            },
            async || -> Result<PostWithComments, AppError> {
                Ok(
                    blog::post_with_comments(cached.db(), slug, can_moderate, page)
                        .await?
                        .map(|(detail, comments)| (Arc::new(detail), Arc::new(comments))),
                )
            },
        )
        .await?;
    let Some((detail, comments)) = loaded
        .as_ref()
        .clone()
        .filter(|(d, _)| blog::may_see(viewer.as_ref(), &d.post))
    else {
        return Err(AppError::NotFound);
    };
    let pager = Pager::new(&comments, &[]);
    let may = |change| -> std::collections::HashSet<i32> {
        viewer.as_ref().map_or_else(Default::default, |user| {
            comments
                .items
                .iter()
                .filter(|(c, _)| blog::may_change_comment(user, c, change))
                .map(|(c, _)| c.id)
                .collect()
        })
    };
    Ok(PostPage {
        editable_comments: may(blog::CommentChange::Edit),
        deletable_comments: may(blog::CommentChange::Delete),
        html: blog::body_html(&detail.post),
        can_edit: blog::can_edit(viewer.as_ref(), &detail.post),
        can_comment: viewer.as_ref().is_some_and(|u| u.can(Permission::Comment)),
        can_moderate,
        ctx,
        breadcrumbs: detail.trail.clone(),
        detail,
        comments,
        pager,
        comment_body,
        comment_error,
        comment_preview: None,
    })
}

pub async fn show(
    cached: Cached,
    ctx: PageContext,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = post_page(
        ctx,
        &cached,
        &path.into_inner(),
        query.number(),
        String::new(),
        None,
    )
    .await?;
    // The version the page was loaded under (read once per request), for a visitor without
    // an account: only such a page is shared.
    let version = match page.ctx.user {
        None => cached.version().await,
        Some(_) => None,
    };
    Ok(shared_with_visitors(
        render_status(StatusCode::OK, &page)?,
        &page.ctx,
        version,
    ))
}

async fn form_page(
    ctx: PageContext,
    db: &DatabaseConnection,
    slug: Option<String>,
    form: PostForm,
    errors: FieldErrors,
) -> Result<PostFormPage, AppError> {
    let all = blog::categories(db).await?;
    let tree = blog::flatten(&all);
    Ok(PostFormPage {
        ctx,
        slug,
        form,
        tree,
        errors,
        theirs: None,
        preview: None,
    })
}

/// The form again with its text rendered as saving would store it, and every problem the
/// form has; nothing is saved.
async fn preview(
    ctx: PageContext,
    app: &App,
    user: &RequireUser,
    slug: Option<String>,
    form: PostForm,
) -> Result<HttpResponse, AppError> {
    let html = blog::preview_post(&app.db, &user.0, slug.as_deref(), &form.body).await?;
    let (status, errors) = match form.parse() {
        Ok(_) => (StatusCode::OK, FieldErrors::default()),
        Err(error) => problems(error)?,
    };
    let mut page = form_page(ctx, &app.db, slug, form, errors).await?;
    page.preview = Some(html);
    render_status(status, &page)
}

pub async fn new_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::WritePosts)?;
    let form = PostForm {
        status: "draft".into(),
        ..Default::default()
    };
    render_status(
        StatusCode::OK,
        &form_page(ctx, &app.db, None, form, FieldErrors::default()).await?,
    )
}

#[tracing::instrument(name = "create_post", skip_all)]
pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<PostForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::WritePosts)?;
    let form = form.into_inner();
    if form.previewing() {
        return preview(ctx, &app, &user, None, form).await;
    }
    let created = submit(form.parse(), |input| {
        blog::create_post(&app.db, &user.0, client_ip(&req), input)
    })
    .await;
    match created {
        Ok(created) => {
            let what = if created.status == PostStatus::Published {
                "published"
            } else {
                "saved as a draft"
            };
            Ok(done(
                &session,
                Level::Success,
                format!("Your post is {what}."),
                &format!("/posts/{}", created.slug),
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(status, &form_page(ctx, &app.db, None, form, errors).await?)
        }
    }
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let post = blog::editable_post(&app.db, &path.into_inner(), &user.0).await?;
    let tags = blog::tags_of(&app.db, vec![post.id])
        .await?
        .remove(&post.id)
        .unwrap_or_default();
    let form = PostForm {
        title: post.title.clone(),
        body: post.body.clone(),
        category_id: post.category_id.map(|c| c.to_string()).unwrap_or_default(),
        tags: tags.join(", "),
        status: post.status.as_str().to_owned(),
        version: blog::post_version(&post),
        preview: String::new(),
    };
    render_status(
        StatusCode::OK,
        &form_page(ctx, &app.db, Some(post.slug), form, FieldErrors::default()).await?,
    )
}

pub async fn update(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
    form: HtmlForm<PostForm>,
) -> Result<HttpResponse, AppError> {
    let slug = path.into_inner();
    let mut form = form.into_inner();
    if form.previewing() {
        return preview(ctx, &app, &user, Some(slug), form).await;
    }
    let expected = Some(form.version.trim()).filter(|v| !v.is_empty());
    let updated = submit(form.parse(), |input| {
        blog::update_post(&app.db, &user.0, client_ip(&req), &slug, input, expected)
    })
    .await;
    match updated {
        Ok(updated) => Ok(done(
            &session,
            Level::Success,
            "Your changes are saved.",
            &format!("/posts/{}", updated.slug),
        )),
        // Someone saved the post since this form was opened: nothing is saved; their version
        // is shown beside the text kept in the form, which now carries theirs as its base.
        Err(ServiceError::Stale) => {
            let theirs = blog::editable_post(&app.db, &slug, &user.0).await?;
            form.version = blog::post_version(&theirs);
            let mut page =
                form_page(ctx, &app.db, Some(slug), form, FieldErrors::default()).await?;
            page.theirs = Some(theirs);
            render_status(StatusCode::CONFLICT, &page)
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(
                status,
                &form_page(ctx, &app.db, Some(slug), form, errors).await?,
            )
        }
    }
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let post = blog::editable_post(&app.db, &path.into_inner(), &user.0).await?;
    let comments = blog::comments(&app.db, post.id, true, 1).await?.total;
    render_status(
        StatusCode::OK,
        &PostDeletePage {
            ctx,
            post,
            comments,
        },
    )
}

pub async fn delete(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let post = blog::delete_post(&app.db, &user.0, client_ip(&req), &path.into_inner()).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("“{}” is deleted.", post.title),
        "/posts",
    ))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{username}/posts", web::get().to(by_author))
        .route("/posts", web::get().to(list))
        .route("/posts/new", web::get().to(new_form))
        .route("/posts/new", web::post().to(create))
        .route("/posts/{slug}", web::get().to(show))
        .route("/posts/{slug}/edit", web::get().to(edit_form))
        .route("/posts/{slug}/edit", web::post().to(update))
        .route("/posts/{slug}/delete", web::get().to(delete_form))
        .route("/posts/{slug}/delete", web::post().to(delete))
        .route("/tags/{name}", web::get().to(by_tag))
        .route("/categories/{slug}", web::get().to(by_category));
}
