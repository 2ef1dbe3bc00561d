//! The content cache: data and whole pages kept under the site's content version, never stale
//! ([`store`]), under typed keys ([`keys`]), and its web side: the version read once per
//! request and the page middleware ([`middleware`]).

mod keys;
mod middleware;
mod store;

pub use keys::DataKey;
pub use middleware::{content_version, page_cache, shared_with_visitors};
pub use store::{SharedMedia, SharedPage, SiteCache, VersionReads};
