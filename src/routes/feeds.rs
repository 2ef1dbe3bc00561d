//! For machines: Atom feeds (the whole site, a category with its subcategories, a tag, an
//! author), `/sitemap.xml` (an index of numbered `/sitemaps/{section}-{n}.xml` parts past
//! 50,000 addresses) and `/robots.txt`. The data comes from `services::feeds` and
//! `services::sitemap`; the XML is written here, by `atom_syndication` and `quick-xml` (which
//! escape every value), with absolute links from the configured [`SiteUrl`].
//!
//! Feeds and the sitemap carry a strong `ETag` (a hash of the bytes) and feeds a
//! `Last-Modified` (their newest entry's update): a matching `If-None-Match`, or without one an
//! `If-Modified-Since` not older than that, is answered `304 Not Modified` without a body.
//! Feeds are not kept in the content cache: a display name change does not move the content
//! version, and a feed is a fixed handful of statements anyway.

use std::time::SystemTime;

use actix_web::http::header::{self, HttpDate};
use actix_web::{HttpRequest, HttpResponse, web};
use atom_syndication as atom;
use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use sea_orm::DatabaseConnection;

use crate::domain::SiteUrl;
use crate::routes::error::AppError;
use crate::routes::respond::urlencode;
use crate::services::feeds::{self, FeedScope, FeedSubject};
use crate::services::precondition::{etag_of_bytes, none_match};
use crate::services::sitemap::{self, Place, Section, Sitemap, SitemapPart, SitemapUrl};
use crate::state::App;
use crate::views::FeedLink;

const ATOM: &str = "application/atom+xml; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// Addresses in one sitemap file: the protocol's limit, 50,000.
const PER_FILE: u64 = sitemap::MAX_PER_FILE;

/// A feed's title, the page it mirrors and its own path.
pub struct FeedInfo {
    pub title: String,
    pub page: String,
    pub path: String,
}

/// Where the feed of `subject` lives, and what it is called (the pages' `<link>`s say the
/// same).
pub fn about(subject: &FeedSubject) -> FeedInfo {
    match subject {
        FeedSubject::All => FeedInfo {
            title: "Marquee: all posts".into(),
            page: "/posts".into(),
            path: "/feed.atom".into(),
        },
        FeedSubject::Category(category) => {
            let page = format!("/categories/{}", urlencode(&category.slug));
            FeedInfo {
                title: format!("Marquee: {}", category.name),
                path: format!("{page}/feed.atom"),
                page,
            }
        }
        FeedSubject::Tag(tag) => {
            let page = format!("/tags/{}", urlencode(&tag.name));
            FeedInfo {
                title: format!("Marquee: #{}", tag.name),
                path: format!("{page}/feed.atom"),
                page,
            }
        }
        FeedSubject::Author { username, .. } => {
            let user = format!("/users/{}", urlencode(username));
            FeedInfo {
                title: format!("Marquee: posts by {username}"),
                page: format!("{user}/posts"),
                path: format!("{user}/feed.atom"),
            }
        }
    }
}

/// The `<link rel="alternate">` a page shows for the feed of `subject`.
pub fn link(subject: &FeedSubject) -> FeedLink {
    let info = about(subject);
    FeedLink {
        title: info.title,
        href: info.path,
    }
}

fn post_path(slug: &str) -> String {
    format!("/posts/{}", urlencode(slug))
}

fn atom_link(href: String, rel: &str, mime_type: &str) -> atom::Link {
    atom::Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime_type.into()),
        ..Default::default()
    }
}

