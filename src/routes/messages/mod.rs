//! Private messages: the conversation list (`/messages`), a new conversation, a conversation
//! with its reply form, leaving; blocking and reports are in [`safety`].

mod safety;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::RequireUser;
use crate::auth::throttle::messages_wait;
use crate::domain::{FORM, FieldErrors};
use crate::flash::Level;
use crate::forms::{ConversationForm, MailForm, MessageForm};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, PageQuery, done, problems, render_status, submit};
use crate::services::messages;
use crate::state::App;
use crate::views::{ConversationPage, ConversationsPage, NewConversationPage, PageContext, Pager};

/// `/messages`: the member's conversations, latest first.
pub async fn list(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = messages::conversations(&app.db, &user.0, query.number()).await?;
    let mail = messages::mail_wanted(&app.db, user.0.id).await?;
    let pager = Pager::new(&page, &[]);
    render_status(
        StatusCode::OK,
        &ConversationsPage {
            ctx,
            page,
            pager,
            mail,
        },
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    pub to: String,
}

/// `/messages/new?to=…`: the form, its recipients filled in from a profile's link.
pub async fn new_form(
    ctx: PageContext,
    user: RequireUser,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    messages::can_message(&user.0)?;
    render_status(
        StatusCode::OK,
        &NewConversationPage {
            ctx,
            to: query.into_inner().to,
            subject: String::new(),
            body: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

/// Starts a conversation; a problem shows the form again with every value kept.
pub async fn start(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<ConversationForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let write = submit(form.parse(), |input| {
        messages::start(&app.db, &user.0, input)
    });
    let (status, errors) = match app.throttle.message(&user.0, write).await {
        Ok(Ok(id)) => {
            app.delivery.wake();
            return Ok(done(
                &session,
                Level::Success,
                "Your message is sent.",
                &format!("/messages/{id}"),
            ));
        }
        Ok(Err(error)) => problems(error)?,
        Err(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::one(FORM, messages_wait(&user.0, seconds)),
        ),
    };
    let page = NewConversationPage {
        ctx,
        to: form.to,
        subject: form.subject,
        body: form.body,
        errors,
    };
    render_status(status, &page)
}

/// `/messages/{id}`: the conversation, read by opening it.
pub async fn show(
    ctx: PageContext,
    _signed_in: RequireUser,
    app: App,
    path: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = conversation_page(
        ctx,
        &app,
        path.into_inner(),
        query.number(),
        String::new(),
        FieldErrors::default(),
    )
    .await?;
    render_status(StatusCode::OK, &page)
}

async fn conversation_page(
    ctx: PageContext,
    app: &App,
    id: i32,
    number: u64,
    body: String,
    errors: FieldErrors,
) -> Result<ConversationPage, AppError> {
    let mut ctx = ctx;
    let user = ctx.user.as_mut().ok_or(AppError::NotFound)?;
    let conversation = messages::conversation(&app.db, user, id, number).await?;
    // The navigation was counted before this page read the conversation.
    if conversation.was_unread {
        user.unread_messages = user.unread_messages.saturating_sub(1);
        user.unread_notifications = user
            .unread_notifications
            .saturating_sub(conversation.notices_read);
    }
    let pager = Pager::new(&conversation.messages, &[]);
    Ok(ConversationPage {
        ctx,
        conversation,
        pager,
        body,
        errors,
    })
}

/// Sends a message into the conversation; a problem shows it again with the text kept.
pub async fn send(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
    form: HtmlForm<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let form = form.into_inner();
    let write = submit(form.parse(), |body| {
        messages::send(&app.db, &user.0, id, body)
    });
    let (status, errors) = match app.throttle.message(&user.0, write).await {
        Ok(Ok(sent)) => {
            app.delivery.wake();
            return Ok(done(
                &session,
                Level::Success,
                "Your message is sent.",
                &format!("/messages/{id}#message-{}", sent.id),
            ));
        }
        Ok(Err(error)) => problems(error)?,
        Err(seconds) => (
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::one(FORM, messages_wait(&user.0, seconds)),
        ),
    };
    let page = conversation_page(ctx, &app, id, 1, form.body, errors).await?;
    render_status(status, &page)
}

/// Leaves the conversation.
pub async fn leave(
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    messages::leave(&app.db, &user.0, path.into_inner()).await?;
    Ok(done(
        &session,
        Level::Success,
        "You left the conversation.",
        "/messages",
    ))
}

/// Whether new messages are mailed.
pub async fn mail(
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<MailForm>,
) -> Result<HttpResponse, AppError> {
    let mail = form.into_inner().mail == "true";
    messages::set_mail(&app.db, &user.0, mail).await?;
    let message = match mail {
        true => "A mail will tell you of each new message.",
        false => "New messages will not be mailed to you.",
    };
    Ok(done(&session, Level::Success, message, "/messages"))
}

/// This area's pages, beside their handlers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/messages", web::get().to(list))
        .route("/messages", web::post().to(start))
        .route("/messages/new", web::get().to(new_form))
        .route("/messages/mail", web::post().to(mail));
    safety::routes(cfg);
    cfg.route("/messages/{id}", web::get().to(show))
        .route("/messages/{id}", web::post().to(send))
        .route("/messages/{id}/leave", web::post().to(leave));
}
