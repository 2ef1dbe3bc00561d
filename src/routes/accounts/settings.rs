//! Public profiles and the signed-in user's settings (profile, password, sessions).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::session::UserSession;
use crate::auth::throttle::PasswordKeys;
use crate::auth::{MaybeUser, RequireUser};
use crate::domain::NewPassword;
use crate::domain::{FieldErrors, ServiceError};
use crate::flash::{self, Level};
use crate::forms::{PasswordForm, ProfileForm};
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, see_other, submit};
use crate::services::accounts;
use crate::services::accounts::sessions::{self, Revoke};
use crate::services::accounts::{password, secrets};
use crate::services::audit::Actor;
use crate::state::App;
use crate::views::{
    EditProfilePage, PageContext, PasswordPage, ProfilePage, SessionRow, SessionsPage,
    duration_words,
};
use entity::{profile, user};

pub async fn profile(
    ctx: PageContext,
    viewer: MaybeUser,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let view = accounts::profile_view(&app.db, &path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let is_self = viewer.0.as_ref().is_some_and(|u| u.id == view.user.id);
    let may_remove_avatar = view.user.avatar.is_some()
        && !is_self
        && viewer
            .0
            .as_ref()
            .is_some_and(|u| u.can(entity::enums::Permission::ModerateComments));
    let feed = crate::routes::feeds::link(&crate::services::feeds::FeedSubject::Author {
        username: view.user.username.clone(),
        name: view.user.username.clone(),
    });
    render_status(
        StatusCode::OK,
        &ProfilePage {
            ctx,
            view,
            is_self,
            may_remove_avatar,
            feed,
        },
    )
}

/// The profile form as `account` and `profile` are now, with their version.
fn profile_form(account: user::Model, profile: Option<profile::Model>) -> ProfileForm {
    let version = accounts::profile_version(&account, profile.as_ref());
    let country_id = account
        .country_id
        .map(|c| c.to_string())
        .unwrap_or_default();
    match profile {
        Some(p) => ProfileForm {
            display_name: p.display_name,
            bio: p.bio,
            birth_date: p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            job: p.job.unwrap_or_default(),
            location: p.location.unwrap_or_default(),
            website: p.website.unwrap_or_default(),
            country_id,
            version,
        },
        None => ProfileForm {
            display_name: account.username,
            country_id,
            version,
            ..Default::default()
        },
    }
}

pub async fn edit_profile_form(
    ctx: PageContext,
    user: RequireUser,
    app: App,
) -> Result<HttpResponse, AppError> {
    let (account, profile) = accounts::account(&app.db, user.0.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = profile_form(account, profile);
    let countries = accounts::countries(&app.db).await?;
    render_status(
        StatusCode::OK,
        &EditProfilePage {
            ctx,
            form,
            countries,
            errors: FieldErrors::default(),
            theirs: None,
        },
    )
}

pub async fn edit_profile(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let mut form = form.into_inner();
    let saved = submit(form.parse(), |changes| {
        accounts::update_profile(&app.db, &user.0, changes)
    })
    .await;
    let (status, errors, theirs) = match saved {
        Ok(()) => {
            return Ok(done(
                &session,
                Level::Success,
                "Your profile is saved.",
                &format!("/users/{}", user.0.username),
            ));
        }
        // Saved from another tab meanwhile: nothing is saved; that version is shown beside
        // the kept input, which now carries it as its base.
        Err(ServiceError::Stale) => {
            let (account, profile) = accounts::account(&app.db, user.0.id)
                .await?
                .ok_or(AppError::NotFound)?;
            let theirs = profile_form(account, profile);
            form.version = theirs.version.clone();
            (StatusCode::CONFLICT, FieldErrors::default(), Some(theirs))
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            (status, errors, None)
        }
    };
    let countries = accounts::countries(&app.db).await?;
    render_status(
        status,
        &EditProfilePage {
            ctx,
            form,
            countries,
            errors,
            theirs,
        },
    )
}

pub async fn password_form(ctx: PageContext, _user: RequireUser) -> Result<HttpResponse, AppError> {
    render_status(
        StatusCode::OK,
        &PasswordPage {
            ctx,
            errors: FieldErrors::default(),
        },
    )
}

/// Checks the current password typed to make a change: a password guess like a login,
/// throttled the same way.
pub async fn current_password_ok(
    req: &HttpRequest,
    account: &entity::user::Model,
    typed: String,
) -> Result<bool, AppError> {
    let throttle = &crate::state::AppState::of(req)?.throttle;
    let keys = PasswordKeys::new(
        &account.username,
        client_ip(req).as_deref().unwrap_or("unknown"),
    );
    let reservation = throttle
        .begin_password(&keys)
        .await
        .map_err(AppError::TooManyAttempts)?;
    if password::verify(typed, Some(account.password_hash.clone())).await? {
        throttle.password_succeeded(&keys, reservation).await;
        Ok(true)
    } else {
        throttle.password_failed(&keys).await;
        Ok(false)
    }
}

#[tracing::instrument(name = "change_password", skip_all)]
pub async fn change_password(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let (account, _) = accounts::account(&app.db, user.0.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !current_password_ok(&req, &account, form.current_password).await? {
        errors.add("current_password", "That is not your current password.");
    }
    let new_password = NewPassword::parse(
        &form.new_password,
        &form.new_password_confirm,
        &user.0.username,
    )
    .map_err(|e| errors.add("new_password", e))
    .ok();
    let Some(new_password) = new_password.filter(|_| errors.is_empty()) else {
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage { ctx, errors },
        );
    };
    let hash = password::hash(new_password.into_inner()).await?;
    let user_session = UserSession::new(session.clone());
    let keep = user_session.user().map(|s| s.token);
    let version = accounts::set_password(
        &app.db,
        user.0.id,
        hash,
        keep.as_deref(),
        &Actor::of(&user.0, client_ip(&req)),
    )
    .await?;
    user_session
        .set_version(version)
        .map_err(|e| AppError::Internal(e.into()))?;
    flash::push(
        &session,
        Level::Success,
        "Your password is changed. Your other sessions have been logged out.",
    );
    Ok(see_other(&format!("/users/{}", user.0.username)))
}

/// `/settings/sessions`: where you are signed in, with a way to end any or all of it.
pub async fn sessions(
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let lifetimes = app.lifetimes;
    let current = UserSession::new(session)
        .user()
        .map(|s| secrets::token_id(&s.token));
    let rows = sessions::list(&app.db, user.0.id, lifetimes)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: current.as_deref() == Some(s.id.as_str()),
            session: s,
        })
        .collect();
    render_status(
        StatusCode::OK,
        &SessionsPage {
            ctx,
            sessions: rows,
            idle: duration_words(lifetimes.idle),
            absolute: duration_words(lifetimes.absolute),
        },
    )
}

