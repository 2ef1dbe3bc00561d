//! Who is asking, as far as the request tells: the client's address (behind trusted proxies)
//! and its user agent. Throttling, sessions, the audit log and both faces of the site use it.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header;

/// The reverse proxies whose `X-Forwarded-For` is believed (the `trusted_proxies` setting).
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(pub Vec<IpAddr>);

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Throttling,
/// sessions and the audit log all use this.
pub fn client_ip_addr(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let trusted = &crate::state::AppState::of(req).ok()?.proxies;
    if !trusted.0.contains(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !trusted.0.contains(&ip) {
            break;
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: an address, possibly with a port or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// [`client_ip_addr`] as text (for the audit log and sessions).
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    client_ip_addr(req).map(|ip| ip.to_string())
}

/// The client's `User-Agent`, for the sessions page.
pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// The path and query of a request as logged: the secret of a mailed link
/// (`/account/{kind}/{secret}`) is replaced.
pub fn loggable_target(target: &str) -> std::borrow::Cow<'_, str> {
    match target.strip_prefix("/account/") {
        Some(rest) => match rest.split_once('/') {
            Some((kind, _)) => format!("/account/{kind}/[secret]").into(),
            None => target.into(),
        },
        None => target.into(),
    }
}

#[cfg(test)]
mod target_tests {
    use super::loggable_target;

    #[test]
    fn the_secret_of_a_mailed_link_is_not_logged() {
        assert_eq!(
            loggable_target("/account/reset/abcDEF123?x=1"),
            "/account/reset/[secret]"
        );
        assert_eq!(loggable_target("/posts?after=5"), "/posts?after=5");
        assert_eq!(loggable_target("/account/"), "/account/");
    }
}
