//! The movie catalogue (`templates/movies/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, Pager, filters};
use crate::domain::{FieldErrors, WatchFilter};
use crate::forms::MovieForm;
use crate::services::Page;
use crate::services::movies::{
    Facets, MemberReviewRow, MovieCard, PersonCard, ReviewRow, Suggestion, Watchlist,
};

/// The movie list's query string, as typed (so it can be shown and rebuilt).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MovieQuery {
    pub q: String,
    pub year_from: String,
    pub year_to: String,
    pub mpa: Vec<String>,
    pub theatre: String,
    pub director: String,
    pub sort: String,
    pub dir: String,
    pub page: Option<u64>,
}

impl MovieQuery {
    /// Every non-empty parameter except the page, in a stable order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        self.link()
            .pairs()
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect()
    }

    /// The query's parameters, borrowed, to change one for a link.
    fn link(&self) -> Link<'_> {
        Link {
            q: &self.q,
            year_from: &self.year_from,
            year_to: &self.year_to,
            mpa: self.mpa.iter().map(String::as_str).collect(),
            theatre: &self.theatre,
            director: &self.director,
            sort: &self.sort,
            dir: &self.dir,
        }
    }
}

/// A movie list's address (always page 1): a [`MovieQuery`]'s parameters, borrowed. A list page
/// has a couple of dozen facet and sort links, and each one copying the whole query showed in
/// its profile.
struct Link<'a> {
    q: &'a str,
    year_from: &'a str,
    year_to: &'a str,
    mpa: Vec<&'a str>,
    theatre: &'a str,
    director: &'a str,
    sort: &'a str,
    dir: &'a str,
}

impl<'a> Link<'a> {
    fn pairs(&self) -> Vec<(&'static str, &'a str)> {
        let mut pairs = Vec::with_capacity(self.mpa.len().saturating_add(7));
        pairs.extend([
            ("q", self.q),
            ("year_from", self.year_from),
            ("year_to", self.year_to),
        ]);
        pairs.extend(self.mpa.iter().map(|m| ("mpa", *m)));
        pairs.extend([
            ("theatre", self.theatre),
            ("director", self.director),
            ("sort", self.sort),
            ("dir", self.dir),
        ]);
        pairs.retain(|(_, v)| !v.is_empty());
        pairs
    }

    fn href(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            return "/movies".into();
        }
        let mut href = String::from("/movies?");
        href.push_str(&serde_urlencoded::to_string(pairs).unwrap_or_default());
        href
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/list.html")]
pub struct MovieListPage {
    pub ctx: PageContext,
    pub query: MovieQuery,
    pub facets: std::sync::Arc<Facets>,
    pub page: std::sync::Arc<Page<MovieCard>>,
    pub pager: Pager,
    pub notices: Vec<String>,
    pub sort: String,
    pub descending: bool,
}

/// A decade's first and last year, as the year filters are written.
fn decade_years(decade: i32) -> (String, String) {
    (decade.to_string(), decade.saturating_add(9).to_string())
}

fn rating_value(rating: &Option<entity::enums::MpaRating>) -> &'static str {
    rating.map(|r| r.as_str()).unwrap_or("unrated")
}

