//! The admin area (`templates/admin/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, Pager, filters};
use crate::domain::FieldErrors;
use crate::forms::RoleForm;
use crate::services::Page;
use crate::services::admin::{Dashboard, RoleRow, UserRow};
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
}

impl UsersPage {
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
    pub refusal: Option<String>,
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
