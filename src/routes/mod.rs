//! Thin handlers: parse, authorise, call one service, render a page or redirect.

pub mod account;
pub mod admin;
pub mod api_docs;
pub mod auth;
pub mod blog;
pub mod categories;
pub mod error_page;
pub mod feeds;
pub mod groups;
pub mod health;
pub mod home;
pub mod moderation;
pub mod movies;
pub mod tokens;
pub mod users;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::domain::{FieldErrors, ServiceError};
use crate::errors::AppError;
pub use crate::request::{TrustedProxies, client_addr, client_ip, user_agent};

/// Pages that use the session (signed-in user, CSRF, flash messages).
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::index))
        .route("/feed.atom", web::get().to(feeds::site_feed))
        .route("/sitemap.xml", web::get().to(feeds::sitemap))
        .route("/sitemaps/{file}", web::get().to(feeds::sitemap_part))
        .route("/robots.txt", web::get().to(feeds::robots))
        .route("/register", web::get().to(auth::register_form))
        .route("/register", web::post().to(auth::register))
        .route("/login", web::get().to(auth::login_form))
        .route("/login", web::post().to(auth::login))
        .route("/logout", web::post().to(auth::logout))
        .route("/password/forgot", web::get().to(account::forgot_form))
        .route("/password/forgot", web::post().to(account::forgot))
        .route("/settings/verify", web::post().to(account::resend))
        .route("/settings/email", web::get().to(account::email_form))
        .route("/settings/email", web::post().to(account::change_email))
        .route("/users/{username}", web::get().to(users::profile))
        .route("/users/{username}/posts", web::get().to(blog::by_author))
        .route(
            "/users/{username}/feed.atom",
            web::get().to(feeds::author_feed),
        )
        .route("/posts", web::get().to(blog::list))
        .route("/posts/new", web::get().to(blog::new_form))
        .route("/posts/new", web::post().to(blog::create))
        .route("/posts/{slug}", web::get().to(blog::show))
        .route("/posts/{slug}/edit", web::get().to(blog::edit_form))
        .route("/posts/{slug}/edit", web::post().to(blog::update))
        .route("/posts/{slug}/delete", web::get().to(blog::delete_form))
        .route("/posts/{slug}/delete", web::post().to(blog::delete))
        .route("/posts/{slug}/comments", web::post().to(blog::comment))
        .route("/tags/{name}", web::get().to(blog::by_tag))
        .route("/tags/{name}/feed.atom", web::get().to(feeds::tag_feed))
        .route("/categories", web::get().to(categories::index))
        .route("/categories", web::post().to(categories::create))
        .route("/categories/{slug}", web::get().to(blog::by_category))
        .route(
            "/categories/{slug}/feed.atom",
            web::get().to(feeds::category_feed),
        )
        .route(
            "/categories/{slug}/edit",
            web::get().to(categories::edit_form),
        )
        .route("/categories/{slug}/edit", web::post().to(categories::edit))
        .route(
            "/categories/{slug}/delete",
            web::get().to(categories::delete_form),
        )
        .route(
            "/categories/{slug}/delete",
            web::post().to(categories::delete),
        )
        .route("/movies", web::get().to(movies::list))
        .route("/movies/new", web::get().to(movies::new_form))
        .route("/movies/new", web::post().to(movies::create))
        .route("/movies/{id}", web::get().to(movies::show))
        .route("/movies/{id}/edit", web::get().to(movies::edit_form))
        .route("/movies/{id}/edit", web::post().to(movies::update))
        .route("/movies/{id}/delete", web::get().to(movies::delete_form))
        .route("/movies/{id}/delete", web::post().to(movies::delete))
        .route("/movies/{id}/reviews", web::post().to(movies::review))
        .route(
            "/movies/{id}/reviews/{review}/edit",
            web::get().to(movies::review_edit_form),
        )
        .route(
            "/movies/{id}/reviews/{review}/edit",
            web::post().to(movies::review_update),
        )
        .route(
            "/movies/{id}/reviews/{review}/delete",
            web::post().to(movies::review_delete),
        )
        .route("/people/{id}", web::get().to(movies::person))
        .route("/moderation", web::get().to(moderation::queue))
        .route(
            "/moderation/comments/{id}/hide",
            web::post().to(moderation::hide),
        )
        .route(
            "/moderation/comments/{id}/unhide",
            web::post().to(moderation::unhide),
        )
        .route("/settings/profile", web::get().to(users::edit_profile_form))
        .route("/settings/profile", web::post().to(users::edit_profile))
        .route("/settings/password", web::get().to(users::password_form))
        .route("/settings/password", web::post().to(users::change_password))
        .route("/settings/sessions", web::get().to(users::sessions))
        .route(
            "/settings/sessions/end-others",
            web::post().to(users::end_other_sessions),
        )
        .route(
            "/settings/sessions/end-all",
            web::post().to(users::end_all_sessions),
        )
        .route(
            "/settings/sessions/{id}/end",
            web::post().to(users::end_session),
        )
        .route("/settings/tokens", web::get().to(tokens::list))
        .route("/settings/tokens", web::post().to(tokens::create))
        .route(
            "/settings/tokens/{id}/revoke",
            web::post().to(tokens::revoke),
        )
        .route("/docs/api", web::get().to(api_docs::reference))
        .route("/groups", web::get().to(groups::list))
        .route("/groups", web::post().to(groups::create))
        .route("/groups/{id}", web::get().to(groups::show))
        .route("/groups/{id}/join", web::post().to(groups::join))
        .route("/groups/{id}/leave", web::post().to(groups::leave))
        .route("/groups/{id}/edit", web::get().to(groups::edit_form))
        .route("/groups/{id}/edit", web::post().to(groups::edit))
        .route("/groups/{id}/delete", web::get().to(groups::delete_form))
        .route("/groups/{id}/delete", web::post().to(groups::delete))
        // A mailed link's pages are nobody's to keep: no cache stores them.
        .service(
            web::scope("/account")
                .wrap(
                    actix_web::middleware::DefaultHeaders::new()
                        .add((header::CACHE_CONTROL, "no-store")),
                )
                .route("/verify/{secret}", web::get().to(account::verify_page))
                .route("/verify/{secret}", web::post().to(account::verify))
                .route("/reset/{secret}", web::get().to(account::reset_form))
                .route("/reset/{secret}", web::post().to(account::reset))
                .route(
                    "/email/{secret}",
                    web::get().to(account::email_confirm_page),
                )
                .route("/email/{secret}", web::post().to(account::email_confirm)),
        )
        .service(
            web::scope("/admin")
                .route("", web::get().to(admin::dashboard))
                .route("/roles", web::get().to(admin::roles))
                .route("/roles/new", web::get().to(admin::role_new_form))
                .route("/roles/new", web::post().to(admin::role_create))
                .route("/roles/{id}/edit", web::get().to(admin::role_edit_form))
                .route("/roles/{id}/edit", web::post().to(admin::role_update))
                .route("/roles/{id}/delete", web::get().to(admin::role_delete_form))
                .route("/roles/{id}/delete", web::post().to(admin::role_delete))
                .route("/users", web::get().to(admin::users))
                .route("/users/{id}", web::get().to(admin::user_edit_form))
                .route("/users/{id}", web::post().to(admin::user_update))
                .route(
                    "/users/{id}/reset-link",
                    web::post().to(admin::user_reset_link),
                )
                .route("/audit", web::get().to(admin::audit)),
        );
}

