//! The layout every page shares: its context (the signed-in user, the CSRF token, flash
//! messages), the pagers, the date filters, and the home and error pages.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload};
use askama::Template;
use askama_web::WebTemplate;
use entity::enums::Permission;

use crate::auth::session::UserSession;
use crate::domain::CurrentUser;
use crate::flash::Flash;
use crate::routes::error::AppError;
use crate::services::Page;
use crate::services::blog::PostSlice;

/// What the layout needs on every page.
#[derive(Clone, Debug, Default)]
pub struct PageContext {
    pub path: String,
    pub flashes: Vec<Flash>,
    pub user: Option<CurrentUser>,
    pub csrf: CsrfToken,
}

/// The session's CSRF token for the page's forms, made (and kept in the session) only when the
/// page shows it: a page without a form starts no session for a visitor who has none, so it
/// sets no cookie, writes nothing to the session store, and can be shared ([`crate::cache::page_cache`]).
#[derive(Clone, Default)]
pub struct CsrfToken {
    session: Option<std::rc::Rc<UserSession>>,
    token: std::rc::Rc<std::cell::OnceCell<String>>,
}

impl CsrfToken {
    fn of(session: UserSession) -> CsrfToken {
        CsrfToken {
            session: Some(std::rc::Rc::new(session)),
            token: Default::default(),
        }
    }

    /// Whether the session holds a token already (or this page made one).
    pub fn exists(&self) -> bool {
        self.token.get().is_some()
            || self
                .session
                .as_ref()
                .is_some_and(|s| s.stored_csrf_token().is_some())
    }

    /// The token, made now if the session has none; empty without a session.
    pub fn value(&self) -> &str {
        self.token.get_or_init(|| {
            self.session
                .as_ref()
                .map(|s| s.csrf_token())
                .unwrap_or_default()
        })
    }
}

impl std::fmt::Display for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.value())
    }
}

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken([hidden])")
    }
}

impl PageContext {
    /// True when `prefix` is the current section, for `aria-current` in the navigation.
    pub fn is_current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        }
    }

    pub fn is_staff(&self) -> bool {
        self.user.as_ref().is_some_and(CurrentUser::is_staff)
    }

    /// Whether the viewer holds `permission` (for links and buttons; the services decide).
    pub fn can(&self, permission: Permission) -> bool {
        self.user.as_ref().is_some_and(|user| user.can(permission))
    }
}

impl FromRequest for PageContext {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = crate::auth::resolve(&req).await?;
            let session = UserSession::from_request_sync(&req);
            Ok(PageContext {
                path: req.path().to_owned(),
                flashes: crate::flash::take(session.inner()),
                csrf: CsrfToken::of(session),
                user,
            })
        })
    }
}

/// The site's own Askama filters: `{{ at|date }}` (`21 Nov 2026`), `{{ at|datetime }}`
/// (`21 Nov 2026, 14:05 UTC`) and `{{ at|iso }}` (`2026-11-21T14:05:00Z`, for `datetime`
/// attributes: whole seconds, as the HTML standard's valid date strings are written).
///
/// Each format is parsed once, not at every use: a list page writes forty dates, and parsing
/// their formats showed in its profile.
pub mod filters {
    use std::sync::LazyLock;

    use chrono::format::{Item, StrftimeItems};
    use chrono::{DateTime, Utc};

    static DATE: LazyLock<Vec<Item<'static>>> =
        LazyLock::new(|| StrftimeItems::new("%-d %b %Y").collect());
    static DATETIME: LazyLock<Vec<Item<'static>>> =
        LazyLock::new(|| StrftimeItems::new("%-d %b %Y, %H:%M UTC").collect());
    static ISO: LazyLock<Vec<Item<'static>>> =
        LazyLock::new(|| StrftimeItems::new("%Y-%m-%dT%H:%M:%SZ").collect());

