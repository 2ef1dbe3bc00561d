//! The movie catalogue (`templates/movies/`).

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, Pager, filters};
use crate::domain::FieldErrors;
use crate::forms::MovieForm;
use crate::services::Page;
use crate::services::movies::{Facets, MovieCard, ReviewRow};

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
        let mut pairs = vec![
            ("q", self.q.clone()),
            ("year_from", self.year_from.clone()),
            ("year_to", self.year_to.clone()),
        ];
        pairs.extend(self.mpa.iter().map(|m| ("mpa", m.clone())));
        pairs.extend([
            ("theatre", self.theatre.clone()),
            ("director", self.director.clone()),
            ("sort", self.sort.clone()),
            ("dir", self.dir.clone()),
        ]);
        pairs.retain(|(_, v)| !v.is_empty());
        pairs
    }

    pub fn href(&self) -> String {
        let pairs = self.pairs();
        if pairs.is_empty() {
            "/movies".into()
        } else {
            format!(
                "/movies?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        }
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
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        if next.mpa.iter().any(|m| m == value) {
            next.mpa.retain(|m| m != value);
        } else {
            next.mpa.push(value.to_owned());
        }
        next.href()
    }

    pub fn decade_selected(&self, decade: &i32) -> bool {
        self.query.year_from == decade.to_string() && self.query.year_to == (decade + 9).to_string()
    }

    /// Narrows to one decade, or widens again when it is already chosen.
    pub fn decade_href(&self, decade: &i32) -> String {
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        if self.decade_selected(decade) {
            next.year_from.clear();
            next.year_to.clear();
        } else {
            next.year_from = decade.to_string();
            next.year_to = (decade + 9).to_string();
        }
        next.href()
    }

    pub fn theatre_href(&self, value: &str) -> String {
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        next.theatre = if self.query.theatre == value {
            String::new()
        } else {
            value.to_owned()
        };
        next.href()
    }

    pub fn sort_href(&self, column: &str) -> String {
        let mut next = MovieQuery {
            page: None,
            ..self.query.clone()
        };
        let flip = if self.descending { "asc" } else { "desc" };
        next.dir = if self.sort == column {
            flip.to_owned()
        } else {
            String::new()
        };
        next.sort = column.to_owned();
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
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/review_form.html")]
pub struct ReviewFormPage {
    pub ctx: PageContext,
    pub card: MovieCard,
    pub review_id: i32,
    pub rating: String,
    pub body: String,
    pub errors: FieldErrors,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/person.html")]
pub struct PersonPage {
    pub ctx: PageContext,
    pub person: entity::person::Model,
    pub movies: Vec<MovieCard>,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/form.html")]
pub struct MovieFormPage {
    pub ctx: PageContext,
    pub movie_id: Option<i32>,
    pub form: MovieForm,
    pub errors: FieldErrors,
    pub ratings: Vec<entity::enums::MpaRating>,
}

#[derive(Template, WebTemplate)]
#[template(path = "movies/delete.html")]
pub struct MovieDeletePage {
    pub ctx: PageContext,
    pub card: MovieCard,
}
