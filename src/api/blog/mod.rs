//! The blog through the API: posts (lists with the pages' filters, one post, writing, editing,
//! publishing, deleting), their pictures, comments (list, write, hide and show again), the
//! category tree and the tags.

pub mod categories;
pub mod comments;
pub mod pictures;
pub mod posts;
pub mod preview;
pub mod taxonomy;

pub use comments::{
    Comment, CommentList, CommentWrite, PageQuery, create_comment, delete_comment, edit_comment,
    hide_comment, list_comments, reply_to_comment, unhide_comment,
};
pub use posts::{
    CategoryRef, Post, PostList, PostListQuery, PostSummary, PostWrite, Status, TagName,
    create_post, delete_post, get_post, list_posts, publish_post, update_post,
};
pub use taxonomy::{CategoryNode, CategoryTree, Tag, TagList, list_categories, list_tags};

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.service(
        crate::api::at("/posts")
            .route(web::get().to(posts::list_posts))
            .route(web::post().to(posts::create_post)),
    )
    .service(
        crate::api::at("/posts/{slug}")
            .route(web::get().to(posts::get_post))
            .route(web::put().to(posts::update_post))
            .route(web::delete().to(posts::delete_post)),
    )
    .service(crate::api::at("/posts/{slug}/publish").route(web::post().to(posts::publish_post)))
    .service(
        crate::api::at("/posts/{slug}/pictures")
            .app_data(web::PayloadConfig::new(
                crate::services::pictures::MAX_UPLOAD,
            ))
            .route(web::get().to(pictures::list_pictures))
            .route(web::post().to(pictures::attach_picture)),
    )
    .service(
        crate::api::at("/posts/{slug}/pictures/{hash}")
            .route(web::delete().to(pictures::detach_picture)),
    )
    .service(
        crate::api::at("/posts/{slug}/comments")
            .route(web::get().to(comments::list_comments))
            .route(web::post().to(comments::create_comment)),
    )
    .service(
        crate::api::at("/comments/{id}")
            .route(web::patch().to(comments::edit_comment))
            .route(web::delete().to(comments::delete_comment)),
    )
    .service(
        crate::api::at("/comments/{id}/replies").route(web::post().to(comments::reply_to_comment)),
    )
    .service(crate::api::at("/comments/{id}/hide").route(web::post().to(comments::hide_comment)))
    .service(
        crate::api::at("/comments/{id}/unhide").route(web::post().to(comments::unhide_comment)),
    )
    .service(
        crate::api::at("/moderation/comments").route(web::get().to(comments::moderation_queue)),
    )
    .service(crate::api::at("/preview").route(web::post().to(preview::preview)))
    .service(
        crate::api::at("/categories")
            .route(web::get().to(taxonomy::list_categories))
            .route(web::post().to(categories::create_category)),
    )
    .service(
        crate::api::at("/categories/{id}")
            .route(web::put().to(categories::update_category))
            .route(web::delete().to(categories::delete_category)),
    )
    .service(crate::api::at("/tags").route(web::get().to(taxonomy::list_tags)));
}
