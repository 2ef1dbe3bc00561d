//! The mailed links' pages (confirm an address, choose a new password, confirm a new
//! address), "forgot password", "send the link again" and "change email". Opening a link
//! shows what it does and a button; only the button's POST changes anything. A link that does
//! not work gets one page (410), whatever the reason.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;

use crate::auth::RequireUser;
use crate::auth::session::UserSession;
use crate::domain::{Email, FieldErrors, NewPassword};
use crate::flash::Level;
use crate::forms::{EmailForm, ForgotForm, ResetForm};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status};
use crate::services::accounts::links::{self, Purpose};
use crate::services::accounts::{self, password};
use crate::state::App;
use crate::views::{EmailPage, ForgotPage, LinkGonePage, LinkPage, PageContext, ResetPage};

fn gone(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render_status(StatusCode::GONE, &LinkGonePage { ctx })
}

/// Whether the secret opens a working link of `purpose`.
async fn works(db: &DatabaseConnection, purpose: Purpose, secret: &str) -> Result<bool, AppError> {
    Ok(links::open(db, purpose, secret).await?.is_some())
}

/// `GET /account/verify/{secret}`.
pub async fn verify_page(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    secret: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !works(&app.db, Purpose::Verify, &secret).await? {
        return gone(ctx);
    }
    render_status(
        StatusCode::OK,
        &LinkPage {
            ctx,
            heading: "Confirm your email address",
            text: "One click, and you can post, comment and review.".into(),
            action: req.path().to_owned(),
            button: "Confirm my address",
            errors: FieldErrors::default(),
        },
    )
}

/// `POST /account/verify/{secret}`.
pub async fn verify(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    session: Session,
    secret: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match links::verify(&app.db, &secret, client_ip(&req)).await? {
        None => gone(ctx),
        Some(account) => {
            let signed_in = ctx.user.as_ref().is_some_and(|u| u.id == account.id);
            let (message, next) = if signed_in {
                ("Your address is confirmed. Welcome aboard!", "/")
            } else {
                ("Your address is confirmed. Log in to start.", "/login")
            };
            Ok(done(&session, Level::Success, message, next))
        }
    }
}

/// `POST /settings/verify`: "send the link again".
pub async fn resend(
    user: RequireUser,
    app: App,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let back = format!("/users/{}", user.0.username);
    match links::resend_verification(&app.db, &user.0).await {
        Ok(()) => {
            app.delivery.wake();
            Ok(done(
                &session,
                Level::Success,
                "We have sent you a new link. It may take a minute to arrive.",
                &back,
            ))
        }
        Err(error) => {
            let (_, errors) = problems(error)?;
            Ok(done(&session, Level::Warning, errors.to_string(), &back))
        }
    }
}

pub async fn forgot_form(ctx: PageContext) -> Result<HttpResponse, AppError> {
    render_status(
        StatusCode::OK,
        &ForgotPage {
            ctx,
            email: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

/// `POST /password/forgot`: the same answer whether or not the address has an account.
pub async fn forgot(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    session: Session,
    form: HtmlForm<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(message) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ForgotPage {
                    ctx,
                    email: form.email.trim().to_owned(),
                    errors: FieldErrors::one("email", message),
                },
            );
        }
    };
    let ip = client_ip(&req);
    app.throttle
        .begin_forgot(ip.as_deref().unwrap_or("unknown"))
        .await
        .map_err(AppError::TooManyAttempts)?;
    links::forgot_password(&app.db, &email, ip).await?;
    app.delivery.wake();
    Ok(done(
        &session,
        Level::Info,
        "If an account uses that address, we have mailed it a link to choose a new password. \
         The link works for an hour.",
        "/login",
    ))
}

/// `GET /account/reset/{secret}`.
pub async fn reset_form(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    secret: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some((_, account)) = links::open(&app.db, Purpose::Reset, &secret).await? else {
        return gone(ctx);
    };
    render_status(
        StatusCode::OK,
        &ResetPage {
            ctx,
            action: req.path().to_owned(),
            username: account.username,
            errors: FieldErrors::default(),
        },
    )
}