fn atom_feed(site: &SiteUrl, feed: &feeds::Feed) -> atom::Feed {
    let info = about(&feed.subject);
    let entries = feed
        .entries
        .iter()
        .map(|e| {
            let url = site.link(&post_path(&e.slug));
            atom::Entry {
                title: atom::Text::plain(e.title.as_str()),
                id: url.clone(),
                updated: e.updated.fixed_offset(),
                published: Some(e.published.fixed_offset()),
                authors: vec![atom::Person {
                    name: e.author.clone(),
                    ..Default::default()
                }],
                links: vec![atom_link(url.clone(), "alternate", "text/html")],
                categories: e
                    .tags
                    .iter()
                    .map(|t| atom::Category {
                        term: t.clone(),
                        ..Default::default()
                    })
                    .collect(),
                summary: Some(atom::Text::plain(e.summary.as_str())),
                content: e.html.as_ref().map(|html| atom::Content {
                    value: Some(html.clone()),
                    content_type: Some("html".into()),
                    // Relative links in the post resolve against the post's page.
                    base: Some(url.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let authors = match &feed.subject {
        FeedSubject::Author { name, .. } => vec![atom::Person {
            name: name.clone(),
            ..Default::default()
        }],
        _ => Vec::new(),
    };
    atom::Feed {
        title: atom::Text::plain(info.title),
        id: site.link(&info.path),
        // An empty feed is still valid Atom: its `updated` is the epoch.
        updated: feed
            .updated()
            .unwrap_or(DateTime::UNIX_EPOCH)
            .fixed_offset(),
        authors,
        links: vec![
            atom_link(site.link(&info.path), "self", "application/atom+xml"),
            atom_link(site.link(&info.page), "alternate", "text/html"),
        ],
        generator: Some(atom::Generator {
            value: "Marquee".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        entries,
        ..Default::default()
    }
}

/// `body` with its `ETag` and `Last-Modified`, or `304 Not Modified` when the request's
/// conditions say the client's copy is current (`If-None-Match` wins over
/// `If-Modified-Since`).
fn conditional(
    req: &HttpRequest,
    content_type: &str,
    body: Vec<u8>,
    last_modified: Option<DateTime<Utc>>,
) -> HttpResponse {
    let tag = etag_of_bytes(&body);
    // HTTP dates are whole seconds: drop the fraction first, or a client that sends back the
    // date it was given would always look a fraction of a second too old.
    let modified = last_modified
        .and_then(|at| DateTime::<Utc>::from_timestamp(at.timestamp(), 0))
        .map(|at| HttpDate::from(SystemTime::from(at)));
    let headers = req.headers();
    let current = match headers.get(header::IF_NONE_MATCH) {
        Some(value) => value.to_str().is_ok_and(|v| none_match(v, &tag)),
        None => {
            let since = headers
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<HttpDate>().ok());
            match (since, modified) {
                (Some(since), Some(modified)) => {
                    SystemTime::from(since) >= SystemTime::from(modified)
                }
                _ => false,
            }
        }
    };
    let mut response = if current {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if let Some(modified) = modified {
        response.insert_header((header::LAST_MODIFIED, modified));
    }
    if current {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}

fn xml_error(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing XML: {error}"))
}

async fn feed_response(
    req: &HttpRequest,
    db: &DatabaseConnection,
    site: &SiteUrl,
    scope: FeedScope<'_>,
) -> Result<HttpResponse, AppError> {
    let feed = feeds::feed(db, scope).await?;
    let body = atom_feed(site, &feed)
        .write_to(Vec::new())
        .map_err(xml_error)?;
    Ok(conditional(req, ATOM, body, feed.updated()))
}

/// `/feed.atom`: the newest published posts.
#[tracing::instrument(name = "feed", skip_all)]
pub async fn site_feed(req: HttpRequest, app: App) -> Result<HttpResponse, AppError> {
    feed_response(&req, &app.db, &app.site_url, FeedScope::All).await
}

/// `/categories/{slug}/feed.atom`: a category's posts and its subcategories'.
#[tracing::instrument(name = "category feed", skip_all)]
pub async fn category_feed(
    req: HttpRequest,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    feed_response(&req, &app.db, &app.site_url, FeedScope::Category(&path)).await
}

/// `/tags/{name}/feed.atom`.
#[tracing::instrument(name = "tag feed", skip_all)]
pub async fn tag_feed(
    req: HttpRequest,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    feed_response(&req, &app.db, &app.site_url, FeedScope::Tag(&path)).await
}

/// `/users/{username}/feed.atom`: an author's published posts.
#[tracing::instrument(name = "author feed", skip_all)]
pub async fn author_feed(
    req: HttpRequest,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    feed_response(&req, &app.db, &app.site_url, FeedScope::Author(&path)).await
}

fn place_path(place: &Place) -> String {
    match place {
        Place::Home => "/".into(),
        Place::Post(slug) => post_path(slug),
        Place::Category(slug) => format!("/categories/{}", urlencode(slug)),
        Place::Tag(name) => format!("/tags/{}", urlencode(name)),
        Place::Movie(id) => format!("/movies/{id}"),
        Place::Person(id) => format!("/people/{id}"),
    }
}

/// The file name of a sitemap part: `posts-2.xml`.
fn part_file(part: SitemapPart) -> String {
    format!("{}-{}.xml", part.section.name(), part.number)
}

/// The part a file name names (only names [`part_file`] writes).
fn parse_part_file(file: &str) -> Option<SitemapPart> {
    let (name, number) = file.strip_suffix(".xml")?.rsplit_once('-')?;
    let part = SitemapPart {
        section: Section::named(name)?,
        number: number.parse().ok()?,
    };
    (part_file(part) == file).then_some(part)
}

fn xml_writer() -> std::io::Result<Writer<Vec<u8>>> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(writer)
}

/// A `<urlset>` of `urls`.
fn urlset(site: &SiteUrl, urls: &[SitemapUrl]) -> std::io::Result<Vec<u8>> {
    let mut writer = xml_writer()?;
    writer
        .create_element("urlset")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for url in urls {
                w.create_element("url").write_inner_content(|w| {
                    let loc = site.link(&place_path(&url.place));
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&loc))?;
                    if let Some(at) = url.lastmod {
                        let at = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                        w.create_element("lastmod")
                            .write_text_content(BytesText::new(&at))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(writer.into_inner())
}

/// A `<sitemapindex>` of `parts`.
fn sitemap_index(site: &SiteUrl, parts: &[SitemapPart]) -> std::io::Result<Vec<u8>> {
    let mut writer = xml_writer()?;
    writer
        .create_element("sitemapindex")
        .with_attribute(("xmlns", SITEMAP_NS))
        .write_inner_content(|w| {
            for part in parts {
                let loc = site.link(&format!("/sitemaps/{}", part_file(*part)));
                w.create_element("sitemap").write_inner_content(|w| {
                    w.create_element("loc")
                        .write_text_content(BytesText::new(&loc))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(writer.into_inner())
}

/// `/sitemap.xml`: every public page, or past [`PER_FILE`] an index of the parts.
#[tracing::instrument(name = "sitemap", skip_all)]
pub async fn sitemap(req: HttpRequest, app: App) -> Result<HttpResponse, AppError> {
    let body = match sitemap::sitemap(&app.db, PER_FILE).await? {
        Sitemap::Urls(urls) => urlset(&app.site_url, &urls),
        Sitemap::Index(parts) => sitemap_index(&app.site_url, &parts),
    }
    .map_err(xml_error)?;
    Ok(conditional(&req, XML, body, None))
}

/// `/sitemaps/{section}-{n}.xml`: one part of a split sitemap.
#[tracing::instrument(name = "sitemap part", skip_all)]
pub async fn sitemap_part(
    req: HttpRequest,
    app: App,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let part = parse_part_file(&path).ok_or(AppError::NotFound)?;
    let urls = sitemap::sitemap_part(&app.db, part, PER_FILE)
        .await?
        .ok_or(AppError::NotFound)?;
    let body = urlset(&app.site_url, &urls).map_err(xml_error)?;
    Ok(conditional(&req, XML, body, None))
}

/// `/robots.txt`: everything but the private areas, and where the sitemap is.
pub async fn robots(app: App) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /settings\nDisallow: /api\n\nSitemap: {}\n",
            app.site_url.link("/sitemap.xml")
        ))
}

/// This area's pages, beside their handlers ([`crate::routes::pages`] calls every area's).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/feed.atom", web::get().to(site_feed))
        .route("/sitemap.xml", web::get().to(sitemap))
        .route("/sitemaps/{file}", web::get().to(sitemap_part))
        .route("/robots.txt", web::get().to(robots))
        .route("/users/{username}/feed.atom", web::get().to(author_feed))
        .route("/tags/{name}/feed.atom", web::get().to(tag_feed))
        .route("/categories/{slug}/feed.atom", web::get().to(category_feed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_read_back_and_nothing_else_does() {
        let part = SitemapPart {
            section: Section::Posts,
            number: 2,
        };
        assert_eq!(part_file(part), "posts-2.xml");
        assert_eq!(parse_part_file("posts-2.xml"), Some(part));
        for bad in [
            "posts-02.xml",
            "posts-2",
            "posts.xml",
            "films-1.xml",
            "posts--1.xml",
            "posts-99999999999999999999999.xml",
        ] {
            assert_eq!(parse_part_file(bad), None, "{bad}");
        }
    }
}
