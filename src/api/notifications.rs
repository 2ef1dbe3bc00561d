//! Notifications through the API: your list with its unread count, marking read, and how each
//! kind reaches you.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{ApiError, Caller, Json, Problem, json, page_cursor, page_links};
use crate::domain::ServiceError;
use crate::services::notifications::{self, Delivery, Kind};
use crate::state::App;

/// A notification.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: i32,
    /// `comment_reply`, `post_comment`, `message` or `watchlist_review`.
    pub kind: String,
    /// Who did it (none once their account is gone).
    pub actor: Option<String>,
    /// What it is about: the post, the conversation or the film.
    pub subject: String,
    /// The notification as a sentence.
    pub text: String,
    /// The page it points to.
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of your notifications, newest first.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    pub total: u64,
    pub unread: u64,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// Which page.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// A cursor from `next` or `prev`.
    pub cursor: Option<String>,
}

/// Which notifications to mark read.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MarkRead {
    /// Their ids; left out, all of them.
    pub ids: Option<Vec<i32>>,
}

/// How many were unread.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// How each kind reaches you: `site`, `mail` (at once) or `digest` (once a day), by kind.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct NotificationSettings {
    pub comment_reply: Option<String>,
    pub post_comment: Option<String>,
    pub message: Option<String>,
    pub watchlist_review: Option<String>,
}

impl NotificationSettings {
    fn of(choices: Vec<(Kind, Delivery)>) -> NotificationSettings {
        let mut settings = NotificationSettings::default();
        for (kind, delivery) in choices {
            *settings.slot(kind) = Some(delivery.as_str().to_owned());
        }
        settings
    }

    fn slot(&mut self, kind: Kind) -> &mut Option<String> {
        match kind {
            Kind::CommentReply => &mut self.comment_reply,
            Kind::PostComment => &mut self.post_comment,
            Kind::Message => &mut self.message,
            Kind::WatchlistReview => &mut self.watchlist_review,
        }
    }
}

/// Your notifications, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/notifications",
    tag = "members",
    params(NotificationQuery),
    responses(
        (status = 200, description = "A page of your notifications", body = NotificationList),
        (status = 400, description = "A bad cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No token or session", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_notifications(
    caller: Caller,
    app: App,
    query: web::Query<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let number = page_cursor(query.cursor.as_deref())?;
    let page = notifications::notifications(&app.db, user, number)
        .await
        .map_err(ServiceError::from)?;
    let unread = notifications::unread_count(&app.db, user.id)
        .await
        .map_err(ServiceError::from)?;
    let (next, prev) = page_links(page.number, page.pages);
    let items = page
        .items
        .into_iter()
        .map(|n| Notification {
            text: n.sentence(),
            id: n.row.id,
            kind: n.row.kind,
            actor: n.actor,
            subject: n.row.subject,
            link: n.row.link,
            created_at: n.row.created_at,
            read_at: n.row.read_at,
        })
        .collect();
    Ok(json(
        StatusCode::OK,
        &NotificationList {
            items,
            total: page.total,
            unread,
            next,
            prev,
        },
    ))
}

/// Marks notifications read: those named, or all of them.
#[utoipa::path(
    post,
    path = "/api/v1/me/notifications/read",
    tag = "members",
    request_body = MarkRead,
    responses(
        (status = 200, description = "How many were unread", body = Marked),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn mark_read(
    caller: Caller,
    app: App,
    body: Json<MarkRead>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let marked = notifications::mark_read(&app.db, user, body.0.ids).await?;
    Ok(json(StatusCode::OK, &Marked { marked }))
}

/// How each kind of notification reaches you.
#[utoipa::path(
    get,
    path = "/api/v1/me/notification-settings",
    tag = "members",
    responses(
        (status = 200, description = "By kind", body = NotificationSettings),
        (status = 401, description = "No token or session", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_settings(caller: Caller, app: App) -> Result<HttpResponse, ApiError> {
    let user = caller.someone()?;
    let choices = notifications::settings(&app.db, user.id)
        .await
        .map_err(ServiceError::from)?;
    Ok(json(StatusCode::OK, &NotificationSettings::of(choices)))
}

/// Changes how kinds of notification reach you (kinds left out keep theirs).
#[utoipa::path(
    put,
    path = "/api/v1/me/notification-settings",
    tag = "members",
    request_body = NotificationSettings,
    responses(
        (status = 200, description = "Every kind, as saved", body = NotificationSettings),
        (status = 401, description = "No token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A delivery that is none of the three, by field", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn put_settings(
    caller: Caller,
    app: App,
    body: Json<NotificationSettings>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let mut wanted = body.0;
    let mut choices = Vec::new();
    let mut errors = crate::domain::FieldErrors::default();
    for kind in Kind::all() {
        if let Some(value) = wanted.slot(kind).take() {
            match Delivery::parse(&value) {
                Some(delivery) => choices.push((kind, delivery)),
                None => errors.add(kind.as_str(), "Choose site, mail or digest."),
            }
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors).into());
    }
    notifications::set_settings(&app.db, user, &choices).await?;
    let saved = notifications::settings(&app.db, user.id)
        .await
        .map_err(ServiceError::from)?;
    Ok(json(StatusCode::OK, &NotificationSettings::of(saved)))
}

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::api::at("/me/notifications").route(web::get().to(list_notifications)))
        .service(crate::api::at("/me/notifications/read").route(web::post().to(mark_read)))
        .service(
            crate::api::at("/me/notification-settings")
                .route(web::get().to(get_settings))
                .route(web::put().to(put_settings)),
        );
}
