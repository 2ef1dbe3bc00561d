//! The movie catalogue through the API: the faceted list, one movie, managing movies with
//! their ordered directors (`manage_movies`), people, and reviews (one per member and movie).

pub mod catalogue;
pub mod reviews;
pub mod suggestions;
pub mod watchlist;

pub use catalogue::{
    DecadeCount, Movie, MovieFacets, MovieList, MovieListQuery, MovieWrite, Person, PersonRef,
    RatingCount, create_movie, delete_movie, get_movie, get_person, list_movies, update_movie,
};
pub use reviews::{
    Review, ReviewList, ReviewWrite, create_review, delete_review, list_reviews, update_review,
};

/// This area's API routes, beside their handlers ([`crate::api::routes`] mounts them).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.service(
        crate::api::at("/movies")
            .route(web::get().to(catalogue::list_movies))
            .route(web::post().to(catalogue::create_movie)),
    )
    .service(
        crate::api::at("/movies/{id}")
            .route(web::get().to(catalogue::get_movie))
            .route(web::put().to(catalogue::update_movie))
            .route(web::delete().to(catalogue::delete_movie)),
    )
    .service(
        crate::api::at("/movies/{id}/reviews")
            .route(web::get().to(reviews::list_reviews))
            .route(web::post().to(reviews::create_review)),
    )
    .service(
        crate::api::at("/movies/{id}/reviews/{review}")
            .route(web::put().to(reviews::update_review))
            .route(web::delete().to(reviews::delete_review)),
    )
    .service(crate::api::at("/people/{id}").route(web::get().to(catalogue::get_person)))
    .service(
        crate::api::at("/users/{username}/watchlist")
            .route(web::get().to(watchlist::get_watchlist)),
    )
    .service(crate::api::at("/me/watchlist").route(web::put().to(watchlist::put_visibility)))
    .service(crate::api::at("/movies/{id}/similar").route(web::get().to(suggestions::similar)))
    .service(crate::api::at("/me/suggestions").route(web::get().to(suggestions::for_me)))
    .service(
        crate::api::at("/me/watchlist/{movie_id}")
            .route(web::put().to(watchlist::put_watch))
            .route(web::delete().to(watchlist::delete_watch)),
    );
}
