//! The web side of the content cache: the content version read once per request, and the
//! middleware that answers visitors without a session with whole pages kept under it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};

/// The site's content version, read once per request (then kept in the request), when the
/// cache is on; `None` (load everything) when it is off or the version cannot be read.
pub async fn content_version(
    req: &HttpRequest,
    cache: &crate::cache::SiteCache,
    db: &sea_orm::DatabaseConnection,
) -> Option<i64> {
    #[derive(Clone, Copy)]
    struct Version(i64);
    if !cache.enabled() {
        return None;
    }
    if let Some(Version(v)) = req.extensions().get::<Version>().copied() {
        return Some(v);
    }
    match cache
        .versions
        .current(async || crate::services::content_version(cache.version_connection(db)).await)
        .await
    {
        Ok(v) => {
            req.extensions_mut().insert(Version(v));
            Some(v)
        }
        Err(error) => {
            tracing::warn!(%error, "could not read the content version: not caching");
            None
        }
    }
}

/// Put on a page response by its handler: this page, loaded under content version `.0`, is the
/// same for every visitor without a session, so [`page_cache`] may keep it.
#[derive(Clone, Copy, Debug)]
struct SharedWithVisitors(i64);

/// `res`, marked for the page cache when it was loaded under a content version for a visitor
/// without a user, flash messages or a CSRF token (see [`page_cache`]).
pub fn shared_with_visitors(
    mut res: HttpResponse,
    ctx: &crate::views::PageContext,
    version: Option<i64>,
) -> HttpResponse {
    if let Some(version) = version
        && ctx.user.is_none()
        && ctx.flashes.is_empty()
        && !ctx.csrf.exists()
    {
        res.extensions_mut().insert(SharedWithVisitors(version));
    }
    res
}

/// Middleware: whole pages for visitors without a session. A `GET` without the session cookie
/// is answered from the pages kept under the current content version (read once, before
/// anything else, and shared with the handler); otherwise the handler runs, and a `200` it
/// marked with [`shared_with_visitors`] that sets no cookie is kept. A change bumps the version,
/// so the next request on every instance renders anew.
pub async fn page_cache(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::body::BoxBody;
    let eligible = req.method() == actix_web::http::Method::GET
        && req.cookie(crate::auth::SESSION_COOKIE).is_none()
        && !req.headers().contains_key(header::AUTHORIZATION);
    let app = match req.app_data::<crate::state::App>() {
        Some(app) if eligible && app.cache.enabled() => app.clone(),
        _ => return Ok(next.call(req).await?.map_into_boxed_body()),
    };
    let (cache, db) = (&app.cache, &app.db);
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    if let Some(version) = content_version(req.request(), cache, db).await
        && let Some(page) = cache.page(version, &key)
    {
        let mut res = HttpResponse::Ok();
        for (name, value) in page.headers.iter() {
            res.append_header((name.clone(), value.clone()));
        }
        return Ok(req.into_response(res.body(page.body)));
    }
    let res = next.call(req).await?;
    let marked = res
        .response()
        .extensions()
        .get::<SharedWithVisitors>()
        .copied();
    let Some(SharedWithVisitors(version)) = marked.filter(|_| {
        res.status() == StatusCode::OK && !res.headers().contains_key(header::SET_COOKIE)
    }) else {
        return Ok(res.map_into_boxed_body());
    };
    let (req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let body = match body.try_into_bytes() {
        Ok(bytes) => {
            let headers = res
                .headers()
                .iter()
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect();
            cache.keep_page(
                version,
                &key,
                super::SharedPage {
                    headers: std::sync::Arc::new(headers),
                    body: bytes.clone(),
                },
            );
            BoxBody::new(bytes)
        }
        Err(body) => BoxBody::new(body),
    };
    Ok(actix_web::dev::ServiceResponse::new(
        req,
        res.set_body(body),
    ))
}