/// Fallback for unknown paths: the templated 404 page (or JSON 404).
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// 303 See Other to `location` (after every successful POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Renders a page with a status other than 200 (a form with errors is a 422).
pub fn render_status(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// The site's content version, read once per request (then kept in the request), when the
/// cache is on; `None` (load everything) when it is off or the version cannot be read.
async fn content_version(
    req: &HttpRequest,
    cache: &crate::cache::SiteCache,
    db: &sea_orm::DatabaseConnection,
) -> Option<i64> {
    use actix_web::HttpMessage;
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

/// The request with the database and the content cache: what page handlers that read shared
/// content need, as one extractor.
pub struct Site {
    pub req: HttpRequest,
    pub db: web::Data<sea_orm::DatabaseConnection>,
    pub cache: web::Data<crate::cache::SiteCache>,
}

impl actix_web::FromRequest for Site {
    type Error = AppError;
    type Future = std::future::Ready<Result<Site, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let missing = || AppError::Internal(anyhow::anyhow!("app data missing"));
        std::future::ready(
            match (
                req.app_data::<web::Data<sea_orm::DatabaseConnection>>(),
                req.app_data::<web::Data<crate::cache::SiteCache>>(),
            ) {
                (Some(db), Some(cache)) => Ok(Site {
                    req: req.clone(),
                    db: db.clone(),
                    cache: cache.clone(),
                }),
                _ => Err(missing()),
            },
        )
    }
}

impl Site {
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        self.db.get_ref()
    }

    /// The content version for this request (see [`content_version`]).
    pub async fn version(&self) -> Option<i64> {
        content_version(&self.req, &self.cache, self.db()).await
    }

    /// The category tree, from the content cache.
    pub async fn category_tree(
        &self,
    ) -> Result<std::sync::Arc<Vec<entity::category::Model>>, AppError> {
        let version = self.version().await;
        self.cache
            .get_or_load(version, "categories", async || {
                crate::services::blog::categories(self.db()).await
            })
            .await
            .map_err(AppError::from)
    }
}