impl MovieListPage {
    pub fn rating_value(&self, rating: &Option<entity::enums::MpaRating>) -> &'static str {
        rating_value(rating)
    }

    pub fn rating_label(&self, rating: &Option<entity::enums::MpaRating>) -> &'static str {
        rating.map(|r| r.as_str()).unwrap_or("Unrated")
    }

    pub fn mpa_selected(&self, rating: &Option<entity::enums::MpaRating>) -> bool {
        self.query.mpa.iter().any(|m| m == rating_value(rating))
    }

    /// Adds or removes one rating, back to page 1.
    pub fn mpa_href(&self, rating: &Option<entity::enums::MpaRating>) -> String {
        let value = rating_value(rating);
        let mut next = self.query.link();
        if next.mpa.contains(&value) {
            next.mpa.retain(|m| *m != value);
        } else {
            next.mpa.push(value);
        }
        next.href()
    }

    pub fn decade_selected(&self, decade: &i32) -> bool {
        let (from, to) = decade_years(*decade);
        self.query.year_from == from && self.query.year_to == to
    }

    /// Narrows to one decade, or widens again when it is already chosen.
    pub fn decade_href(&self, decade: &i32) -> String {
        let (from, to) = decade_years(*decade);
        let mut next = self.query.link();
        if self.query.year_from == from && self.query.year_to == to {
            (next.year_from, next.year_to) = ("", "");
        } else {
            (next.year_from, next.year_to) = (&from, &to);
        }
        next.href()
    }

    pub fn theatre_href(&self, value: &str) -> String {
        let mut next = self.query.link();
        next.theatre = if self.query.theatre == value {
            ""
        } else {
            value
        };
        next.href()
    }

    pub fn sort_href(&self, column: &str) -> String {
        let mut next = self.query.link();
        let flip = if self.descending { "asc" } else { "desc" };
        next.dir = if self.sort == column { flip } else { "" };
        next.sort = column;
        next.href()
    }

    pub fn sort_mark(&self, column: &str) -> &'static str {
        match (self.sort == column, self.descending) {
            (true, true) => " ↓",
            (true, false) => " ↑",
            _ => "",
        }
    }

    pub fn filtered(&self) -> bool {
        self.query
            .link()
            .pairs()
            .iter()
            .any(|(k, _)| *k != "sort" && *k != "dir")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/show.html")]
pub struct MoviePage {
    pub ctx: PageContext,
    pub card: MovieCard,
    pub reviews: Page<ReviewRow>,
    pub pager: Pager,
    pub my_review: Option<entity::review::Model>,
    pub can_review: bool,
    pub can_manage: bool,
    pub form_rating: String,
    pub form_body: String,
    pub errors: FieldErrors,
    /// The signed-in member's watchlist entry for this film, the day as typed in its form, and
    /// what was wrong with it.
    pub watch: Option<entity::watchlist_entry::Model>,
    pub watch_seen_on: String,
    pub watch_errors: FieldErrors,
    /// "More like this", each with its reason.
    pub similar: Vec<Suggestion>,
}

impl MoviePage {
    /// The film is on the member's list as seen.
    fn seen(&self) -> bool {
        self.watch.as_ref().is_some_and(|e| e.seen_on.is_some())
    }

    fn my_watchlist(&self) -> String {
        let name = self.ctx.user.as_ref().map(|u| u.username.as_str());
        format!("/users/{}/watchlist", name.unwrap_or_default())
    }
}

/// `/users/{username}/watchlist`: the films a member wants to see or has seen.
#[derive(Template, WebTemplate)]
#[template(path = "movies/watchlist.html")]
pub struct WatchlistPage {
    pub ctx: PageContext,
    pub list: Watchlist,
    pub pager: Pager,
}

impl WatchlistPage {
    /// The parts of the list: the filter's value, its label, how many it holds, and whether it
    /// is the part shown.
    fn tabs(&self) -> Vec<(&'static str, &'static str, u64, bool)> {
        [
            (WatchFilter::All, "All", self.list.want + self.list.seen),
            (WatchFilter::Want, "Want to see", self.list.want),
            (WatchFilter::Seen, "Seen", self.list.seen),
        ]
        .into_iter()
        .map(|(filter, label, count)| (filter.as_str(), label, count, filter == self.list.filter))
        .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/review_form.html")]
pub struct ReviewFormPage {
    pub ctx: PageContext,
    pub card: MovieCard,
    pub review_id: i32,
    pub rating: String,
    pub body: String,
    /// The version of the review the form is based on.
    pub version: String,
    pub errors: FieldErrors,
    /// The review as saved elsewhere (another tab) while this form was open.
    pub theirs: Option<entity::review::Model>,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/person.html")]
pub struct PersonPage {
    pub ctx: PageContext,
    pub person: PersonCard,
    pub movies: Page<MovieCard>,
    pub pager: Pager,
    /// Whether the viewer manages the catalogue (and so the portrait).
    pub can_manage: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/form.html")]
pub struct MovieFormPage {
    pub ctx: PageContext,
    pub movie_id: Option<i32>,
    pub form: MovieForm,
    pub errors: FieldErrors,
    pub ratings: Vec<entity::enums::MpaRating>,
    /// The movie as someone else saved it while this form was open (the form keeps what was
    /// typed; saving again replaces theirs).
    /// With its directors' names, in credited order.
    pub theirs: Option<(entity::movie::Model, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/delete.html")]
pub struct MovieDeletePage {
    pub ctx: PageContext,
    pub card: MovieCard,
}

/// A movie's history, for movie managers: each change with a way back to its version.
#[derive(Template, WebTemplate)]
#[template(path = "movies/history.html")]
pub struct MovieHistoryPage {
    pub ctx: PageContext,
    pub movie: entity::movie::Model,
    pub versions: Vec<crate::services::history::MovieVersion>,
    pub revert_base: Option<String>,
}

/// `/people`: everyone credited, searchable.
#[derive(Template, WebTemplate)]
#[template(path = "movies/people.html")]
pub struct PeoplePage {
    pub ctx: PageContext,
    pub q: String,
    pub page: Page<PersonCard>,
    pub pager: Pager,
}

/// `/users/{username}/reviews`: what one member thought of which movies.
#[derive(Template, WebTemplate)]
#[template(path = "movies/member_reviews.html")]
pub struct MemberReviewsPage {
    pub ctx: PageContext,
    pub username: String,
    pub page: Page<MemberReviewRow>,
    pub pager: Pager,
}
