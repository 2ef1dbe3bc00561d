//! The accounts area: members (registration, signing in, profiles), what they may do, their
//! passwords (argon2id), sessions, personal access tokens and mailed one-time links.
//!
//! Dependencies inside point one way: `secrets` <- `sessions`, `tokens` (with `permissions`)
//! <- `credentials` <- `links` <- `members`. `password` hashes and depends on none of them.

pub mod credentials;
pub mod directory;
pub mod links;
pub mod members;
pub mod password;
pub mod permissions;
pub mod secrets;
pub mod sessions;
pub mod tokens;

pub use credentials::{PasswordChange, set_password, store_password};
pub use directory::{MEMBERS_PER_PAGE, MemberCard, members};
pub use members::{
    Activity, Address, ProfileChanges, ProfileView, account, countries, country_exists,
    current_user, default_role_id, find_by_login, logged_in, login_failed, profile_version,
    profile_view, register, update_profile, user_by_username,
};
pub use permissions::{Effective, Reason, RoleGraph, effective, effective_of, held_permissions};
