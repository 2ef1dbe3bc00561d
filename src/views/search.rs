//! `/search`: one box over posts, movies, people and members.

use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use super::{PageContext, Pager, filters};
use crate::services::search::{About, Hit, Kind, Results};

/// The search page: the form, and the results once something was searched for.
#[derive(Template, WebTemplate)]
#[template(path = "search/results.html")]
pub struct SearchPage {
    pub ctx: PageContext,
    pub q: String,
    pub kind: Option<Kind>,
    /// Why the search could not be run (too long, an unknown kind).
    pub error: Option<String>,
    pub results: Option<Results>,
    /// "Did you mean …", when nothing was found.
    pub suggestion: Option<String>,
    pub pager: Option<Pager>,
}

/// A link to the results of one kind (or of all).
pub struct KindTab {
    pub label: &'static str,
    pub href: String,
    pub count: Option<u64>,
    pub current: bool,
}

impl SearchPage {
    /// `/search` for `q` among `kind`.
    pub fn href(q: &str, kind: Option<Kind>) -> String {
        let mut params = vec![("q", q)];
        if let Some(kind) = kind {
            params.push(("kind", kind.as_str()));
        }
        format!(
            "/search?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    }

    pub fn label(kind: Kind) -> &'static str {
        match kind {
            Kind::Posts => "Posts",
            Kind::Movies => "Movies",
            Kind::People => "People",
            Kind::Members => "Members",
        }
    }

    /// Every kind, and all, with their counts where this page knows them.
    pub fn tabs(&self) -> Vec<KindTab> {
        let count = |kind: Kind| {
            self.results
                .as_ref()
                .and_then(|r| r.groups.iter().find(|g| g.kind == kind))
                .map(|g| g.total)
        };
        let mut tabs = vec![KindTab {
            label: "All",
            href: SearchPage::href(&self.q, None),
            count: self
                .results
                .as_ref()
                .filter(|_| self.kind.is_none())
                .map(Results::total),
            current: self.kind.is_none(),
        }];
        tabs.extend(Kind::ALL.into_iter().map(|kind| KindTab {
            label: SearchPage::label(kind),
            href: SearchPage::href(&self.q, Some(kind)),
            count: count(kind),
            current: self.kind == Some(kind),
        }));
        tabs
    }

    /// Where a result leads.
    pub fn path(kind: &Kind, hit: &Hit) -> String {
        result_path(*kind, &hit.key)
    }

    /// The first letter of a result's title, for a result without a picture.
    pub fn initial(hit: &Hit) -> String {
        hit.title
            .iter()
            .find_map(|s| s.text.chars().next())
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default()
    }

    /// Whether this is a later page of one kind's results.
    pub fn past_first_page(&self) -> bool {
        self.pager.as_ref().is_some_and(|p| p.number > 1)
    }

    /// Whether a group of the overview has more than it shows.
    pub fn more(&self, shown: usize, total: &u64) -> bool {
        self.kind.is_none() && u64::try_from(shown).is_ok_and(|shown| shown < *total)
    }
}

/// The page of a result of `kind` whose key is `key` (the API gives it as the result's `url`).
pub fn result_path(kind: Kind, key: &str) -> String {
    match kind {
        Kind::Posts => format!("/posts/{key}"),
        Kind::Movies => format!("/movies/{key}"),
        Kind::People => format!("/people/{key}"),
        Kind::Members => format!("/users/{key}"),
    }
}
