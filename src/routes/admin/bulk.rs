//! `POST /admin/users/bulk`: one action on the accounts ticked in the user list, or on every
//! account its filter matches. Previewed (who changes, who is left alone and why), then
//! confirmed, as any admin change; a refusal of the whole action goes back to the list with
//! its reason.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use entity::enums::Permission;

use super::preview::{Proposal, respond};
use super::users::{UsersQuery, list_page};
use crate::auth::RequireUser;
use crate::flash::Level;
use crate::forms::{BulkForm, Staged};
use crate::routes::error::AppError;
use crate::routes::respond::urlencode;
use crate::routes::{HtmlForm, client_ip, done, problems, render_status};
use crate::services::admin;
use crate::state::App;
use crate::views::PageContext;

/// The user list as the form's filter left it. A value too long for an address (no filter
/// the list offers is) is left out: the redirect must stay within what clients read and the
/// list accepts ([`crate::input::MAX_QUERY`]).
fn list_address(form: &BulkForm) -> String {
    let value = |raw: &str| {
        let encoded = urlencode(raw);
        match encoded.len() <= crate::input::MAX_QUERY / 8 {
            true => encoded,
            false => String::new(),
        }
    };
    format!(
        "/admin/users?q={}&role={}&active={}&verified={}",
        value(&form.q),
        value(&form.role),
        value(&form.active),
        value(&form.verified)
    )
}

pub async fn bulk(
    req: HttpRequest,
    ctx: PageContext,
    user: RequireUser,
    app: App,
    session: Session,
    form: HtmlForm<BulkForm>,
) -> Result<HttpResponse, AppError> {
    user.0.require(Permission::ManageUsers)?;
    let form = form.into_inner();
    let back = list_address(&form);
    if form.editing() {
        // The list as it was left: the same filter and page, the same ticks and choices.
        let query = UsersQuery {
            q: form.q.clone(),
            role: form.role.clone(),
            active: form.active.clone(),
            verified: form.verified.clone(),
            page: form.page.trim().parse().ok(),
            ..UsersQuery::default()
        };
        let page = list_page(&app, ctx, query, form).await?;
        return render_status(StatusCode::OK, &page);
    }
    let plan = form.plan();
    let outcome = match form.parse() {
        Ok((selection, action)) => {
            admin::bulk_change(
                &app.db,
                &user.0,
                client_ip(&req),
                &selection,
                &action,
                &plan,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(outcome) => {
            let proposal = Proposal {
                heading: "Change the selected accounts?".into(),
                action: "/admin/users/bulk".into(),
                cancel: back.clone(),
                fields: form.fields(),
            };
            respond(ctx, outcome, proposal, |report| {
                let left = match report.refused.len() {
                    0 => String::new(),
                    n => format!("; {n} left alone"),
                };
                let what = match form.action.as_str() {
                    "send_reset_link" => {
                        app.delivery.wake();
                        "sent a reset link"
                    }
                    _ => "changed",
                };
                done(
                    &session,
                    Level::Success,
                    format!("{} account(s) {what}{left}.", report.changed),
                    &back,
                )
            })
        }
        Err(error) => {
            let (_, errors) = problems(error)?;
            Ok(done(&session, Level::Error, errors.to_string(), &back))
        }
    }
}
