//! The site's static files (`static/`): built into the binary, so a copied binary serves them
//! wherever it runs, and addressed by their content: `/static/<hash>/css/site.css`, where the
//! hash is the start of the file's SHA-256. A new build with a changed file changes its URL, so
//! the old URL can be cached for a year (`immutable`) and no visitor keeps a stale stylesheet.
//!
//! `MARQUEE_STATIC_DIR` serves the files from a folder instead, uncached, for development
//! (edits show without a rebuild); the URLs keep the hashes of the built-in files.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use actix_web::http::header::{self, ETag, EntityTag, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

#[derive(rust_embed::Embed)]
#[folder = "static/"]
struct Files;

/// Where `/static` is served from: the built-in files, or a development folder.
#[derive(Clone, Debug, Default)]
pub struct StaticDir(pub Option<PathBuf>);

/// Hex digits of the SHA-256 kept in a URL: enough to tell builds apart.
const HASH_LEN: usize = 16;

/// A year: how long a content-addressed URL may be kept.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Every built-in file's SHA-256 in hex, worked out once: the files never change while the
/// binary runs.
static HASHES: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    Files::iter()
        .filter_map(|path| {
            let file = Files::get(&path)?;
            let hex = file
                .metadata
                .sha256_hash()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            Some((path.into_owned(), hex))
        })
        .collect()
});

/// `/static/<hash>/<path>` for a built-in file (`/static/<path>` if there is none: a test
/// keeps every URL the templates use pointing at a file).
fn url_of(path: &str) -> String {
    match HASHES.get(path) {
        Some(hash) => format!("/static/{}/{path}", &hash[..HASH_LEN]),
        None => format!("/static/{path}"),
    }
}

static STYLESHEET: LazyLock<String> = LazyLock::new(|| url_of("css/site.css"));
static FAVICON: LazyLock<String> = LazyLock::new(|| url_of("img/favicon.svg"));

/// The stylesheet's URL (templates: `{{ crate::assets::stylesheet() }}`).
pub fn stylesheet() -> &'static str {
    &STYLESHEET
}

/// The icon's URL.
pub fn favicon() -> &'static str {
    &FAVICON
}

/// Every built-in file's path under `static/`.
pub fn paths() -> impl Iterator<Item = String> {
    Files::iter().map(|p| p.into_owned())
}

/// `GET /static/{tail}`: `<hash>/<path>` or plain `<path>`.
pub async fn serve(
    request: HttpRequest,
    tail: web::Path<String>,
    app: crate::state::App,
) -> HttpResponse {
    let tail = tail.into_inner();
    let (asked_hash, path) = match tail.split_once('/') {
        Some((first, rest))
            if first.len() == HASH_LEN && first.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            (Some(first.to_ascii_lowercase()), rest.to_owned())
        }
        _ => (None, tail),
    };
    if let Some(folder) = &app.static_dir.0 {
        return from_folder(folder, &path).await;
    }
    let (Some(file), Some(hash)) = (Files::get(&path), HASHES.get(&path)) else {
        return HttpResponse::NotFound().finish();
    };
    let tag = EntityTag::new_strong(hash.clone());
    let quoted = tag.to_string();
    // The current file under its own hash never changes; under another hash (a page from an
    // older build) or none, it may change with the next build.
    let cache = match asked_hash {
        Some(asked) if hash.starts_with(&asked) => IMMUTABLE,
        _ => "public, max-age=300",
    };
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == quoted)
        });
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(ETag(tag))
        .insert_header((header::CACHE_CONTROL, cache));
    if unchanged {
        return response.finish();
    }
    let kind = HeaderValue::from_str(file.metadata.mimetype())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    response
        .insert_header((header::CONTENT_TYPE, kind))
        .body(match file.data {
            // Built into the binary: served from where it lies, not copied per request.
            std::borrow::Cow::Borrowed(bytes) => web::Bytes::from_static(bytes),
            std::borrow::Cow::Owned(bytes) => web::Bytes::from(bytes),
        })
}

/// A file of the development folder, never cached; only plain relative paths inside it.
async fn from_folder(folder: &Path, path: &str) -> HttpResponse {
    let relative = Path::new(path);
    let inside = !path.is_empty()
        && relative.components().all(
            |c| matches!(c, Component::Normal(part) if !part.to_string_lossy().starts_with('.')),
        );
    if !inside {
        return HttpResponse::NotFound().finish();
    }
    let full = folder.join(relative);
    match web::block(move || std::fs::read(full)).await {
        Ok(Ok(bytes)) => {
            let kind = mime_guess::from_path(path).first_or_octet_stream();
            HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-cache"))
                .content_type(kind.as_ref())
                .body(bytes)
        }
        _ => HttpResponse::NotFound().finish(),
    }
}
