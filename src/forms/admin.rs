//! The admin area's forms: a role, an account's role and state, one account's grant or denial,
//! many accounts at once, and the confirmation of a previewed change ([`Staged`]).

use entity::enums::{OverrideEffect, Permission};
use serde::Deserialize;

use super::checkbox;
use crate::domain::{Description, FieldErrors, RoleName, ServiceError, parse_permissions};
use crate::services::admin::{
    BulkAction, OverrideInput, RoleInput, Selection, UserChanges, UserFilter,
};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub name: String,
    pub description: String,
    #[serde(deserialize_with = "checkbox")]
    pub is_default: bool,
    pub permissions: Vec<String>,
    /// The ids of the roles it includes (repeated checkboxes).
    pub includes: Vec<String>,
    /// The version of the role the edit form was opened at (`admin::role_version`); empty
    /// for a new role.
    pub version: String,
    /// The preview's digest, when confirming one.
    pub confirm: String,
    /// `edit`: back from the preview to the form.
    pub step: String,
}

impl RoleForm {
    /// True when the form has this permission ticked (for the checkboxes).
    pub fn has(&self, permission: &Permission) -> bool {
        self.permissions.iter().any(|p| p == permission.as_str())
    }

    /// True when the form has the role `id` ticked as included.
    pub fn includes_role(&self, id: &i32) -> bool {
        self.includes.iter().any(|i| i.trim() == id.to_string())
    }

    pub fn parse(&self) -> Result<RoleInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let name = errors.check("name", RoleName::parse(&self.name));
        let description = errors.check("description", Description::parse(&self.description));
        let permissions = errors.check("permissions", parse_permissions(&self.permissions));
        let includes = errors.check(
            "includes",
            self.includes
                .iter()
                .map(|id| {
                    id.trim()
                        .parse::<i32>()
                        .map_err(|_| "Choose included roles from the list.".to_owned())
                })
                .collect(),
        );
        errors.or_valid(|| {
            Some(RoleInput {
                name: name?,
                description: description?,
                is_default: self.is_default,
                permissions: permissions?,
                includes: includes?,
                opened_at: Some(self.version.trim().to_owned()).filter(|v| !v.is_empty()),
            })
        })
    }
}

/// An administrator's grant or denial of one permission to one account.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct OverrideForm {
    pub permission: String,
    /// `grant` or `deny`.
    pub effect: String,
    pub reason: String,
    /// The last day it counts (`YYYY-MM-DD`, UTC), or empty for no expiry.
    pub expires_on: String,
    /// The preview's digest, when confirming one.
    pub confirm: String,
    /// `edit`: back from the preview to the form.
    pub step: String,
}

impl OverrideForm {
    pub fn parse(&self) -> Result<OverrideInput, ServiceError> {
        let mut errors = FieldErrors::default();
        let permission = errors.check(
            "permission",
            Permission::parse(self.permission.trim())
                .ok_or_else(|| "Choose a permission from the list.".to_owned()),
        );
        let effect = errors.check(
            "effect",
            OverrideEffect::parse(self.effect.trim())
                .ok_or_else(|| "Choose to grant or to deny.".to_owned()),
        );
        let expires_at = errors.check("expires_on", parse_last_day(&self.expires_on));
        errors.or_valid(|| {
            Some(OverrideInput {
                permission: permission?,
                effect: effect?,
                reason: self.reason.clone(),
                expires_at: expires_at?,
            })
        })
    }
}

/// A last day (`YYYY-MM-DD`): it counts until the end of that day, UTC. Empty: no expiry.
fn parse_last_day(raw: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.succ_opt())
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|at| Some(at.and_utc()))
        .ok_or_else(|| "Give the last day as a date (YYYY-MM-DD), or leave it empty.".to_owned())
}

/// An administrator's changes to an account: its role and whether it is active.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub role_id: String,
    #[serde(deserialize_with = "checkbox")]
    pub is_active: bool,
    /// The version of the account the form was opened at (`admin::account_version`).
    pub version: String,
    /// The preview's digest, when confirming one.
    pub confirm: String,
    /// `edit`: back from the preview to the form.
    pub step: String,
}

/// An admin change's form, between its first submission and its saving: the first submission
/// asks for a preview; the preview's form carries the fields again ([`Staged::fields`]) with
/// `confirm` (the preview's digest), or with `step=edit` to go back to the form.
pub trait Staged {
    /// The fields as submitted, to carry through the preview as hidden inputs.
    fn fields(&self) -> Vec<(&'static str, String)>;
    fn confirm(&self) -> &str;
    fn step(&self) -> &str;

    fn plan(&self) -> crate::services::admin::Plan {
        crate::services::admin::Plan::from_form(self.confirm())
    }

    /// True when the administrator went back from the preview to change the form.
    fn editing(&self) -> bool {
        self.step() == "edit"
    }
}

/// A confirmation with nothing else to carry (deleting a role): the preview's digest.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub confirm: String,
}

fn tick(on: bool) -> Option<(&'static str, String)> {
    on.then(|| ("", "on".to_owned()))
}

impl Staged for RoleForm {
    fn confirm(&self) -> &str {
        &self.confirm
    }

    fn step(&self) -> &str {
        &self.step
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("name", self.name.clone()),
            ("description", self.description.clone()),
        ];
        fields.extend(tick(self.is_default).map(|(_, v)| ("is_default", v)));
        fields.extend(self.permissions.iter().map(|p| ("permissions", p.clone())));
        fields.extend(self.includes.iter().map(|i| ("includes", i.clone())));
        fields.push(("version", self.version.clone()));
        fields
    }
}

