//! The movie catalogue: a faceted list (facet counts and the total in one statement, the page
//! of movies with their rating aggregates and directors in another), movie and person pages,
//! reviews (one per user and movie, decided by the unique key), and managing movies with their
//! ordered directors in one transaction.

mod catalogue;
mod facets;
mod filter;
mod list;
mod people;
mod reviews;
mod snapshot;
mod suggest;
#[cfg(test)]
mod tests;
mod watchlist;

pub use crate::domain::{FIRST_YEAR, last_year};

pub const MOVIES_PER_PAGE: u64 = 24;
pub const REVIEWS_PER_PAGE: u64 = 10;
/// Decades shown as facets: the 1880s up to this decade.
pub const FIRST_DECADE: i32 = 1880;

pub(crate) use catalogue::save_movie;
pub use catalogue::{
    MovieInput, can_manage, can_review, create_movie, delete_movie, find, movie_version,
    refresh_derived, update_movie,
};
pub use facets::{FacetKey, Facets, count_in_facets, facets};
pub use filter::{MovieFilter, MovieSort};
pub use list::{
    FEW_MOVIES, MovieCard, MovieRow, directors_of, list_movies, list_select, movie, reads_whole,
};
pub use people::{
    PEOPLE_PER_PAGE, PERSON_MOVIES_PER_PAGE, PersonCard, people, person, person_with_movies,
};
pub use reviews::{
    MemberReviewRow, MovieRef, ReviewInput, ReviewRow, add_review, delete_review, own_review,
    refresh_ratings, review_of, review_version, reviews, reviews_by, update_review,
};
pub use snapshot::MovieSnapshot;
pub use suggest::{Reason, SUGGESTIONS, Suggestion, for_you, more_like_this};
pub use watchlist::{
    WATCHLIST_PER_PAGE, Watchlist, WatchlistRow, entry as watch_entry, set_public, unwatch, watch,
    watchlist,
};
