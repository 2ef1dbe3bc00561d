//! One Askama struct per page. Every page carries a [`PageContext`] for the shared layout
//! (navigation, flash messages).

use std::future::{Ready, ready};

use actix_session::SessionExt;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use askama::Template;
use askama_web::WebTemplate;

use crate::flash::Flash;
use crate::services::home::{MovieSummary, PostSummary, SiteCounts};

/// What the layout needs on every page.
#[derive(Clone, Debug, Default)]
pub struct PageContext {
    pub path: String,
    pub flashes: Vec<Flash>,
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
}

impl FromRequest for PageContext {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let flashes = crate::flash::take(&req.get_session());
        ready(Ok(PageContext {
            path: req.path().to_owned(),
            flashes,
        }))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageContext,
    pub posts: Vec<PostSummary>,
    pub movies: Vec<MovieSummary>,
    pub counts: SiteCounts,
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
