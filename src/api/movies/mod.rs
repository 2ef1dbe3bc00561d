//! The movie catalogue through the API: the faceted list, one movie, managing movies with
//! their ordered directors (`manage_movies`), people, and reviews (one per member and movie).

pub mod catalogue;
pub mod reviews;

pub use catalogue::{
    DecadeCount, Movie, MovieFacets, MovieList, MovieListQuery, MovieWrite, Person, PersonRef,
    RatingCount, create_movie, delete_movie, get_movie, get_person, list_movies, update_movie,
};
pub use reviews::{
    Review, ReviewList, ReviewWrite, create_review, delete_review, list_reviews, update_review,
};
