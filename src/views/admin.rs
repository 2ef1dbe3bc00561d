//! The admin area (`templates/admin/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, Pager, filters};
use crate::domain::FieldErrors;
use crate::forms::{OverrideForm, RoleForm};
use crate::services::Page;
use crate::services::accounts::Reason;
use crate::services::admin::{AccountPermissions, Dashboard, Preview, RoleRow, UserRow};
use entity::user;

#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub ctx: PageContext,
    pub data: Dashboard,
    pub top_authors: Vec<crate::services::blog::TopAuthor>,
}

impl DashboardPage {
    /// Bar width in percent of the largest role.
    pub fn bar(&self, users: &u64) -> u64 {
        let max = self
            .data
            .roles
            .iter()
            .map(|r| r.users)
            .max()
            .unwrap_or(0)
            .max(1);
        users * 100 / max
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/roles.html")]
pub struct RolesPage {
    pub ctx: PageContext,
    pub roles: Vec<RoleRow>,
}

impl RolesPage {
    /// A role's name by id (inclusions are kept by id).
    pub fn name_of(&self, id: &i32) -> &str {
        self.roles
            .iter()
            .find(|r| r.role.id == *id)
            .map_or("?", |r| r.role.name.as_str())
    }

    /// The inclusion graph drawn as a tree: each role no other includes, with the roles it
    /// includes below it (deeper by one), depth first. A role included by several appears
    /// under each; a role is never shown inside itself.
    pub fn tree(&self) -> Vec<(usize, &RoleRow)> {
        let mut out = Vec::new();
        let tops = self
            .roles
            .iter()
            .filter(|r| !self.roles.iter().any(|o| o.includes.contains(&r.role.id)));
        for top in tops {
            self.walk(top, 0, &mut vec![top.role.id], &mut out);
        }
        out
    }

    fn walk<'a>(
        &'a self,
        row: &'a RoleRow,
        depth: usize,
        above: &mut Vec<i32>,
        out: &mut Vec<(usize, &'a RoleRow)>,
    ) {
        out.push((depth, row));
        for included in self
            .roles
            .iter()
            .filter(|r| row.includes.contains(&r.role.id))
        {
            if above.contains(&included.role.id) {
                continue;
            }
            above.push(included.role.id);
            self.walk(included, depth.saturating_add(1), above, out);
            above.pop();
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/role_form.html")]
pub struct RoleFormPage {
    pub ctx: PageContext,
    /// `None` when creating.
    pub role_id: Option<i32>,
    pub form: RoleForm,
    pub errors: FieldErrors,
    pub refusal: Option<String>,
    pub all_permissions: Vec<Permission>,
    /// The other roles, which it may include.
    pub others: Vec<RoleRow>,
    /// The role as someone else saved it while this form was open (the form keeps what was
    /// chosen; saving again replaces theirs).
    pub theirs: Option<RoleRow>,
}

impl RoleFormPage {
    /// Permissions the current admin may grant (others are shown but disabled).
    pub fn grantable(&self, permission: &Permission) -> bool {
        self.ctx.user.as_ref().is_some_and(|u| u.can(*permission))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/role_delete.html")]
pub struct RoleDeletePage {
    pub ctx: PageContext,
    pub row: RoleRow,
    pub default_role: String,
    pub refusal: Option<String>,
    /// What deleting it would do (none when it is refused).
    pub preview: Option<Preview>,
    /// The role changed since the preview the administrator confirmed.
    pub stale: bool,
}

/// A role's history: its audited changes, newest first, each with a way back to it.
#[derive(Template, WebTemplate)]
#[template(path = "admin/role_history.html")]
pub struct RoleHistoryPage {
    pub ctx: PageContext,
    pub role: entity::role::Model,
    pub versions: Vec<crate::services::admin::RoleVersion>,
    pub revert_base: Option<String>,
}

/// An account's history: changes to its role, active flag, overrides and sessions.
#[derive(Template, WebTemplate)]
#[template(path = "admin/account_history.html")]
pub struct AccountHistoryPage {
    pub ctx: PageContext,
    pub target: entity::user::Model,
    pub versions: Vec<crate::services::history::Version<()>>,
    pub revert_base: Option<String>,
}

/// An admin change's preview: the accounts it changes, and a form that confirms it with the
/// submitted fields, or goes back to change them.
#[derive(Template, WebTemplate)]
#[template(path = "admin/preview.html")]
pub struct PreviewPage {
    pub ctx: PageContext,
    pub heading: String,
    /// Where the form posts (the change's own address).
    pub action: String,
    /// Where "Cancel" leads.
    pub cancel: String,
    pub fields: Vec<(&'static str, String)>,
    pub preview: Preview,
    /// Something changed since the preview the administrator confirmed.
    pub stale: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageContext,
    pub page: Page<UserRow>,
    pub pager: Pager,
    pub roles: Vec<RoleRow>,
    pub q: String,
    pub role: String,
    pub active: String,
    pub verified: String,
    pub sort: String,
    pub dir: String,
    /// For the bulk action's permission choice.
    pub all_permissions: Vec<Permission>,
    /// The bulk form as it was left ("Go back and change it" from its preview): its ticks
    /// and choices; empty on a fresh list.
    pub kept: crate::forms::BulkForm,
}

impl UsersPage {
    /// Whether account `id` was ticked in the kept bulk form.
    pub fn ticked(&self, id: &i32) -> bool {
        let id = id.to_string();
        self.kept.users.iter().any(|u| u.trim() == id)
    }

    /// Link that sorts by `column`, flipping the direction when it is already the sort.
    pub fn sort_href(&self, column: &str) -> String {
        let dir = if self.sort == column && self.dir != "desc" {
            "desc"
        } else {
            "asc"
        };
        let query: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("role", self.role.as_str()),
            ("active", self.active.as_str()),
            ("sort", column),
            ("dir", dir),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        format!(
            "?{}",
            serde_urlencoded::to_string(query).unwrap_or_default()
        )
    }

    pub fn sort_mark(&self, column: &str) -> &'static str {
        match (self.sort == column, self.dir.as_str()) {
            (true, "desc") => " ↓",
            (true, _) => " ↑",
            _ => "",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
pub struct UserEditPage {
    pub ctx: PageContext,
    pub target: user::Model,
    pub roles: Vec<RoleRow>,
    pub role_id: i32,
    pub is_active: bool,
    /// The account's version as this page shows it (`admin::account_version`).
    pub version: String,
    pub refusal: Option<String>,
    /// What the account holds and why, and its overrides.
    pub access: AccountPermissions,
    pub all_permissions: Vec<Permission>,
    /// The grant-or-deny form, as submitted, and its problems.
    pub override_form: OverrideForm,
    pub override_errors: FieldErrors,
}

impl UserEditPage {
    fn role_name(&self, id: &i32) -> &str {
        self.access.role_names.get(id).map_or("?", String::as_str)
    }

    /// Who made an override.
    pub fn grantor(&self, by: &Option<i32>) -> String {
        by.and_then(|id| self.access.grantors.get(&id).cloned())
            .unwrap_or_else(|| "someone since removed".to_owned())
    }

    /// Why the account holds a permission, in words.
    pub fn reason_text(&self, reason: &Reason) -> String {
        match reason {
            Reason::Role(path) => {
                let mut names = path.iter().map(|id| format!("“{}”", self.role_name(id)));
                let own = names.next().unwrap_or_default();
                let through: Vec<String> = names.collect();
                if through.is_empty() {
                    format!("role {own}")
                } else {
                    format!(
                        "role {own}, which includes {}",
                        through.join(", which includes ")
                    )
                }
            }
            Reason::Grant(grant) => {
                let until = grant.expires_at.map_or_else(
                    || "until removed".to_owned(),
                    |at| format!("until {}", at.format("%Y-%m-%d %H:%M UTC")),
                );
                format!(
                    "granted by {} {until}: {}",
                    self.grantor(&grant.granted_by_id),
                    grant.reason
                )
            }
        }
    }

    /// Whether an override counts now.
    pub fn in_force(&self, o: &entity::permission_override::Model) -> bool {
        o.in_force(chrono::Utc::now())
    }

    /// Permissions the current admin may grant or deny.
    pub fn grantable(&self, permission: &Permission) -> bool {
        self.ctx.user.as_ref().is_some_and(|u| u.can(*permission))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub ctx: PageContext,
    pub page: Page<crate::services::audit::AuditRow>,
    pub pager: Pager,
    pub actions: Vec<String>,
    pub subjects: Vec<String>,
    pub action: String,
    pub subject: String,
    pub actor: String,
}
