//! String enums stored as short strings, portable across SQLite, PostgreSQL and MySQL.
//!
//! Permissions are known to code; roles are data that admins edit. New variants need no schema
//! change (the column is a string), only code, and a data migration if a default role should
//! receive them.

use sea_orm::Iterable;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a role allows. Stored in `role_permission.permission`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    #[sea_orm(string_value = "comment")]
    Comment,
    #[sea_orm(string_value = "write_posts")]
    WritePosts,
    #[sea_orm(string_value = "moderate_comments")]
    ModerateComments,
    #[sea_orm(string_value = "manage_categories")]
    ManageCategories,
    #[sea_orm(string_value = "manage_movies")]
    ManageMovies,
    #[sea_orm(string_value = "review_movies")]
    ReviewMovies,
    #[sea_orm(string_value = "manage_users")]
    ManageUsers,
    #[sea_orm(string_value = "manage_groups")]
    ManageGroups,
    #[sea_orm(string_value = "manage_roles")]
    ManageRoles,
    #[sea_orm(string_value = "view_audit_log")]
    ViewAuditLog,
}

impl Permission {
    /// Every permission, in the order forms and lists show them.
    pub fn all() -> Vec<Permission> {
        Permission::iter().collect()
    }

    /// The stored value, also used as the form field value.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Comment => "comment",
            Permission::WritePosts => "write_posts",
            Permission::ModerateComments => "moderate_comments",
            Permission::ManageCategories => "manage_categories",
            Permission::ManageMovies => "manage_movies",
            Permission::ReviewMovies => "review_movies",
            Permission::ManageUsers => "manage_users",
            Permission::ManageGroups => "manage_groups",
            Permission::ManageRoles => "manage_roles",
            Permission::ViewAuditLog => "view_audit_log",
        }
    }

    /// A human label for forms and lists.
    pub fn label(self) -> &'static str {
        match self {
            Permission::Comment => "Comment on posts",
            Permission::WritePosts => "Write posts",
            Permission::ModerateComments => "Moderate comments",
            Permission::ManageCategories => "Manage categories",
            Permission::ManageMovies => "Manage movies",
            Permission::ReviewMovies => "Review movies",
            Permission::ManageUsers => "Manage users",
            Permission::ManageGroups => "Manage groups",
            Permission::ManageRoles => "Manage roles",
            Permission::ViewAuditLog => "View the audit log",
        }
    }

    /// Parses a stored or submitted value.
    pub fn parse(value: &str) -> Option<Permission> {
        Permission::iter().find(|p| p.as_str() == value)
    }
}

/// The Motion Picture Association film rating.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum MpaRating {
    #[sea_orm(string_value = "G")]
    #[serde(rename = "G")]
    G,
    #[sea_orm(string_value = "PG")]
    #[serde(rename = "PG")]
    Pg,
    #[sea_orm(string_value = "PG-13")]
    #[serde(rename = "PG-13")]
    Pg13,
    #[sea_orm(string_value = "R")]
    #[serde(rename = "R")]
    R,
    #[sea_orm(string_value = "NC-17")]
    #[serde(rename = "NC-17")]
    Nc17,
}

impl MpaRating {
    pub fn all() -> Vec<MpaRating> {
        MpaRating::iter().collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MpaRating::G => "G",
            MpaRating::Pg => "PG",
            MpaRating::Pg13 => "PG-13",
            MpaRating::R => "R",
            MpaRating::Nc17 => "NC-17",
        }
    }

    pub fn parse(value: &str) -> Option<MpaRating> {
        MpaRating::iter().find(|r| r.as_str().eq_ignore_ascii_case(value.trim()))
    }
}

/// Whether a post is visible to readers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "published")]
    Published,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::Published => "published",
        }
    }
}

/// What a permission override does to one account's permission.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum OverrideEffect {
    /// The account holds the permission whatever its role.
    #[sea_orm(string_value = "grant")]
    Grant,
    /// The account lacks the permission whatever its role and its grants.
    #[sea_orm(string_value = "deny")]
    Deny,
}

impl OverrideEffect {
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideEffect::Grant => "grant",
            OverrideEffect::Deny => "deny",
        }
    }

    pub fn parse(value: &str) -> Option<OverrideEffect> {
        OverrideEffect::iter().find(|e| e.as_str() == value)
    }
}
