//! Keeping messages safe: blocking a member, reporting a message, and the moderators' reported
//! messages (`/moderation/messages`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::RequireUser;
use crate::domain::FieldErrors;
use crate::flash::Level;
use crate::forms::{ReportForm, ResolveForm};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, PageQuery, client_ip, done, problems, render_status};
use crate::services::audit::Actor;
use crate::services::messages::{self, ReportAction};
use crate::state::App;
use crate::views::{BlockedPage, PageContext, Pager, ReportPage, ReportsPage};

/// `/messages/blocked`: the members this member blocks.
pub async fn blocked(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    let blocked = messages::blocked(&app.db, user.0.id).await?;
    render_status(
        StatusCode::OK,
        &BlockedPage {
            ctx,
            blocked,
            username: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlockForm {
    pub username: String,
}

/// Blocks the member named in the form; an unknown name shows the page again with it kept.
pub async fn block_named(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<BlockForm>,
) -> Result<HttpResponse, AppError> {
    let username = form.into_inner().username.trim().to_owned();
    let outcome = match messages::block(&app.db, &user.0, &username).await {
        Err(crate::domain::ServiceError::NotFound) => Err(crate::domain::ServiceError::invalid(
            "username",
            format!("There is no member called “{username}”."),
        )),
        other => other,
    };
    match outcome {
        Ok(()) => Ok(done(
            &session,
            Level::Success,
            format!("You block {username}: their messages no longer reach you."),
            "/messages/blocked",
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let blocked = messages::blocked(&app.db, user.0.id).await?;
            render_status(
                status,
                &BlockedPage {
                    ctx,
                    blocked,
                    username,
                    errors,
                },
            )
        }
    }
}

/// Blocks the member of the profile.
pub async fn block(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    messages::block(&app.db, &user.0, &username).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("You block {username}: their messages no longer reach you."),
        "/messages/blocked",
    ))
}

/// Unblocks a member.
pub async fn unblock(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let username = path.into_inner();
    messages::unblock(&app.db, &user.0, &username).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("You no longer block {username}."),
        "/messages/blocked",
    ))
}

/// `/messages/report/{message_id}`: why the message is reported.
pub async fn report_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let message = messages::reportable(&app.db, &user.0, path.into_inner()).await?;
    let conversation = message.0.conversation_id;
    render_status(
        StatusCode::OK,
        &ReportPage {
            ctx,
            message,
            conversation,
            reason: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

/// Reports the message; a problem shows the form again with the reason kept.
pub async fn report(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<ReportForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let reason = form.into_inner().reason;
    match messages::report(&app.db, &user.0, id, &reason).await {
        Ok(conversation) => Ok(done(
            &session,
            Level::Success,
            "Thank you: moderators will look at the message.",
            &format!("/messages/{conversation}"),
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            let message = messages::reportable(&app.db, &user.0, id).await?;
            let conversation = message.0.conversation_id;
            render_status(
                status,
                &ReportPage {
                    ctx,
                    message,
                    conversation,
                    reason,
                    errors,
                },
            )
        }
    }
}

/// `/moderation/messages`: the open reports (`moderate_comments`).
pub async fn reports(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = messages::reports(&app.db, &user.0, query.number()).await?;
    let pager = Pager::new(&page, &[]);
    render_status(StatusCode::OK, &ReportsPage { ctx, page, pager })
}

/// A moderator's decision on a report.
pub async fn resolve(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<ResolveForm>,
) -> Result<HttpResponse, AppError> {
    let action = ReportAction::parse(&form.into_inner().action)?;
    let actor = Actor::of(&user.0, client_ip(&req));
    messages::resolve(&app.db, &user.0, &actor, path.into_inner(), action).await?;
    let message = match action {
        ReportAction::Dismiss => "Report dismissed.",
        ReportAction::DeactivateSender => "The sender's account is deactivated.",
    };
    Ok(done(
        &session,
        Level::Success,
        message,
        "/moderation/messages",
    ))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/messages/blocked", web::get().to(blocked))
        .route("/messages/blocked", web::post().to(block_named))
        .route("/users/{username}/block", web::post().to(block))
        .route("/users/{username}/unblock", web::post().to(unblock))
        .route("/messages/report/{message_id}", web::get().to(report_form))
        .route("/messages/report/{message_id}", web::post().to(report))
        .route("/moderation/messages", web::get().to(reports))
        .route("/moderation/messages/{id}", web::post().to(resolve));
}
