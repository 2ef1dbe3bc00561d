//! One search over posts, movies, people and members (`/search` and `GET /api/v1/search`):
//! ranked by each backend's own full-text engine ([`engine`], migration 28), the words found
//! marked in titles and snippets ([`marks`]), and "did you mean …" when nothing is found
//! ([`suggest`]).

mod engine;
mod find;
mod marks;
mod suggest;

pub use find::{
    About, Group, Hit, Kind, OVERVIEW_PER_KIND, RANKED_WINDOW, RESULTS_PER_PAGE, Results, search,
};
pub use marks::Segment;
pub use suggest::{Vocabulary, suggest, vocabulary};
