//! Comments: a member comments on a post (`/posts/{slug}/comments`, the post's own form) and
//! replies to a comment (`/comments/{id}/reply`), previewing first if they like; its author
//! edits it (`/comments/{id}/edit`), its author or a moderator deletes it
//! (`/comments/{id}/delete`, asked first). Comments and replies are throttled per account.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use entity::enums::Permission;

use crate::auth::RequireUser;
use crate::auth::throttle::comments_wait;
use crate::domain::FORM;
use crate::flash::Level;
use crate::forms::CommentForm;
use crate::routes::error::AppError;
use crate::routes::{Cached, HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::blog::{self, CommentChange};
use crate::state::App;
use crate::views::{CommentDeletePage, CommentEditPage, CommentReplyPage, PageContext};

pub async fn post_comment(
    cached: Cached,
    ctx: PageContext,
    user: RequireUser,
    session: Session,
    path: web::Path<String>,
    form: HtmlForm<CommentForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::Comment)?;
    let slug = path.into_inner();
    let form = form.into_inner();
    // The post's page again, with the text kept and a problem or a preview.
    let again = async |status, body: String, problem, preview| {
        let mut page = super::posts::post_page(ctx, &cached, &slug, 1, body, problem).await?;
        page.comment_preview = preview;
        render_status(status, &page)
    };
    if form.previewing() {
        let (preview, problem) = previewed(&user.0, &form.body)?;
        let status = match problem {
            Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
            None => StatusCode::OK,
        };
        return again(status, form.body, problem, preview).await;
    }
    let write = submit(form.parse(), |body| {
        blog::add_comment(cached.db(), &user.0, &slug, body)
    });
    let added = match cached.app.throttle.comment(&user.0, write).await {
        Ok(added) => added,
        Err(seconds) => {
            let wait = Some(comments_wait(seconds));
            return again(StatusCode::TOO_MANY_REQUESTS, form.body, wait, None).await;
        }
    };
    match added {
        Ok((created, post)) => {
            // A notification mailed at once may be waiting.
            cached.app.delivery.wake_if_due(cached.db()).await;
            let page = blog::page_of_comment(cached.db(), &created).await?;
            Ok(done(
                &session,
                Level::Success,
                "Your comment is posted.",
                &format!("/posts/{}?page={page}#comment-{}", post.slug, created.id),
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let problem = errors.get("body").or(errors.get(FORM)).map(str::to_owned);
            again(status, form.body, problem, None).await
        }
    }
}

/// `/comments/{id}`: to the page of its post that holds it (where a notification points).
pub async fn permalink(
    viewer: crate::auth::MaybeUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let location = blog::comment_location(&app.db, viewer.0.as_ref(), path.into_inner()).await?;
    Ok(crate::routes::see_other(&location))
}

pub async fn reply_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let ((parent, author), post) =
        blog::comment_to_answer(&app.db, &user.0, path.into_inner()).await?;
    let page = CommentReplyPage {
        ctx,
        parent,
        author,
        post,
        body: String::new(),
        error: None,
        preview: None,
    };
    render_status(StatusCode::OK, &page)
}

pub async fn reply(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    if form.previewing() {
        let ((parent, author), post) = blog::comment_to_answer(&app.db, &user.0, id).await?;
        let (preview, error) = previewed(&user.0, &form.body)?;
        let page = CommentReplyPage {
            ctx,
            parent,
            author,
            post,
            body: form.body,
            error,
            preview,
        };
        return render_status(StatusCode::OK, &page);
    }
    let write = submit(form.parse(), |body| {
        blog::reply_to_comment(&app.db, &user.0, id, body)
    });
    let added = match app.throttle.comment(&user.0, write).await {
        Ok(added) => added,
        Err(seconds) => {
            let ((parent, author), post) = blog::comment_to_answer(&app.db, &user.0, id).await?;
            let page = CommentReplyPage {
                ctx,
                parent,
                author,
                post,
                body: form.body,
                error: Some(comments_wait(seconds)),
                preview: None,
            };
            return render_status(StatusCode::TOO_MANY_REQUESTS, &page);
        }
    };
    match added {
        Ok((created, post)) => {
            // A notification mailed at once may be waiting.
            app.delivery.wake_if_due(&app.db).await;
            let page = blog::page_of_comment(&app.db, &created).await?;
            Ok(done(
                &session,
                Level::Success,
                "Your reply is posted.",
                &format!("/posts/{}?page={page}#comment-{}", post.slug, created.id),
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let error = errors.get("body").or(errors.get(FORM)).map(str::to_owned);
            let ((parent, author), post) = blog::comment_to_answer(&app.db, &user.0, id).await?;
            let page = CommentReplyPage {
                ctx,
                parent,
                author,
                post,
                body: form.body,
                error,
                preview: None,
            };
            render_status(status, &page)
        }
    }
}

pub async fn edit_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (comment, post) =
        blog::changeable_comment(&app.db, &user.0, id, CommentChange::Edit).await?;
    let page = CommentEditPage {
        ctx,
        id,
        post,
        body: comment.body,
        error: None,
        preview: None,
    };
    render_status(StatusCode::OK, &page)
}

pub async fn edit(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<CommentForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    if form.previewing() {
        let (_, post) = blog::changeable_comment(&app.db, &user.0, id, CommentChange::Edit).await?;
        let (preview, error) = previewed(&user.0, &form.body)?;
        let page = CommentEditPage {
            ctx,
            id,
            post,
            body: form.body,
            error,
            preview,
        };
        return render_status(StatusCode::OK, &page);
    }
    let saved = submit(form.parse(), |body| {
        blog::edit_comment(&app.db, &user.0, client_ip(&req), id, body)
    })
    .await;
    match saved {
        Ok((comment, post)) => {
            let page = blog::page_of_comment(&app.db, &comment).await?;
            Ok(done(
                &session,
                Level::Success,
                "Your comment is saved.",
                &format!("/posts/{}?page={page}#comment-{id}", post.slug),
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let error = errors.get("body").or(errors.get(FORM)).map(str::to_owned);
            let (_, post) =
                blog::changeable_comment(&app.db, &user.0, id, CommentChange::Edit).await?;
            let page = CommentEditPage {
                ctx,
                id,
                post,
                body: form.body,
                error,
                preview: None,
            };
            render_status(status, &page)
        }
    }
}

pub async fn delete_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (comment, post) =
        blog::changeable_comment(&app.db, &user.0, path.into_inner(), CommentChange::Delete)
            .await?;
    render_status(StatusCode::OK, &CommentDeletePage { ctx, comment, post })
}

pub async fn delete(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let (comment, post) = blog::delete_comment(&app.db, &user.0, client_ip(&req), id).await?;
    let page = blog::page_of_comment(&app.db, &comment).await?;
    Ok(done(
        &session,
        Level::Success,
        "The comment is deleted.",
        &format!("/posts/{}?page={page}#comment-{id}", post.slug),
    ))
}

/// A Preview button's answer: the rendering, or why the text would be refused.
fn previewed(
    user: &crate::domain::CurrentUser,
    body: &str,
) -> Result<(Option<String>, Option<String>), AppError> {
    match blog::preview_comment(user, body) {
        Ok(html) => Ok((Some(html), None)),
        Err(error) => {
            let (_, errors) = problems(error)?;
            Ok((
                None,
                errors.get("body").or(errors.get(FORM)).map(str::to_owned),
            ))
        }
    }
}

/// This part's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/posts/{slug}/comments", web::post().to(post_comment))
        .route("/comments/{id}", web::get().to(permalink))
        .route("/comments/{id}/reply", web::get().to(reply_form))
        .route("/comments/{id}/reply", web::post().to(reply))
        .route("/comments/{id}/edit", web::get().to(edit_form))
        .route("/comments/{id}/edit", web::post().to(edit))
        .route("/comments/{id}/delete", web::get().to(delete_form))
        .route("/comments/{id}/delete", web::post().to(delete));
}