impl Staged for UserForm {
    fn confirm(&self) -> &str {
        &self.confirm
    }

    fn step(&self) -> &str {
        &self.step
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![("role_id", self.role_id.clone())];
        fields.extend(tick(self.is_active).map(|(_, v)| ("is_active", v)));
        fields.push(("version", self.version.clone()));
        fields
    }
}

impl Staged for OverrideForm {
    fn confirm(&self) -> &str {
        &self.confirm
    }

    fn step(&self) -> &str {
        &self.step
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("permission", self.permission.clone()),
            ("effect", self.effect.clone()),
            ("reason", self.reason.clone()),
            ("expires_on", self.expires_on.clone()),
        ]
    }
}

impl UserForm {
    pub fn parse(&self) -> Result<UserChanges, ServiceError> {
        let role_id = self
            .role_id
            .trim()
            .parse::<i32>()
            .map_err(|_| ServiceError::invalid("role_id", "Choose a role from the list."))?;
        Ok(UserChanges {
            role_id,
            is_active: self.is_active,
            opened_at: Some(self.version.trim().to_owned()).filter(|v| !v.is_empty()),
        })
    }
}

/// `yes` and `no` of a filter select; anything else is no filter.
fn yes_no(raw: &str) -> Option<bool> {
    match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The user list's filter from its query (or the bulk form's copy of it).
pub fn user_filter(q: &str, role: &str, active: &str, verified: &str) -> UserFilter {
    UserFilter {
        q: Some(q.to_owned()).filter(|q| !q.trim().is_empty()),
        role_id: role.parse().ok(),
        active: yes_no(active),
        verified: yes_no(verified),
        ..UserFilter::default()
    }
}

/// One action on many accounts from the user list: the ticked accounts, or with `all` every
/// account the list's filter (`q`, `role`, `active`, `verified`) matches; the action and what
/// it needs.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    /// The ticked accounts' ids (repeated checkboxes).
    pub users: Vec<String>,
    #[serde(deserialize_with = "checkbox")]
    pub all: bool,
    pub q: String,
    pub role: String,
    pub active: String,
    pub verified: String,
    /// `set_role`, `grant`, `deny`, `remove_override`, `deactivate`, `reactivate`,
    /// `end_sessions` or `send_reset_link`.
    pub action: String,
    pub role_id: String,
    pub permission: String,
    pub reason: String,
    pub expires_on: String,
    /// The list's page the accounts were ticked on (to go back to it).
    pub page: String,
    pub confirm: String,
    pub step: String,
}

impl BulkForm {
    pub fn parse(&self) -> Result<(Selection, BulkAction), ServiceError> {
        let mut errors = FieldErrors::default();
        let selection = if self.all {
            Some(Selection::Matching(user_filter(
                &self.q,
                &self.role,
                &self.active,
                &self.verified,
            )))
        } else {
            errors.check(
                "users",
                self.users
                    .iter()
                    .map(|id| {
                        id.trim()
                            .parse::<i32>()
                            .map_err(|_| "Select accounts from the list.".to_owned())
                    })
                    .collect::<Result<_, _>>()
                    .map(Selection::Accounts),
            )
        };
        let permission = || {
            Permission::parse(self.permission.trim())
                .ok_or_else(|| "Choose a permission from the list.".to_owned())
        };
        let action = match self.action.as_str() {
            "set_role" => errors.check(
                "role_id",
                self.role_id
                    .trim()
                    .parse::<i32>()
                    .map(BulkAction::SetRole)
                    .map_err(|_| "Choose a role from the list.".to_owned()),
            ),
            "grant" | "deny" => {
                let permission = errors.check("permission", permission());
                let expires_at = errors.check("expires_on", parse_last_day(&self.expires_on));
                let effect = if self.action == "grant" {
                    OverrideEffect::Grant
                } else {
                    OverrideEffect::Deny
                };
                permission.zip(expires_at).map(|(permission, expires_at)| {
                    BulkAction::Override(OverrideInput {
                        permission,
                        effect,
                        reason: self.reason.clone(),
                        expires_at,
                    })
                })
            }
            "remove_override" => errors
                .check("permission", permission())
                .map(BulkAction::RemoveOverride),
            "deactivate" => Some(BulkAction::SetActive(false)),
            "reactivate" => Some(BulkAction::SetActive(true)),
            "end_sessions" => Some(BulkAction::EndSessions),
            "send_reset_link" => Some(BulkAction::SendResetLink),
            _ => errors.check::<BulkAction>("action", Err("Choose what to do.".to_owned())),
        };
        errors.or_valid(|| Some((selection?, action?)))
    }
}

impl Staged for BulkForm {
    fn confirm(&self) -> &str {
        &self.confirm
    }

    fn step(&self) -> &str {
        &self.step
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields: Vec<(&'static str, String)> =
            self.users.iter().map(|id| ("users", id.clone())).collect();
        fields.extend(tick(self.all).map(|(_, v)| ("all", v)));
        fields.extend([
            ("q", self.q.clone()),
            ("role", self.role.clone()),
            ("active", self.active.clone()),
            ("verified", self.verified.clone()),
            ("action", self.action.clone()),
            ("role_id", self.role_id.clone()),
            ("permission", self.permission.clone()),
            ("reason", self.reason.clone()),
            ("expires_on", self.expires_on.clone()),
            ("page", self.page.clone()),
        ]);
        fields
    }
}
