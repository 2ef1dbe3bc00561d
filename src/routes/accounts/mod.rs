//! The accounts area's pages: signing up, in and out ([`sign_in`]), the mailed links and the
//! address change ([`links`]), profiles and settings with sessions ([`settings`]), personal
//! access tokens ([`tokens`]), the members' directory ([`members`]).

pub mod links;
pub mod members;
pub mod settings;
pub mod sign_in;
pub mod tokens;

/// The area's routes, beside their handlers.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    sign_in::routes(cfg);
    links::routes(cfg);
    settings::routes(cfg);
    tokens::routes(cfg);
    members::routes(cfg);
}