/// A submitted form as its typed struct (see [`crate::forms`]): `serde_html_form`, so repeated
/// keys fill a `Vec` (an unticked checkbox is simply absent: see `forms`). A body that is not a form at all is a
/// 400 page. (The input guard has already refused control characters and oversized bodies.)
pub struct HtmlForm<T>(pub T);

impl<T: serde::de::DeserializeOwned + 'static> actix_web::FromRequest for HtmlForm<T> {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body
                .await
                .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
            serde_html_form::from_bytes(&body)
                .map(HtmlForm)
                .map_err(|_| AppError::BadRequest("The form could not be read.".into()))
        })
    }
}

impl<T> HtmlForm<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The one way a form page shows its problems again: a service's `Invalid` (422) or
/// `Conflict` (409) gives the status and the field errors to render the page with; any other
/// error is the handler's error.
pub fn problems(error: ServiceError) -> Result<(StatusCode, FieldErrors), AppError> {
    match error {
        ServiceError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors)),
        ServiceError::Conflict(errors) => Ok((StatusCode::CONFLICT, errors)),
        other => Err(other.into()),
    }
}

/// A form's parse, then the service call with its input: one `Result` for both, so a handler
/// answers once (`submit(form.parse(), |input| service(db, &user, input)).await`).
pub async fn submit<I, T, F>(
    parsed: Result<I, ServiceError>,
    call: impl FnOnce(I) -> F,
) -> Result<T, ServiceError>
where
    F: std::future::Future<Output = Result<T, ServiceError>>,
{
    call(parsed?).await
}

/// After a successful POST: a flash message for the next page, and a 303 to `location`.
pub fn done(
    session: &actix_session::Session,
    level: crate::flash::Level,
    message: impl Into<String>,
    location: &str,
) -> HttpResponse {
    crate::flash::push(session, level, message);
    see_other(location)
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
    let site = match (
        req.app_data::<web::Data<crate::cache::SiteCache>>(),
        req.app_data::<web::Data<sea_orm::DatabaseConnection>>(),
    ) {
        (Some(cache), Some(db)) if eligible && cache.enabled() => Some((cache.clone(), db.clone())),
        _ => None,
    };
    let Some((cache, db)) = site else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    if let Some(version) = content_version(req.request(), &cache, &db).await
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
                crate::cache::SharedPage {
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
