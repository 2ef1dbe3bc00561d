//! The blog's pages: post lists, posts, writing and comments ([`posts`]), the category tree
//! ([`categories`]), the moderation queue ([`moderation`]) and a post's pictures
//! ([`pictures`]).

pub mod categories;
pub mod comments;
pub mod moderation;
pub mod pictures;
pub mod posts;

/// The area's routes, beside their handlers.
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    posts::routes(cfg);
    categories::routes(cfg);
    moderation::routes(cfg);
    comments::routes(cfg);
    pictures::routes(cfg);
}
