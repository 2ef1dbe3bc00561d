//! The extractors page handlers take besides actix's own: [`Cached`] (the request with the
//! application state, for content read through the cache) and [`HtmlForm`] (a submitted form as its typed struct).

use actix_web::{HttpRequest, web};

use crate::cache::DataKey;
use crate::routes::error::AppError;
use crate::state::App;

/// The request with the application state: what page handlers that read cached shared content
/// need (the content version is the request's), as one extractor.
pub struct Cached {
    pub req: HttpRequest,
    pub app: App,
}

impl actix_web::FromRequest for Cached {
    type Error = AppError;
    type Future = std::future::Ready<Result<Cached, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(match req.app_data::<App>() {
            Some(app) => Ok(Cached {
                req: req.clone(),
                app: app.clone(),
            }),
            None => Err(AppError::Internal(anyhow::anyhow!(
                "the application state is not registered"
            ))),
        })
    }
}

impl Cached {
    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.app.db
    }

    /// The content version for this request (see [`crate::cache::content_version`]).
    pub async fn version(&self) -> Option<i64> {
        crate::cache::content_version(&self.req, &self.app.cache, self.db()).await
    }

    /// The words a search that found nothing suggests instead, from the content cache.
    pub async fn search_words(
        &self,
    ) -> Result<std::sync::Arc<crate::services::search::Vocabulary>, AppError> {
        let version = self.version().await;
        self.app
            .cache
            .get_or_load(version, DataKey::SearchWords, async || {
                crate::services::search::vocabulary(self.db()).await
            })
            .await
            .map_err(|e| AppError::Service(e.into()))
    }

    /// The category tree, from the content cache.
    pub async fn category_tree(
        &self,
    ) -> Result<std::sync::Arc<Vec<entity::category::Model>>, AppError> {
        let version = self.version().await;
        self.app
            .cache
            .get_or_load(version, DataKey::Categories, async || {
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

/// The query of a numbered list: which page (`?page=N`, 1-based).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: Option<u64>,
}

impl PageQuery {
    /// The page asked for, clamped to the pages a list will look at.
    pub fn number(&self) -> u64 {
        crate::services::Page::<()>::index(self.page)
    }
}

/// The query of a searchable numbered list (`/people`, `/members`): the search and the page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListSearch {
    pub q: String,
    pub page: Option<u64>,
}

impl ListSearch {
    /// The page asked for, clamped to the pages a list will look at.
    pub fn number(&self) -> u64 {
        crate::services::Page::<()>::index(self.page)
    }

    /// The query as the list's page links keep it.
    pub fn kept(&self) -> [(&'static str, String); 1] {
        [("q", self.q.trim().to_owned())]
    }
}
