//! Private messages through the API: your conversations, one conversation's messages, starting
//! one, answering, leaving (`comment` to write); blocking and reports are in [`safety`].

pub mod safety;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Caller, Json, Problem, created, json, page_cursor, page_links};
use crate::domain::{MessageBody, NewConversation, ServiceError};
use crate::services::messages::{self, MessageRow};
use crate::state::App;

/// A line of your conversation list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationSummary {
    pub id: i32,
    pub subject: String,
    /// The other members still in it.
    pub with: Vec<String>,
    /// Whether it holds a message you have not read.
    pub unread: bool,
    pub last_message_at: Option<DateTime<Utc>>,
}

/// A page of your conversations, latest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationSummary>,
    pub total: u64,
    /// Your conversations holding a message you have not read.
    pub unread: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// A message.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Message {
    pub id: i32,
    /// Its sender (none once their account is gone).
    pub sender: Option<String>,
    /// Markdown as written.
    pub body: String,
    /// The same, as safe HTML.
    pub body_html: String,
    pub sent_at: DateTime<Utc>,
}

impl Message {
    fn of((message, sender): MessageRow) -> Message {
        Message {
            id: message.id,
            sender: sender.map(|s| s.username),
            body_html: messages::message_html(&message.body),
            body: message.body,
            sent_at: message.created_at,
        }
    }
}

/// A conversation with a page of its messages, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ConversationDetail {
    pub id: i32,
    pub subject: String,
    /// Every member still in it, you too.
    pub members: Vec<String>,
    pub messages: Vec<Message>,
    pub total: u64,
    /// Older messages.
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Which page.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CursorQuery {
    /// A cursor from `next` or `prev`.
    pub cursor: Option<String>,
}

/// A new conversation.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConversationWrite {
    /// Usernames, up to ten.
    pub to: Vec<String>,
    pub subject: String,
    /// The first message (Markdown).
    pub body: String,
}

/// A message to send.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MessageWrite {
    /// Markdown, up to 5,000 characters.
    pub body: String,
}

/// `write` within `user`'s share of messages (`Throttle::message`): a 429 problem with
/// `Retry-After` once it is used up.
async fn within_share<T>(
    app: &App,
    user: &crate::domain::CurrentUser,
    write: impl std::future::Future<Output = Result<T, ServiceError>>,
) -> Result<T, ApiError> {
    let outcome = app.throttle.message(user, write).await.map_err(|seconds| {
        ApiError::Wait(crate::auth::throttle::messages_wait(user, seconds), seconds)
    })?;
    Ok(outcome?)
}

/// Your conversations, latest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/conversations",
    tag = "messages",
    params(CursorQuery),
    responses(
        (status = 200, description = "A page of your conversations", body = ConversationList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token or session", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_conversations(
    caller: Caller,
    app: App,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let number = page_cursor(query.cursor.as_deref())?;
    let page = messages::conversations(&app.db, user, number)
        .await
        .map_err(ServiceError::from)?;
    let unread = messages::unread_count(&app.db, user.id)
        .await
        .map_err(ServiceError::from)?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|c| ConversationSummary {
            id: c.id,
            subject: c.subject,
            with: c.others,
            unread: c.unread,
            last_message_at: c.last_at,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &ConversationList {
            items,
            total: page.total,
            unread,
            next,
            prev,
        },
    ))
}

/// Starts a conversation with its first message.
#[utoipa::path(
    post,
    path = "/api/v1/me/conversations",
    tag = "messages",
    request_body = ConversationWrite,
    responses(
        (status = 201, description = "Started; the conversation", body = ConversationDetail),
        (status = 403, description = "The token lacks comment, or the address is not confirmed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field (an unknown member, one who blocks you)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many messages in the last hour", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["comment"]))
)]
pub async fn start_conversation(
    caller: Caller,
    app: App,
    body: Json<ConversationWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    messages::can_message(user)?;
    let input = NewConversation::parse(&body.0.to, &body.0.subject, &body.0.body)
        .map_err(ServiceError::Invalid)?;
    let id = within_share(&app, user, messages::start(&app.db, user, input)).await?;
    app.delivery.wake();
    let detail = detail(&app, user, id, 1).await?;
    Ok(created(&format!("/api/v1/me/conversations/{id}"), &detail))
}

async fn detail(
    app: &App,
    user: &crate::domain::CurrentUser,
    id: i32,
    number: u64,
) -> Result<ConversationDetail, ApiError> {
    let conversation = messages::conversation(&app.db, user, id, number).await?;
    let (next, prev) = page_links(conversation.messages.number, conversation.messages.pages);
    Ok(ConversationDetail {
        id: conversation.id,
        subject: conversation.subject,
        members: conversation
            .members
            .into_iter()
            .map(|m| m.username)
            .collect(),
        total: conversation.messages.total,
        messages: conversation
            .messages
            .items
            .into_iter()
            .map(Message::of)
            .collect(),
        next,
        prev,
    })
}

/// A conversation you are in, newest messages first; reading it marks it read.
#[utoipa::path(
    get,
    path = "/api/v1/me/conversations/{id}",
    tag = "messages",
    params(("id" = i32, Path, description = "The conversation's id"), CursorQuery),
    responses(
        (status = 200, description = "The conversation with a page of its messages", body = ConversationDetail),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token or session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or you are not in it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_conversation(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let number = page_cursor(query.cursor.as_deref())?;
    let detail = detail(&app, user, path.into_inner(), number).await?;
    Ok(json(StatusCode::OK, &detail))
}

/// Sends a message into a conversation you are in.
#[utoipa::path(
    post,
    path = "/api/v1/me/conversations/{id}/messages",
    tag = "messages",
    params(("id" = i32, Path, description = "The conversation's id")),
    request_body = MessageWrite,
    responses(
        (status = 201, description = "Sent", body = Message),
        (status = 403, description = "The token lacks comment", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or you are not in it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, by field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many messages in the last hour", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["comment"]))
)]
pub async fn send_message(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
    body: Json<MessageWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    messages::can_message(user)?;
    let text = MessageBody::parse(&body.0.body)
        .map_err(|message| ServiceError::invalid("body", message))?;
    let id = path.into_inner();
    let sent = within_share(&app, user, messages::send(&app.db, user, id, text)).await?;
    app.delivery.wake();
    let message = Message::of((
        sent,
        Some(crate::services::UserRef {
            id: user.id,
            username: user.username.clone(),
            avatar: None,
        }),
    ));
    Ok(created(&format!("/api/v1/me/conversations/{id}"), &message))
}

/// Leaves a conversation: it is off your list, and nothing further reaches you from it.
#[utoipa::path(
    delete,
    path = "/api/v1/me/conversations/{id}",
    tag = "messages",
    params(("id" = i32, Path, description = "The conversation's id")),
    responses(
        (status = 204, description = "Left"),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or you are not in it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn leave_conversation(
    caller: Caller,
    app: App,
    path: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    messages::leave(&app.db, user, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        crate::api::at("/me/conversations")
            .route(web::get().to(list_conversations))
            .route(web::post().to(start_conversation)),
    )
    .service(
        crate::api::at("/me/conversations/{id}")
            .route(web::get().to(get_conversation))
            .route(web::delete().to(leave_conversation)),
    )
    .service(crate::api::at("/me/conversations/{id}/messages").route(web::post().to(send_message)));
    safety::routes(cfg);
}
