//! The extractors page handlers take besides actix's own: [`Site`] (the database and the
//! content cache) and [`HtmlForm`] (a submitted form as its typed struct).

use actix_web::{HttpRequest, web};

use crate::errors::AppError;

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

    /// The content version for this request (see [`crate::cache::content_version`]).
    pub async fn version(&self) -> Option<i64> {
        crate::cache::content_version(&self.req, &self.cache, self.db()).await
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
