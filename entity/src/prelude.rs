//! Short names for every entity.

pub use super::account_link::Entity as AccountLink;
pub use super::api_token::Entity as ApiToken;
pub use super::audit_log::Entity as AuditLog;
pub use super::category::Entity as Category;
pub use super::comment::Entity as Comment;
pub use super::country::Entity as Country;
pub use super::group::Entity as Group;
pub use super::mail_outbox::Entity as MailOutbox;
pub use super::movie::Entity as Movie;
pub use super::movie_decade_facet::Entity as MovieDecadeFacet;
pub use super::movie_director::Entity as MovieDirector;
pub use super::movie_facet::Entity as MovieFacet;
pub use super::permission_override::Entity as PermissionOverride;
pub use super::person::Entity as Person;
pub use super::post::Entity as Post;
pub use super::post_tag::Entity as PostTag;
pub use super::profile::Entity as Profile;
pub use super::review::Entity as Review;
pub use super::role::Entity as Role;
pub use super::role_inclusion::Entity as RoleInclusion;
pub use super::role_permission::Entity as RolePermission;
pub use super::site_version::Entity as SiteVersion;
pub use super::tag::Entity as Tag;
pub use super::user::Entity as User;
pub use super::user_group::Entity as UserGroup;
pub use super::user_session::Entity as UserSession;
