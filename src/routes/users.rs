//! Public profiles and the signed-in user's settings (profile, password).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use super::{render_status, see_other};
use crate::auth::session::UserSession;
use crate::auth::{MaybeUser, RequireUser, password};
use crate::domain::NewPassword;
use crate::errors::AppError;
use crate::flash::{self, Level};
use crate::services::accounts::{self, ProfileChanges};
use crate::views::{
    EditProfilePage, FieldErrors, PageContext, PasswordPage, ProfileForm, ProfilePage,
};

pub async fn profile(
    ctx: PageContext,
    viewer: MaybeUser,
    db: web::Data<DatabaseConnection>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let view = accounts::profile_view(db.get_ref(), &path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let is_self = viewer.0.as_ref().is_some_and(|u| u.id == view.user.id);
    render_status(StatusCode::OK, &ProfilePage { ctx, view, is_self })
}

pub async fn edit_profile_form(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, AppError> {
    let (account, profile) = accounts::account(db.get_ref(), user.0.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let form = match profile {
        Some(p) => ProfileForm {
            display_name: p.display_name,
            bio: p.bio,
            birth_date: p.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            job: p.job.unwrap_or_default(),
            location: p.location.unwrap_or_default(),
            website: p.website.unwrap_or_default(),
            country_id: account
                .country_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
        },
        None => ProfileForm {
            display_name: account.username,
            ..Default::default()
        },
    };
    let countries = accounts::countries(db.get_ref()).await?;
    render_status(
        StatusCode::OK,
        &EditProfilePage {
            ctx,
            form,
            countries,
            errors: FieldErrors::default(),
        },
    )
}

fn optional(
    value: &str,
    field: &'static str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > max {
        errors.add(field, format!("Keep this under {max} characters."));
    }
    (!value.is_empty()).then(|| value.to_owned())
}

pub async fn edit_profile(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    form: web::Form<ProfileForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let display_name = form.display_name.trim().to_owned();
    if display_name.is_empty() {
        errors.add("display_name", "Enter the name to show on your profile.");
    } else if display_name.chars().count() > 64 {
        errors.add(
            "display_name",
            "Keep your display name under 64 characters.",
        );
    }
    let bio = form.bio.trim().to_owned();
    if bio.chars().count() > 2000 {
        errors.add("bio", "Keep your bio under 2,000 characters.");
    }
    let birth_date = match form.birth_date.trim() {
        "" => None,
        raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d > Utc::now().date_naive() => {
                errors.add("birth_date", "Your birth date cannot be in the future.");
                None
            }
            Ok(d) if d.year() < 1900 => {
                errors.add("birth_date", "Enter a year from 1900 on.");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.add("birth_date", "Enter a date as YYYY-MM-DD.");
                None
            }
        },
    };
    let job = optional(&form.job, "job", 100, &mut errors);
    let location = optional(&form.location, "location", 100, &mut errors);
    let website = optional(&form.website, "website", 255, &mut errors);
    if let Some(site) = &website
        && !(site.starts_with("https://") || site.starts_with("http://"))
    {
        errors.add("website", "Enter a full address starting with https://.");
    }
    let country_id = match form.country_id.trim() {
        "" => None,
        raw => match raw.parse::<i32>() {
            Ok(id) if accounts::country_exists(db.get_ref(), id).await? => Some(id),
            _ => {
                errors.add("country_id", "Choose a country from the list.");
                None
            }
        },
    };
    if !errors.is_empty() {
        let countries = accounts::countries(db.get_ref()).await?;
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &EditProfilePage {
                ctx,
                form,
                countries,
                errors,
            },
        );
    }
    accounts::update_profile(
        db.get_ref(),
        user.0.id,
        ProfileChanges {
            display_name,
            bio,
            birth_date,
            job,
            location,
            website,
            country_id,
        },
    )
    .await?;
    flash::push(&session, Level::Success, "Your profile is saved.");
    Ok(see_other(&format!("/users/{}", user.0.username)))
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

#[tracing::instrument(name = "change_password", skip_all)]
pub async fn change_password(
    ctx: PageContext,
    user: RequireUser,
    db: web::Data<DatabaseConnection>,
    session: Session,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::default();
    let (account, _) = accounts::account(db.get_ref(), user.0.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !password::verify(form.current_password, Some(account.password_hash)).await? {
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
    let version = accounts::set_password(db.get_ref(), user.0.id, hash).await?;
    UserSession::new(session.clone())
        .set_version(version)
        .map_err(|e| AppError::Internal(e.into()))?;
    flash::push(
        &session,
        Level::Success,
        "Your password is changed. Your other sessions have been logged out.",
    );
    Ok(see_other(&format!("/users/{}", user.0.username)))
}
