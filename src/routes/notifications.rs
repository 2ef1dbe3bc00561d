//! Notifications: the member's list (`/notifications`) with marking read, and how each kind
//! reaches them (`/settings/notifications`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::RequireUser;
use crate::domain::FieldErrors;
use crate::flash::Level;
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, PageQuery, done, render_status};
use crate::services::notifications::{self, Delivery, Kind};
use crate::state::App;
use crate::views::{NotificationSettingsPage, NotificationsPage, PageContext, Pager};

/// `/notifications`: newest first.
pub async fn list(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = notifications::notifications(&app.db, &user.0, query.number()).await?;
    let pager = Pager::new(&page, &[]);
    render_status(StatusCode::OK, &NotificationsPage { ctx, page, pager })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReadForm {
    /// One notification's id; empty for all of them.
    pub id: String,
}

/// Marks one notification read, or all of them.
pub async fn read(
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<ReadForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let ids = match form.id.trim() {
        "" => None,
        id => Some(vec![id.parse::<i32>().map_err(|_| AppError::NotFound)?]),
    };
    let one = ids.is_some();
    notifications::mark_read(&app.db, &user.0, ids).await?;
    let message = match one {
        true => "Marked as read.",
        false => "Every notification is marked as read.",
    };
    Ok(done(&session, Level::Success, message, "/notifications"))
}

/// `/settings/notifications`: how each kind reaches the member.
pub async fn settings(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    let choices = notifications::settings(&app.db, user.0.id).await?;
    render_status(
        StatusCode::OK,
        &NotificationSettingsPage {
            ctx,
            choices,
            errors: FieldErrors::default(),
        },
    )
}

/// Saves the choices; a value that is none of the three shows the form again, saying so.
pub async fn save_settings(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::default();
    let mut choices = Vec::new();
    for (name, value) in form.into_inner() {
        let Some(kind) = Kind::parse(&name) else {
            continue; // the CSRF token, and anything else that is not a kind
        };
        match Delivery::parse(&value) {
            Some(delivery) => choices.push((kind, delivery)),
            None => errors.add(
                "form",
                format!("Choose how “{}” reach you.", kind.label().to_lowercase()),
            ),
        }
    }
    if !errors.is_empty() {
        let choices = notifications::settings(&app.db, user.0.id).await?;
        let page = NotificationSettingsPage {
            ctx,
            choices,
            errors,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    notifications::set_settings(&app.db, &user.0, &choices).await?;
    Ok(done(
        &session,
        Level::Success,
        "Your notification settings are saved.",
        "/settings/notifications",
    ))
}

/// This area's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/notifications", web::get().to(list))
        .route("/notifications/read", web::post().to(read))
        .route("/settings/notifications", web::get().to(settings))
        .route("/settings/notifications", web::post().to(save_settings));
}
