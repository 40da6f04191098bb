//! Runtime configuration, from flags and PORTICO_* variables (parsed in the server crate).
use crate::site::OrgInfo;

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite://data/portico.db` (default) or `postgres://…`.
    pub database_url: String,
    /// The audit chain's key (infra::audit): 64 hex digits, readable by the server alone,
    /// kept outside the database. Created on first start while the audit log is empty.
    pub audit_key_file: std::path::PathBuf,
    /// Where patients reach Portico, e.g. `https://portal.example.org`. Its scheme decides
    /// whether cookies are `Secure` with the `__Host-` prefix and whether HSTS is sent.
    pub public_url: url::Url,
    /// `smtp://host:port`; when absent, mail is written as .eml files into `mail_dir`.
    pub smtp_url: Option<String>,
    pub mail_dir: std::path::PathBuf,
    pub mail_from: String,
    pub org: OrgInfo,
    /// How many reverse proxies of our own stand in front of Portico (0: none). The client
    /// address is the one the outermost of them appended to X-Forwarded-For (`client_addr`).
    pub trusted_proxy_hops: usize,
    /// Send `Server-Timing` (the server's own time) on every answer: for benchmarks and
    /// debugging only, as it tells a client how much work its request caused.
    pub server_timing: bool,
    /// Days the clinic is closed: a promised reply date skips them (and weekends).
    pub holidays: Vec<time::Date>,
    /// Messages one chart's side may send in an hour (default `messages::SENDS_PER_HOUR`).
    pub messages_per_hour: i64,
    /// The clinic's HIPAA Notice of Privacy Practices (`PORTICO_PRIVACY_NOTICE`, a PDF):
    /// every patient finds it among their documents on file.
    pub privacy_notice: Option<PrivacyNotice>,
    /// Online payments (`PORTICO_PAYMENTS`); None: no payment is taken through Portico.
    pub payments: Option<Payments>,
    /// A payment plan is offered for balances over this (`PORTICO_BILLING_PLAN_MINIMUM`).
    pub billing_plan_minimum_cents: i64,
}

/// The payment processor and the secret its webhooks are signed with
/// (`PORTICO_PAYMENTS_WEBHOOK_SECRET`).
#[derive(Clone, Debug)]
pub struct Payments {
    pub processor: Processor,
    pub webhook_secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Processor {
    /// The processor built into Portico (billing::payments::test_processor): for the demo
    /// and the tests, never for real money.
    Test,
    /// Stripe Checkout (`PORTICO_PAYMENTS=stripe`): its REST API at `api_base` (Stripe's own
    /// unless `PORTICO_PAYMENTS_API_BASE` says otherwise) with the clinic's secret key
    /// (`PORTICO_PAYMENTS_API_KEY`).
    Stripe { api_base: url::Url, secret_key: String },
}

impl Processor {
    pub fn as_str(&self) -> &'static str {
        match self {
            Processor::Test => "test",
            Processor::Stripe { .. } => "stripe",
        }
    }
}

/// An organisation's document every patient sees, read once at start.
#[derive(Clone, Debug)]
pub struct PrivacyNotice {
    /// YYYY-MM-DD: when the file was last changed (the notice's effective date as the
    /// clinic publishes it).
    pub date: String,
    pub pdf: std::sync::Arc<Vec<u8>>,
}

impl PrivacyNotice {
    /// The largest notice read: the same limit as a document staff post.
    pub const MAX_BYTES: u64 = crate::documents::POST_FILE_MAX_BYTES as u64;

    /// Reads the notice: a PDF of at most `MAX_BYTES`, dated by its file.
    pub fn read(path: &std::path::Path) -> Result<PrivacyNotice, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
        if meta.len() > Self::MAX_BYTES {
            return Err(format!("{shown}: larger than {} bytes", Self::MAX_BYTES));
        }
        // Read through a limit: a special file can say it is empty and never end.
        let mut pdf = Vec::new();
        let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
        std::io::Read::read_to_end(&mut std::io::Read::take(file, Self::MAX_BYTES + 1), &mut pdf)
            .map_err(|e| format!("{shown}: {e}"))?;
        if pdf.len() as u64 > Self::MAX_BYTES {
            return Err(format!("{shown}: larger than {} bytes", Self::MAX_BYTES));
        }
        if !pdf.starts_with(b"%PDF-") {
            return Err(format!("{shown}: not a PDF"));
        }
        let changed = meta.modified().map_err(|e| format!("{shown}: {e}"))?;
        let date = time::OffsetDateTime::from(changed).date().to_string();
        Ok(PrivacyNotice { date, pdf: std::sync::Arc::new(pdf) })
    }
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

/// Parses "2026-12-25,2027-01-01" (empty: none).
pub fn parse_holidays(text: &str) -> Result<Vec<time::Date>, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.split(',')
        .map(str::trim)
        .filter(|day| !day.is_empty())
        .map(|day| {
            time::Date::parse(day, &format).map_err(|_| format!("{day:?} is not a date like 2026-12-25"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_holidays;

    #[test]
    fn holidays_parse_as_a_list_and_nonsense_is_refused() {
        assert_eq!(parse_holidays("").unwrap(), vec![]);
        let days = parse_holidays("2026-12-25, 2027-01-01").unwrap();
        assert_eq!(days.iter().map(ToString::to_string).collect::<Vec<_>>(), ["2026-12-25", "2027-01-01"]);
        assert!(parse_holidays("2026-13-01").is_err());
        assert!(parse_holidays("Christmas").is_err());
    }
}
