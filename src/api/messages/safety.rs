//! Blocking members and reporting messages through the API, and the moderators' open reports.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links};
use crate::routes::client_ip;
use crate::services::audit::Actor;
use crate::services::messages::{self, ReportAction};
use crate::state::App;

use super::CursorQuery;

/// The members you block: their messages never reach you.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BlockList {
    pub usernames: Vec<String>,
}

/// Why a message is reported.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReportWrite {
    /// Up to 500 characters.
    pub reason: String,
}

/// A moderator's decision.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ReportDecision {
    /// `dismiss`, or `deactivate_sender` (the sender's account is deactivated).
    pub action: String,
}

/// An open report with the message it is about.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageReport {
    pub id: i32,
    pub reason: String,
    pub reported_at: DateTime<Utc>,
    pub reporter: String,
    pub message_id: i32,
    pub sender: Option<String>,
    pub body: String,
    pub sent_at: DateTime<Utc>,
    pub subject: String,
}

/// A page of open reports, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MessageReportList {
    pub items: Vec<MessageReport>,
    pub total: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// The members you block.
#[utoipa::path(
    get,
    path = "/api/v1/me/blocks",
    tag = "messages",
    responses(
        (status = 200, description = "By username", body = BlockList),
        (status = 401, description = "No token or session", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_blocks(caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let blocked = messages::blocked(&app.db, user.id)
        .await
        .map_err(crate::domain::ServiceError::from)?;
    Ok(json(
        StatusCode::OK,
        &BlockList {
            usernames: blocked.into_iter().map(|u| u.username).collect(),
        },
    ))
}

/// Blocks a member (blocking twice is blocking once).
#[utoipa::path(
    put,
    path = "/api/v1/me/blocks/{username}",
    tag = "messages",
    params(("username" = String, Path, description = "The member")),
    responses(
        (status = 204, description = "Blocked"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Yourself", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_block(
    caller: Caller,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    messages::block(&app.db, user, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Unblocks a member.
#[utoipa::path(
    delete,
    path = "/api/v1/me/blocks/{username}",
    tag = "messages",
    params(("username" = String, Path, description = "The member")),
    responses(
        (status = 204, description = "Unblocked"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or you do not block them", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_block(
    caller: Caller,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    messages::unblock(&app.db, user, &path).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reports a message of a conversation you are in to the moderators.
#[utoipa::path(
    post,
    path = "/api/v1/messages/{id}/report",
    tag = "messages",
    params(("id" = i32, Path, description = "The message's id")),
    request_body = ReportWrite,
    responses(
        (status = 204, description = "Reported"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such message in a conversation you are in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You reported it already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field (your own message)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn report_message(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<ReportWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    messages::report(&app.db, user, path.into_inner(), &body.0.reason).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The open reports, oldest first (`moderate_comments`): the reported messages and nothing
/// else of anyone's conversations.
#[utoipa::path(
    get,
    path = "/api/v1/moderation/message-reports",
    tag = "messages",
    params(CursorQuery),
    responses(
        (status = 200, description = "A page of open reports", body = MessageReportList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["moderate_comments"]))
)]
pub async fn list_reports(
    caller: Caller,
    app: App,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let number = page_cursor(query.cursor.as_deref())?;
    let page = messages::reports(&app.db, user, number).await?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|r| MessageReport {
            id: r.id,
            reason: r.reason,
            reported_at: r.created_at,
            reporter: r.reporter,
            message_id: r.message_id,
            sender: r.sender,
            body: r.body,
            sent_at: r.sent_at,
            subject: r.subject,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &MessageReportList {
            items,
            total: page.total,
            next,
            prev,
        },
    ))
}

/// Resolves an open report: dismisses it, or deactivates the message's sender (audited).
#[utoipa::path(
    post,
    path = "/api/v1/moderation/message-reports/{id}",
    tag = "messages",
    params(("id" = i32, Path, description = "The report's id")),
    request_body = ReportDecision,
    responses(
        (status = 204, description = "Resolved"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or the sender is staff", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such open report", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown action", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["moderate_comments"]))
)]
pub async fn resolve_report(
    req: HttpRequest,
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<ReportDecision>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let action = ReportAction::parse(&body.0.action)?;
    let actor = Actor::of(user, client_ip(&req));
    messages::resolve(&app.db, user, &actor, path.into_inner(), action).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::at("/me/blocks").route(web::get().to(list_blocks)))
        .service(
            crate::api::at("/me/blocks/{username}")
                .route(web::put().to(put_block))
                .route(web::delete().to(delete_block)),
        )
        .service(crate::api::at("/messages/{id}/report").route(web::post().to(report_message)))
        .service(crate::api::at("/moderation/message-reports").route(web::get().to(list_reports)))
        .service(
            crate::api::at("/moderation/message-reports/{id}")
                .route(web::post().to(resolve_report)),
        );
}
