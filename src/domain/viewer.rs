//! Who is asking: the signed-in user with the permissions of their role. Services take it as
//! the actor of a change and decide with it what may be seen and done; the web layer only
//! resolves it from the session (see `auth`).

use entity::enums::Permission;

use super::ServiceError;

/// Why an account whose address is not confirmed yet may not do something.
pub const UNVERIFIED: &str = "Confirm your email address first: open the link in the mail we \
                              sent you (or have it sent again from your profile).";

/// The signed-in user, with the permissions of their role.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i32,
    pub username: String,
    pub role_id: i32,
    pub role_name: String,
    pub permissions: Vec<Permission>,
    /// False until the address is confirmed; the account holds no permissions until then.
    pub verified: bool,
    /// When the account was made (new accounts may send fewer messages).
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Conversations holding a message they have not read (read with the session's user; 0
    /// where nothing shows it, as through the API).
    pub unread_messages: u64,
    /// Notifications not read yet (as `unread_messages`).
    pub unread_notifications: u64,
}

impl CurrentUser {
    /// `user` in `role`, holding `permissions` (see `services::accounts::held_permissions`).
    pub fn new(
        user: entity::user::Model,
        role: entity::role::Model,
        permissions: Vec<Permission>,
    ) -> CurrentUser {
        CurrentUser {
            id: user.id,
            username: user.username,
            role_id: role.id,
            role_name: role.name,
            permissions,
            verified: user.email_verified_at.is_some(),
            created_at: user.created_at,
            unread_messages: 0,
            unread_notifications: 0,
        }
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Any permission that opens the admin area.
    pub fn is_staff(&self) -> bool {
        [
            Permission::ManageUsers,
            Permission::ManageRoles,
            Permission::ManageGroups,
            Permission::ViewAuditLog,
        ]
        .iter()
        .any(|p| self.can(*p))
    }

    /// `Ok` when the user holds `permission`, else [`ServiceError::Refused`] (a 403).
    pub fn require(&self, permission: Permission) -> Result<(), ServiceError> {
        if self.can(permission) {
            Ok(())
        } else if !self.verified {
            Err(ServiceError::Refused(UNVERIFIED.into()))
        } else {
            Err(ServiceError::forbidden())
        }
    }
}

/// The viewer of a page: somebody signed in, or nobody.
pub type Viewer<'a> = Option<&'a CurrentUser>;
