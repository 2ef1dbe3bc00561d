//! Registration, login (throttled), logout.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::auth::MaybeUser;
use crate::auth::session::UserSession;
use crate::auth::throttle::PasswordKeys;
use crate::domain::{Email, FieldErrors, NewPassword, ServiceError, Username, safe_next};
use crate::flash::{self, Level};
use crate::forms::{LoginForm, RegisterForm};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, see_other, user_agent};
use crate::services::accounts;
use crate::services::accounts::password;
use crate::services::accounts::sessions::{self, Origin};
use crate::state::App;
use crate::views::{LoginPage, PageContext, RegisterPage};

pub async fn register_form(ctx: PageContext, user: MaybeUser) -> Result<HttpResponse, AppError> {
    if user.0.is_some() {
        return Ok(see_other("/"));
    }
    render_status(
        StatusCode::OK,
        &RegisterPage {
            ctx,
            username: String::new(),
            email: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

/// Signs `user` in on this session: a server-side session row, then a renewed cookie session
/// that carries its token.
async fn sign_in(
    req: &HttpRequest,
    db: &DatabaseConnection,
    session: &Session,
    user: &entity::user::Model,
) -> Result<(), AppError> {
    let origin = Origin {
        ip: client_ip(req),
        user_agent: user_agent(req),
    };
    let token = sessions::start(db, user.id, &origin).await?;
    UserSession::new(session.clone())
        .log_in(user.id, user.session_version, &token)
        .map_err(|e| AppError::Internal(e.into()))
}

#[tracing::instrument(name = "register", skip_all)]
pub async fn register(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    session: Session,
    form: HtmlForm<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req).unwrap_or_else(|| "unknown".into());
    let reservation = app
        .throttle
        .begin_signup(&ip)
        .await
        .map_err(AppError::TooManyAttempts)?;
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let username = errors.check("username", Username::parse(&form.username));
    let email = errors.check("email", Email::parse(&form.email));
    let password = errors.check(
        "password",
        NewPassword::parse(&form.password, &form.password_confirm, form.username.trim()),
    );
    let registered = match (username, email, password) {
        (Some(username), Some(email), Some(password)) => {
            let hash = password::hash(password.into_inner()).await?;
            accounts::register(
                &app.db,
                &username,
                &email,
                hash,
                None,
                accounts::Address::ToConfirm,
            )
            .await
        }
        _ => Err(ServiceError::Invalid(errors)),
    };
    match registered {
        Ok(user) => {
            app.delivery.wake();
            sign_in(&req, &app.db, &session, &user).await?;
            Ok(done(
                &session,
                Level::Success,
                format!(
                    "Welcome to Marquee, {}! We have mailed you a link to confirm your address.",
                    user.username
                ),
                &format!("/users/{}", user.username),
            ))
        }
        Err(error) => {
            app.throttle.release(reservation).await;
            let (status, errors) = problems(error)?;
            render_status(
                status,
                &RegisterPage {
                    ctx,
                    username: form.username.trim().to_owned(),
                    email: form.email.trim().to_owned(),
                    errors,
                },
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    pub next: Option<String>,
}

pub async fn login_form(
    ctx: PageContext,
    user: MaybeUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_next(query.next.as_deref());
    if user.0.is_some() {
        return Ok(see_other(next.as_deref().unwrap_or("/")));
    }
    render_status(
        StatusCode::OK,
        &LoginPage {
            ctx,
            login: String::new(),
            next: next.unwrap_or_default(),
            error: None,
        },
    )
}

#[tracing::instrument(name = "login", skip_all)]
pub async fn login(
    req: HttpRequest,
    ctx: PageContext,
    app: App,
    session: Session,
    form: HtmlForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let ip = client_ip(&req);
    let keys = PasswordKeys::new(&form.login, ip.as_deref().unwrap_or("unknown"));
    // Counted before the password is checked, so parallel guesses cannot pass the limit.
    let reservation = app
        .throttle
        .begin_password(&keys)
        .await
        .map_err(AppError::TooManyAttempts)?;
    let account = accounts::find_by_login(&app.db, &form.login).await?;
    let checked = password::verify_and_refresh(
        form.password,
        account.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    let verified = checked.matches;
    let next = safe_next(Some(&form.next));
    let failed = |ctx, message: &str| {
        render_status(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                ctx,
                login: form.login.trim().to_owned(),
                next: next.clone().unwrap_or_default(),
                error: Some(message.to_owned()),
            },
        )
    };
    let account_id = account.as_ref().map(|u| u.id);
    match account {
        Some(user) if verified && user.is_active => {
            app.throttle.password_succeeded(&keys, reservation).await;
            accounts::logged_in(&app.db, &user, checked.new_hash, ip).await?;
            sign_in(&req, &app.db, &session, &user).await?;
            flash::push(
                &session,
                Level::Success,
                format!("Welcome back, {}.", user.username),
            );
            Ok(see_other(next.as_deref().unwrap_or("/")))
        }
        Some(_) if verified => {
            app.throttle.password_succeeded(&keys, reservation).await;
            failed(
                ctx,
                "This account has been deactivated. Contact an administrator.",
            )
        }
        _ => {
            app.throttle.password_failed(&keys).await;
            accounts::login_failed(&app.db, account_id, ip).await?;
            tracing::info!("failed login attempt");
            failed(
                ctx,
                "That username or email and password do not match an account.",
            )
        }
    }
}

/// Ends the server-side session, then forgets the cookie session: a copy of the cookie taken
/// before is worth nothing afterwards.
pub async fn logout(app: App, session: Session) -> Result<HttpResponse, AppError> {
    let user_session = UserSession::new(session.clone());
    if let Some(signed_in) = user_session.user() {
        sessions::end(&app.db, &signed_in.token).await?;
    }
    user_session.log_out();
    flash::push(&session, Level::Info, "You are logged out.");
    Ok(see_other("/"))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/register", web::get().to(register_form))
        .route("/register", web::post().to(register))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout));
}
