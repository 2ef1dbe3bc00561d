//! Administration through the API: roles with their permissions and inclusions
//! (`manage_roles`), accounts' roles and active flags (`manage_users`), their own grants and
//! denials (`manage_roles`) and the audit log (`view_audit_log`). The same
//! service functions as the admin pages, so the same guard rails: nobody grants, assigns or
//! changes what is beyond their own permissions (a token's scopes included), the last role
//! manager stays, there is one default role.

pub mod bulk;
pub mod history;
pub mod roles;
pub mod users;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use entity::enums::Permission;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, Caller, Problem};
use crate::services::admin::{Plan, Planned, Preview};

/// The media type of a change's preview.
pub const PREVIEW_MEDIA_TYPE: &str = "application/vnd.marquee.preview+json";

/// How far a change goes: `preview=true` reports what it would do and changes nothing;
/// `confirm` (a preview's digest) applies it only if it still does exactly that; neither
/// applies it.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Report what the change would do, and change nothing.
    pub preview: Option<bool>,
    /// The `digest` of a preview: apply the change only if it still does what that preview
    /// showed (409 with the new preview otherwise).
    pub confirm: Option<String>,
}

impl PlanQuery {
    pub fn plan(&self) -> Plan {
        match (&self.confirm, self.preview) {
            (Some(digest), _) => Plan::Confirm(digest.trim().to_owned()),
            (None, Some(true)) => Plan::Preview,
            (None, _) => Plan::Apply,
        }
    }
}

/// One account a change touches.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountChange {
    pub user_id: i32,
    pub username: String,
    #[schema(value_type = Vec<String>, example = json!(["manage_movies"]))]
    pub gains: Vec<Permission>,
    #[schema(value_type = Vec<String>)]
    pub loses: Vec<Permission>,
    /// The role it moves to, when the change moves it.
    pub moves_to: Option<String>,
}

/// An account a bulk action leaves alone, and why.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Refused {
    pub user_id: i32,
    pub username: String,
    pub reason: String,
}

impl From<crate::services::admin::Refusal> for Refused {
    fn from(refusal: crate::services::admin::Refusal) -> Refused {
        Refused {
            user_id: refusal.user_id,
            username: refusal.username,
            reason: refusal.reason,
        }
    }
}

/// What a change would do: every account whose permissions or role change, those a bulk
/// action leaves alone, and the digest to confirm it with.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangePreview {
    pub accounts: Vec<AccountChange>,
    pub refused: Vec<Refused>,
    pub digest: String,
}

impl From<Preview> for ChangePreview {
    fn from(preview: Preview) -> ChangePreview {
        ChangePreview {
            accounts: preview
                .accounts
                .into_iter()
                .map(|a| AccountChange {
                    user_id: a.user_id,
                    username: a.username,
                    gains: a.gains,
                    loses: a.loses,
                    moves_to: a.moves_to,
                })
                .collect(),
            refused: preview.refused.into_iter().map(Refused::from).collect(),
            digest: preview.digest,
        }
    }
}

/// A confirmation that came too late: the problem, with what the change would do now.
#[derive(Serialize)]
struct StalePreview {
    #[serde(flatten)]
    problem: Problem,
    preview: ChangePreview,
}

/// A planned change's saved value, or the answer that stands in for it: the preview (200) for
/// a preview; 409 with the new preview for a stale confirmation.
pub(super) fn applied<T>(outcome: Planned<T>) -> Result<T, Box<HttpResponse>> {
    match outcome {
        Planned::Applied(value, _) => Ok(value),
        // Its own media type, so that a client (and the API document) tells a preview from
        // the saved object the same address answers with.
        Planned::Previewed(preview) => Err(Box::new(
            HttpResponse::Ok()
                .content_type(PREVIEW_MEDIA_TYPE)
                .body(serde_json::to_string(&ChangePreview::from(preview)).unwrap_or_default()),
        )),
        Planned::Stale(preview) => Err(Box::new(HttpResponse::Conflict()
            .content_type("application/problem+json")
            .json(StalePreview {
                problem: Problem::new(
                    StatusCode::CONFLICT,
                    "Nothing was changed: the change no longer does what the preview showed. `preview` is what it would do now.",
                ),
                preview: preview.into(),
            }))),
    }
}

pub(super) fn manager(
    caller: &Caller,
    permission: Permission,
) -> Result<&crate::domain::CurrentUser, ApiError> {
    let user = caller.someone()?;
    user.require(permission)?;
    Ok(user)
}

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.service(
        crate::api::at("/admin/roles")
            .route(web::get().to(roles::list_roles))
            .route(web::post().to(roles::create_role)),
    )
    .service(
        crate::api::at("/admin/roles/{id}")
            .route(web::get().to(roles::get_role))
            .route(web::put().to(roles::update_role))
            .route(web::delete().to(roles::delete_role)),
    )
    .service(
        crate::api::at("/admin/roles/{id}/history").route(web::get().to(history::role_history)),
    )
    .service(
        crate::api::at("/admin/roles/{id}/history/{entry}/revert")
            .route(web::post().to(history::revert_role)),
    )
    .service(crate::api::at("/admin/users").route(web::get().to(users::list_users)))
    .service(crate::api::at("/admin/users/bulk").route(web::post().to(bulk::bulk)))
    .service(crate::api::at("/admin/users/{id}").route(web::put().to(users::update_user)))
    .service(
        crate::api::at("/admin/users/{id}/reset-link")
            .route(web::post().to(users::send_reset_link)),
    )
    .service(
        crate::api::at("/admin/users/{id}/permissions")
            .route(web::get().to(users::account_permissions)),
    )
    .service(
        crate::api::at("/admin/users/{id}/overrides/{permission}")
            .route(web::put().to(users::put_override))
            .route(web::delete().to(users::delete_override)),
    )
    .service(crate::api::at("/admin/audit").route(web::get().to(users::audit_log)));
}
