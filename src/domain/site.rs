//! The site's public address, for absolute links (mails, feeds, the sitemap).

/// The scheme and authority the site is reached at, without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteUrl(String);

impl SiteUrl {
    /// `configured` when given (a trailing slash dropped), else `http://` and `listening`.
    pub fn new(configured: Option<&str>, listening: std::net::SocketAddr) -> SiteUrl {
        match configured.map(|url| url.trim().trim_end_matches('/')) {
            Some(url) if !url.is_empty() => SiteUrl(url.to_owned()),
            _ => SiteUrl(format!("http://{listening}")),
        }
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_address_wins_and_loses_its_trailing_slash() {
        let listening = std::net::SocketAddr::from(([127, 0, 0, 1], 8080));
        assert_eq!(
            SiteUrl::new(Some("https://marquee.example/"), listening).link("/feed.atom"),
            "https://marquee.example/feed.atom"
        );
        assert_eq!(
            SiteUrl::new(None, listening).link("/"),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            SiteUrl::new(Some(" "), listening).as_str(),
            "http://127.0.0.1:8080"
        );
    }
}
