//! Administration through the API: roles with their permissions and inclusions
//! (`manage_roles`), accounts' roles and active flags (`manage_users`), their own grants and
//! denials (`manage_roles`) and the audit log (`view_audit_log`). The same
//! service functions as the admin pages, so the same guard rails: nobody grants, assigns or
//! changes what is beyond their own permissions (a token's scopes included), the last role
//! manager stays, there is one default role.

pub mod roles;
pub mod users;

use entity::enums::Permission;

use super::{ApiError, Caller};

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
    .service(crate::api::at("/admin/users").route(web::get().to(users::list_users)))
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