/// Ends one of your sessions; ending this one logs you out.
pub async fn end_session(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let user_session = UserSession::new(session.clone());
    let is_current = user_session
        .user()
        .is_some_and(|s| secrets::token_id(&s.token) == id);
    let ended = sessions::revoke(
        &app.db,
        &Actor::of(&user.0, client_ip(&req)),
        user.0.id,
        Revoke::One(&id),
    )
    .await?;
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    if is_current {
        user_session.log_out();
        flash::push(&session, Level::Info, "You are logged out.");
        return Ok(see_other("/"));
    }
    flash::push(&session, Level::Success, "That session has ended.");
    Ok(see_other("/settings/sessions"))
}

/// Ends every session but this one.
pub async fn end_other_sessions(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let token = UserSession::new(session.clone())
        .user()
        .map(|s| s.token)
        .ok_or(AppError::LoginRequired("/settings/sessions".into()))?;
    let ended = sessions::revoke(
        &app.db,
        &Actor::of(&user.0, client_ip(&req)),
        user.0.id,
        Revoke::AllBut(&token),
    )
    .await?;
    flash::push(
        &session,
        Level::Success,
        format!("{ended} other session(s) ended."),
    );
    Ok(see_other("/settings/sessions"))
}

/// Ends every session, this one included ("log out everywhere").
pub async fn end_all_sessions(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
) -> Result<HttpResponse, AppError> {
    sessions::revoke(
        &app.db,
        &Actor::of(&user.0, client_ip(&req)),
        user.0.id,
        Revoke::All,
    )
    .await?;
    UserSession::new(session.clone()).log_out();
    flash::push(&session, Level::Info, "You are logged out everywhere.");
    Ok(see_other("/"))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/users/{username}", web::get().to(profile))
        .route("/settings/profile", web::get().to(edit_profile_form))
        .route("/settings/profile", web::post().to(edit_profile))
        .route("/settings/password", web::get().to(password_form))
        .route("/settings/password", web::post().to(change_password))
        .route("/settings/sessions", web::get().to(sessions))
        .route(
            "/settings/sessions/end-others",
            web::post().to(end_other_sessions),
        )
        .route(
            "/settings/sessions/end-all",
            web::post().to(end_all_sessions),
        )
        .route("/settings/sessions/{id}/end", web::post().to(end_session));
}
