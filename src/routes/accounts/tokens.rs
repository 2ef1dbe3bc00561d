//! `/settings/tokens`: making, listing and revoking your personal access tokens for the JSON
//! API (`services::accounts::tokens`).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::DatabaseConnection;

use crate::auth::RequireUser;
use crate::domain::{CurrentUser, FieldErrors};
use crate::flash::Level;
use crate::forms::TokenForm;
use crate::routes::error::AppError;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status, submit};
use crate::services::accounts::tokens;
use crate::state::App;
use crate::views::{PageContext, TokensPage};

async fn page(
    ctx: PageContext,
    db: &DatabaseConnection,
    user: &CurrentUser,
    form: TokenForm,
    errors: FieldErrors,
    created: Option<(String, String)>,
) -> Result<TokensPage, AppError> {
    Ok(TokensPage {
        tokens: tokens::list(db, user).await?,
        offered: user.permissions.clone(),
        form,
        errors,
        created,
        now: chrono::Utc::now(),
        ctx,
    })
}

pub async fn list(ctx: PageContext, user: RequireUser, app: App) -> Result<HttpResponse, AppError> {
    let page = page(
        ctx,
        &app.db,
        &user.0,
        TokenForm::default(),
        FieldErrors::default(),
        None,
    )
    .await?;
    render_status(StatusCode::OK, &page)
}

/// Makes a token and shows its secret, this once, on the page itself (it is never stored, so
/// it cannot wait in a redirect).
pub async fn create(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    form: HtmlForm<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let made = submit(form.parse(), |input| {
        tokens::create(&app.db, &user.0, client_ip(&req), input)
    })
    .await;
    match made {
        Ok((row, secret)) => {
            let created = Some((row.token.name, secret));
            let page = page(
                ctx,
                &app.db,
                &user.0,
                TokenForm::default(),
                FieldErrors::default(),
                created,
            )
            .await?;
            render_status(StatusCode::CREATED, &page)
        }
        Err(error) => {
            let (status, errors) = problems(error)?;
            let page = page(ctx, &app.db, &user.0, form, errors, None).await?;
            render_status(status, &page)
        }
    }
}

pub async fn revoke(
    req: HttpRequest,
    user: RequireUser,
    app: App,
    session: Session,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let row = tokens::revoke(&app.db, &user.0, client_ip(&req), path.into_inner()).await?;
    Ok(done(
        &session,
        Level::Success,
        format!("The token “{}” is revoked.", row.token.name),
        "/settings/tokens",
    ))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings/tokens", web::get().to(list))
        .route("/settings/tokens", web::post().to(create))
        .route("/settings/tokens/{id}/revoke", web::post().to(revoke));
}
