//! The application's one shared state: built once in `startup`, registered once as
//! `web::Data<AppState>`, and taken by every handler, extractor and middleware that needs
//! something of the server's (the database, the content cache, the throttle …) instead of one
//! `app_data` value per thing.

use actix_web::{HttpRequest, web};
use sea_orm::DatabaseConnection;

use crate::api::ApiLimits;
use crate::assets::StaticDir;
use crate::auth::throttle::Throttle;
use crate::cache::SiteCache;
use crate::delivery::Delivery;
use crate::domain::SiteUrl;
use crate::request::TrustedProxies;
use crate::routes::health::MetricsToken;
use crate::services::accounts::sessions::Lifetimes;
use crate::telemetry::StatementCounter;

pub struct AppState {
    /// The pool every request's queries run on.
    pub db: DatabaseConnection,
    /// Shared content (the category tree, facet counts) and whole pages for visitors.
    pub cache: SiteCache,
    /// Login, password-reset and API-token limits.
    pub throttle: Throttle,
    /// How long a session lasts idle and at most.
    pub lifetimes: Lifetimes,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub proxies: TrustedProxies,
    /// Who may read `/metrics` from elsewhere than loopback.
    pub metrics_token: MetricsToken,
    /// SQL statements run through the pool, for `/metrics`.
    pub statements: StatementCounter,
    pub api_limits: ApiLimits,
    /// The site's public address, for absolute links.
    pub site_url: SiteUrl,
    /// Wakes the mail delivery task once a change that queued mail has committed.
    pub delivery: Delivery,
    /// A folder that replaces the built-in static files (development).
    pub static_dir: StaticDir,
}

/// The handlers' parameter: `app: App`.
pub type App = web::Data<AppState>;

impl AppState {
    /// The state, for extractors and middleware that get only the request. It is registered
    /// on every route, so its absence is a wiring mistake, reported as an internal error.
    pub fn of(req: &HttpRequest) -> anyhow::Result<&AppState> {
        req.app_data::<App>()
            .map(|data| data.get_ref())
            .ok_or_else(|| anyhow::anyhow!("the application state is not registered"))
    }
}
