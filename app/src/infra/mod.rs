//! Server-only plumbing: configuration, clock, database, crypto, mail, audit, throttling.
//! Nothing here is compiled into the wasm bundle.
pub mod audit;
pub mod clock;
pub mod config;
pub mod cookies;
pub mod crypto;
pub mod db;
pub mod download;
pub mod mail_language;
pub mod mailer;
pub mod passwords;
pub mod pdf;
mod pdf_fonts;
pub mod sqlite_inline;
pub mod throttle;

use std::sync::Arc;

pub use clock::Clock;
pub use config::Config;
pub use db::Db;

use crate::error::AppError;

pub const BACKGROUND_JOBS_MAX: usize = 256;

/// Where a page's content security policy (with its per-response nonce) is also left for
/// the server's security middleware, which puts it in the request's extensions: the
/// middleware sets it on the response when the header did not come through Leptos'
/// `ResponseOptions`, instead of the "nothing may load" policy of non-page answers.
#[derive(Clone, Default)]
pub struct PageCsp(pub Arc<std::sync::Mutex<Option<String>>>);

/// Everything a request handler needs, cloned cheaply into each request's context.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub mailer: Arc<mailer::Mailer>,
    pub hasher: passwords::Hasher,
    /// Work queued after an answer (a "forgot password" lookup and its mail): at most
    /// `BACKGROUND_JOBS_MAX` at once, past that requests are answered "busy".
    pub background: Arc<tokio::sync::Semaphore>,
    /// Who checks that a person signing up online is the patient they say
    /// (`signup::verifier`); the built-in one asks about their chart.
    pub identity: Arc<dyn crate::signup::verifier::IdentityVerifier>,
    pub leptos_options: leptos::config::LeptosOptions,
}

impl AppState {
    /// Sends a (PHI-free) mail after the answer: a slow or failing mail server delays or
    /// loses the notice, never the request. Failures are logged.
    pub fn mail_later(&self, to: String, text: mail_language::MailText) {
        let mailer = self.mailer.clone();
        tokio::spawn(async move {
            if let Err(e) = mailer.send(&to, text.subject, text.body).await {
                tracing::error!(error = %e, "mail not sent");
            }
        });
    }
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state of the running server, inside a server function or an SSR render.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        AppError::Unavailable
    })
}

/// The request being served (headers, peer address), inside a server function or render.
pub fn request_parts() -> Option<http::request::Parts> {
    leptos::prelude::use_context::<http::request::Parts>()
}

/// A value of the request's query string (a server function whose arguments are in its
/// body may still be addressed with one: a SMART Health Link's manifest, a row's upload).
pub fn query_value(name: &str) -> Option<String> {
    let query = request_parts()?.uri.query()?.to_owned();
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The client's address, for the audit log, the sessions list and the limits.
///
/// Without a proxy it is the socket's peer. Behind `PORTICO_TRUSTED_PROXY_HOPS` = N reverse
/// proxies of our own it is the address the outermost of them saw: the N-th
/// `X-Forwarded-For` entry counted from the right. Every entry further left was written by
/// the client and proves nothing, so it is never used; a request with fewer entries than
/// hops did not come through our proxies, and its peer address is used.
pub fn client_addr() -> String {
    let Some(parts) = request_parts() else { return "unknown".into() };
    let hops = leptos::prelude::use_context::<AppState>().map_or(0, |s| s.config.trusted_proxy_hops);
    client_addr_of(&parts.headers, &parts.extensions, hops)
}

/// `client_addr` for a plain axum handler (no reactive context): from its headers and
/// extensions and the configured number of trusted proxy hops.
pub fn client_addr_of(headers: &http::HeaderMap, extensions: &http::Extensions, hops: usize) -> String {
    let forwarded: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    if let Some(addr) = forwarded_client(&forwarded, hops) {
        return addr.to_string();
    }
    if hops > 0 {
        // Every client would share the proxy's address (and its limits): a proxy set up
        // differently from PORTICO_TRUSTED_PROXY_HOPS, or a request that bypassed it.
        tracing::warn!(
            entries = forwarded.len(),
            hops,
            "X-Forwarded-For has no usable entry at the trusted hop"
        );
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client's network, the key of per-address limits: an IPv4 address, or an IPv6
/// address's /64 (one subscriber usually holds a whole /64 and can pick any address in it).
pub fn client_network() -> String {
    network_of(&client_addr())
}

/// The address `hops` trusted proxies vouch for, from the `X-Forwarded-For` header lines in
/// order (several lines are one list). `None` when no proxy is trusted or the list is short
/// or the entry is not an address.
pub fn forwarded_client(header_lines: &[&str], hops: usize) -> Option<std::net::IpAddr> {
    if hops == 0 {
        return None;
    }
    let entries: Vec<&str> = header_lines.iter().flat_map(|line| line.split(',')).map(str::trim).collect();
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    // Some proxies append the port too ("203.0.113.7:51234", "[2001:db8::1]:443").
    entry.parse().ok().or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// An IPv4 address as it is; an IPv6 address as its /64 network ("2001:db8:1:2::/64").
/// Anything that is not an address (e.g. "unknown") as it is.
pub fn network_of(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        _ => addr.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{forwarded_client, network_of};

    #[test]
    fn only_the_entries_our_proxies_appended_count() {
        let spoofed = ["9.9.9.9, 203.0.113.7"];
        assert_eq!(forwarded_client(&spoofed, 0), None, "no proxy trusted: the header is ignored");
        assert_eq!(forwarded_client(&spoofed, 1).unwrap().to_string(), "203.0.113.7");
        assert_eq!(forwarded_client(&spoofed, 2).unwrap().to_string(), "9.9.9.9");
        assert_eq!(forwarded_client(&spoofed, 3), None, "fewer entries than hops");
        let two_lines = ["1.1.1.1", "198.51.100.2, 10.0.0.5"];
        assert_eq!(forwarded_client(&two_lines, 2).unwrap().to_string(), "198.51.100.2");
        assert_eq!(forwarded_client(&["not-an-address"], 1), None);
        assert_eq!(forwarded_client(&["203.0.113.7:51234"], 1).unwrap().to_string(), "203.0.113.7");
        assert_eq!(forwarded_client(&["[2001:db8::1]:443"], 1).unwrap().to_string(), "2001:db8::1");
    }

    #[test]
    fn ipv6_is_limited_by_its_64() {
        assert_eq!(network_of("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
        assert_eq!(network_of("2001:db8:1:2::1"), network_of("2001:db8:1:2:ffff::9"));
        assert_ne!(network_of("2001:db8:1:2::1"), network_of("2001:db8:1:3::1"));
        assert_eq!(network_of("203.0.113.7"), "203.0.113.7");
        assert_eq!(network_of("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(network_of("unknown"), "unknown");
    }
}