/// `POST /account/reset/{secret}`: sets the password and ends every session of the account
/// (this browser's too, when it was signed in).
pub async fn reset(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    session: Session,
    secret: web::Path<String>,
    form: HtmlForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let Some((_, account)) = links::open(&app.db, Purpose::Reset, &secret).await? else {
        return gone(ctx);
    };
    let form = form.into_inner();
    let new_password =
        match NewPassword::parse(&form.password, &form.password_confirm, &account.username) {
            Ok(new_password) => new_password,
            Err(message) => {
                return render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &ResetPage {
                        ctx,
                        action: req.path().to_owned(),
                        username: account.username,
                        errors: FieldErrors::one("password", message),
                    },
                );
            }
        };
    let hash = password::hash(new_password.into_inner()).await?;
    match links::reset_password(&app.db, &secret, hash, client_ip(&req)).await? {
        None => gone(ctx),
        Some(_) => {
            UserSession::new(session.clone()).log_out();
            Ok(done(
                &session,
                Level::Success,
                "Your new password is set, and every session of the account has ended. Log in \
                 with it.",
                "/login",
            ))
        }
    }
}

pub async fn email_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    let (account, _) = accounts::account(&app.db, user.0.id)
        .await?
        .ok_or(AppError::NotFound)?;
    render_status(
        StatusCode::OK,
        &EmailPage {
            ctx,
            verified: account.email_verified_at.is_some(),
            current: account.email,
            email: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

/// `POST /settings/email`: with the current password, mails a confirmation link to the new
/// address and a notice to the old one.
pub async fn change_email(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (account, _) = accounts::account(&app.db, user.0.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let email = errors.check("email", Email::parse(&form.email));
    if !super::settings::current_password_ok(&req, &account, form.current_password).await? {
        errors.add("current_password", "That is not your current password.");
    }
    let requested = match email.filter(|_| errors.is_empty()) {
        Some(email) => {
            links::request_address_change(&app.db, &user.0, &email, client_ip(&req)).await
        }
        None => Err(crate::domain::ServiceError::Invalid(errors)),
    };
    match requested {
        Ok(()) => {
            app.delivery.wake();
            Ok(done(
                &session,
                Level::Success,
                format!(
                    "We have mailed a link to {}. Your address changes when you open it.",
                    form.email.trim()
                ),
                &format!("/users/{}", user.0.username),
            ))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(
                status,
                &EmailPage {
                    ctx,
                    verified: account.email_verified_at.is_some(),
                    current: account.email,
                    email: form.email.trim().to_owned(),
                    errors,
                },
            )
        }
    }
}

/// `GET /account/email/{secret}`.
pub async fn email_confirm_page(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    secret: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let Some((link, _)) = links::open(&app.db, Purpose::Email, &secret).await? else {
        return gone(ctx);
    };
    render_status(
        StatusCode::OK,
        &LinkPage {
            ctx,
            heading: "Confirm your new email address",
            text: format!(
                "Your account will use {} from now on.",
                link.new_email.unwrap_or_default()
            ),
            action: req.path().to_owned(),
            button: "Use this address",
            errors: FieldErrors::default(),
        },
    )
}

/// `POST /account/email/{secret}`.
pub async fn email_confirm(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    session: Session,
    secret: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match links::confirm_address(&app.db, &secret, client_ip(&req)).await {
        Ok(None) => gone(ctx),
        Ok(Some(_)) => Ok(done(
            &session,
            Level::Success,
            "Your new email address is confirmed.",
            if ctx.user.is_some() { "/" } else { "/login" },
        )),
        Err(error) => {
            let (status, errors) = problems(error)?;
            render_status(
                status,
                &LinkPage {
                    ctx,
                    heading: "Confirm your new email address",
                    text: "This address cannot be used.".into(),
                    action: req.path().to_owned(),
                    button: "Try again",
                    errors,
                },
            )
        }
    }
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/password/forgot", web::get().to(forgot_form))
        .route("/password/forgot", web::post().to(forgot))
        .route("/settings/verify", web::post().to(resend))
        .route("/settings/email", web::get().to(email_form))
        .route("/settings/email", web::post().to(change_email));
    // A mailed link's pages are nobody's to keep: no cache stores them.
    cfg.service(
        web::scope("/account")
            .wrap(
                actix_web::middleware::DefaultHeaders::new()
                    .add((actix_web::http::header::CACHE_CONTROL, "no-store")),
            )
            .route("/verify/{secret}", web::get().to(verify_page))
            .route("/verify/{secret}", web::post().to(verify))
            .route("/reset/{secret}", web::get().to(reset_form))
            .route("/reset/{secret}", web::post().to(reset))
            .route("/email/{secret}", web::get().to(email_confirm_page))
            .route("/email/{secret}", web::post().to(email_confirm)),
    );
}
