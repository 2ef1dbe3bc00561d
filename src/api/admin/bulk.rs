//! One action on many accounts through the API: the same service function as the user list's
//! bulk form, so the same rules, the same preview and the same per-account refusals.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::enums::{OverrideEffect, Permission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ChangePreview, PlanQuery, Refused, applied};
use crate::api::{ApiError, Caller, Json, Problem, json};
use crate::domain::ServiceError;
use crate::request::client_ip;
use crate::services::admin::{self, BulkAction, OverrideInput, Selection, UserFilter};
use crate::state::App;

/// The accounts a bulk action is for: every account that matches all of these given.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AccountFilter {
    /// Part of the username or the address.
    pub q: Option<String>,
    pub role_id: Option<i32>,
    pub active: Option<bool>,
    /// Whether the address is confirmed.
    pub verified: Option<bool>,
}

/// One action on many accounts: `users` (at most 1000 ids) or `filter`, not both.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct BulkWrite {
    pub users: Option<Vec<i32>>,
    pub filter: Option<AccountFilter>,
    /// `set_role`, `grant`, `deny`, `remove_override`, `deactivate`, `reactivate`,
    /// `end_sessions` or `send_reset_link`.
    #[schema(
        pattern = "^(set_role|grant|deny|remove_override|deactivate|reactivate|end_sessions|send_reset_link)$"
    )]
    pub action: String,
    /// For `set_role`.
    pub role_id: Option<i32>,
    /// For `grant`, `deny` and `remove_override`: a permission name.
    pub permission: Option<String>,
    /// For `grant` and `deny`: why, 1 to 200 characters.
    pub reason: Option<String>,
    /// For `grant` and `deny`: until when it counts; none: until removed.
    pub expires_at: Option<DateTime<Utc>>,
}

impl BulkWrite {
    fn parse(self) -> Result<(Selection, BulkAction), ServiceError> {
        let selection = match (self.users, self.filter) {
            (Some(ids), None) => Selection::Accounts(ids.into_iter().collect()),
            (None, Some(filter)) => Selection::Matching(UserFilter {
                q: filter.q,
                role_id: filter.role_id,
                active: filter.active,
                verified: filter.verified,
                ..UserFilter::default()
            }),
            _ => {
                return Err(ServiceError::invalid(
                    "users",
                    "Give either `users` (ids) or `filter`.",
                ));
            }
        };
        let permission = || {
            self.permission
                .as_deref()
                .and_then(Permission::parse)
                .ok_or_else(|| ServiceError::invalid("permission", "Name a known permission."))
        };
        let action = match self.action.as_str() {
            "set_role" => BulkAction::SetRole(
                self.role_id
                    .ok_or_else(|| ServiceError::invalid("role_id", "Give the role's id."))?,
            ),
            "grant" | "deny" => BulkAction::Override(OverrideInput {
                permission: permission()?,
                effect: if self.action == "grant" {
                    OverrideEffect::Grant
                } else {
                    OverrideEffect::Deny
                },
                reason: self.reason.clone().unwrap_or_default(),
                expires_at: self.expires_at,
            }),
            "remove_override" => BulkAction::RemoveOverride(permission()?),
            "deactivate" => BulkAction::SetActive(false),
            "reactivate" => BulkAction::SetActive(true),
            "end_sessions" => BulkAction::EndSessions,
            "send_reset_link" => BulkAction::SendResetLink,
            _ => return Err(ServiceError::invalid("action", "Name a known action.")),
        };
        Ok((selection, action))
    }
}

/// What a bulk action did.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkDone {
    /// Accounts changed (those already as asked are left as they are).
    pub changed: usize,
    /// Accounts the rules protect from the caller, left alone.
    pub refused: Vec<Refused>,
}

/// Applies one action to many accounts, each under the rules it would meet alone, in one
/// transaction, with an audit entry per account changed (`manage_users`; grants and denials
/// also `manage_roles`).
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/bulk",
    tag = "administration",
    params(PlanQuery),
    request_body = BulkWrite,
    responses(
        (status = 200, description = "What it did; with `preview=true`, what it would do, nothing saved", content((BulkDone = "application/json"), (ChangePreview = "application/vnd.marquee.preview+json"))),
        (status = 403, description = "Without the permission the action needs", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action as a whole is refused (a role or permission beyond the caller's, the last role manager), or `confirm` named a preview that is no longer true", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No accounts, too many ids, or an unknown action, role or permission", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = ["manage_users"]))
)]
pub async fn bulk(
    req: HttpRequest,
    caller: Caller,
    app: App,
    query: web::Query<PlanQuery>,
    body: Json<BulkWrite>,
) -> Result<HttpResponse, ApiError> {
    let user = caller.writer()?;
    let (selection, action) = body.0.parse()?;
    let outcome = admin::bulk_change(
        &app.db,
        user,
        client_ip(&req),
        &selection,
        &action,
        &query.plan(),
    )
    .await?;
    let report = match applied(outcome) {
        Ok(report) => report,
        Err(preview) => return Ok(*preview),
    };
    if matches!(action, BulkAction::SendResetLink) && report.changed > 0 {
        app.delivery.wake();
    }
    Ok(json(
        StatusCode::OK,
        &BulkDone {
            changed: report.changed,
            refused: report.refused.into_iter().map(Refused::from).collect(),
        },
    ))
}
