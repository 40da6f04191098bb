//! Runtime configuration, from flags and PORTICO_* variables (parsed in the server crate).
use crate::site::OrgInfo;

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://data/portico.db` (default) or `postgres://…`.
    pub database_url: String,
    /// Where patients reach Portico, e.g. `https://portal.example.org`. Its scheme decides
    /// whether cookies are `Secure` with the `__Host-` prefix and whether HSTS is sent.
    pub public_url: url::Url,
    /// `smtp://host:port`; when absent, mail is written as .eml files into `mail_dir`.
    pub smtp_url: Option<String>,
    pub mail_dir: std::path::PathBuf,
    pub mail_from: String,
    pub org: OrgInfo,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}

impl Config {
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The origin browsers send in `Origin` for requests from our own pages.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}
