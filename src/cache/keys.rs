//! What the content cache keeps, one variant per kind of data: a key holds the query itself
//! (the filter, the page), so two handlers can neither collide on an entry nor miss each
//! other's by spelling a string differently, and the compiler knows every kind there is.

use crate::services::blog::{Position, PostFilter};
use crate::services::movies::{MovieFilter, MovieSort};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DataKey {
    /// The home page's lists.
    Home,
    /// The whole category tree.
    Categories,
    /// A page of a public post list.
    Posts {
        filter: PostFilter,
        position: Position,
    },
    /// A page of the movie catalogue with its facet counts.
    Movies {
        filter: MovieFilter,
        sort: MovieSort,
        descending: bool,
        page: u64,
    },
    /// A post with one page of its comments.
    Post { slug: String, page: u64 },
    /// The words "did you mean" offers.
    SearchWords,
}
