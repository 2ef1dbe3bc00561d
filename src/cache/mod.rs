//! The content cache: data and whole pages kept under the site's content version, never stale
//! ([`store`]), and its web side: the version read once per request and the page middleware
//! ([`middleware`]).

mod middleware;
mod store;

pub use middleware::{content_version, page_cache, shared_with_visitors};
pub use store::{SharedPage, SiteCache, VersionReads};