    fn write(at: &DateTime<Utc>, items: &[Item<'static>]) -> String {
        at.format_with_items(items.iter()).to_string()
    }

    #[askama::filter_fn]
    pub fn date(at: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(write(at, &DATE))
    }

    #[askama::filter_fn]
    pub fn datetime(at: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(write(at, &DATETIME))
    }

    /// A comment's Markdown as safe HTML (`services::blog::comment_html`).
    #[askama::filter_fn]
    pub fn comment(
        body: &str,
        _: &dyn askama::Values,
    ) -> askama::Result<askama::filters::Safe<String>> {
        Ok(askama::filters::Safe(crate::services::blog::comment_html(
            body,
        )))
    }

    #[askama::filter_fn]
    pub fn iso(at: &DateTime<Utc>, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(write(at, &ISO))
    }
}

/// "Newer" and "Older" links of a keyset-paginated list, keeping the list's other parameters.
#[derive(Clone, Debug, Default)]
pub struct KeysetPager {
    pub newer: Option<String>,
    pub older: Option<String>,
}

impl KeysetPager {
    pub fn new(page: &PostSlice, query: &[(&str, String)]) -> KeysetPager {
        let href = |key: &str, cursor: String| {
            let mut pairs: Vec<(&str, String)> = query
                .iter()
                .filter(|(k, v)| !matches!(*k, "before" | "after" | "page") && !v.is_empty())
                .cloned()
                .collect();
            pairs.push((key, cursor));
            format!(
                "?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        };
        KeysetPager {
            newer: page.newer.map(|c| href("before", c.encode())),
            older: page.older.map(|c| href("after", c.encode())),
        }
    }
}

/// Numbered pagination links that keep the other query parameters.
#[derive(Clone, Debug)]
pub struct Pager {
    pub number: u64,
    pub pages: u64,
    /// The query string without `page`, ready to prefix `page=N` (ends with `&` or is empty).
    pub base: String,
}

impl Pager {
    pub fn new<T>(page: &Page<T>, query: &[(&str, String)]) -> Pager {
        Pager::of(page.number, page.pages, query)
    }

    /// Page `number` of `pages`, its links keeping `query`.
    pub fn of(number: u64, pages: u64, query: &[(&str, String)]) -> Pager {
        let kept: Vec<(&str, &str)> = query
            .iter()
            .filter(|(k, v)| *k != "page" && !v.is_empty())
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let mut base = serde_urlencoded::to_string(kept).unwrap_or_default();
        if !base.is_empty() {
            base.push('&');
        }
        Pager {
            number,
            pages,
            base,
        }
    }

    /// Page numbers to show, with `None` for a gap: 1 … 4 5 [6] 7 8 … 20.
    pub fn links(&self) -> Vec<Option<u64>> {
        let mut shown = Vec::new();
        let mut last = 0;
        for n in 1..=self.pages {
            let near = n + 2 >= self.number && n <= self.number + 2;
            if n == 1 || n == self.pages || near {
                if n > last + 1 {
                    shown.push(None);
                }
                shown.push(Some(n));
                last = n;
            }
        }
        shown
    }

    pub fn href(&self, n: &u64) -> String {
        format!("?{}page={n}", self.base)
    }
}

/// A feed a page announces in its `<head>` (`<link rel="alternate">`), beside the site's.
#[derive(Clone, Debug)]
pub struct FeedLink {
    pub title: String,
    /// The feed's path.
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageContext,
    pub data: std::sync::Arc<crate::services::home::HomeData>,
    /// A signed-in member's suggested films, with their reasons (none for visitors).
    pub for_you: Vec<crate::services::movies::Suggestion>,
}

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub ctx: PageContext,
    pub status: u16,
    pub title: String,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: u16, title: String, message: String) -> Self {
        ErrorPage {
            ctx: PageContext::default(),
            status,
            title,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pager(number: u64, pages: u64) -> Pager {
        let page: Page<()> = Page {
            items: vec![],
            number,
            pages,
            total: pages * 10,
        };
        Pager::new(
            &page,
            &[
                ("q", "a b".into()),
                ("page", "3".into()),
                ("role", String::new()),
            ],
        )
    }

    #[test]
    fn pagination_links_keep_the_query_and_elide_far_pages() {
        let p = pager(6, 20);
        assert_eq!(p.href(&7), "?q=a+b&page=7");
        assert_eq!(
            p.links(),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(20)
            ]
        );
        assert_eq!(pager(1, 1).links(), vec![Some(1)]);
        assert!(pager(1, 0).links().is_empty());
    }
}
