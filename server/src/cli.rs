//! Command line and environment: every option is a flag and a PORTICO_* variable.
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use app::{infra::Config, site::OrgInfo};

#[derive(Parser, Debug)]
#[command(name = "portico", version, about = "Portico, an open-source patient portal")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// sqlite://path/to/file.db or postgres://user:pass@host/db
    #[arg(long, env = "PORTICO_DATABASE_URL", default_value = "sqlite://data/portico.db", global = true)]
    pub database_url: String,
    /// The audit chain's key file (64 hex digits, mode 0600), outside the database. Created
    /// on first start while the audit log is empty; without it the chain cannot be extended
    /// or verified.
    #[arg(long, env = "PORTICO_AUDIT_KEY_FILE", default_value = "data/audit.key", global = true)]
    pub audit_key_file: PathBuf,
    /// PostgreSQL: the database owner's URL, for `portico migrate` alone. The server itself
    /// runs with PORTICO_DATABASE_URL as a role that cannot change the schema or the audit log.
    #[arg(long, env = "PORTICO_MIGRATE_DATABASE_URL", global = true)]
    pub migrate_database_url: Option<String>,
    /// PostgreSQL: the server's role. `portico migrate` (as the owner) grants it what it
    /// needs on every table, and on the audit log INSERT and SELECT only.
    #[arg(long, env = "PORTICO_RUNTIME_ROLE", global = true)]
    pub runtime_role: Option<String>,
    /// The address patients use; https:// turns on Secure cookies and HSTS.
    #[arg(long, env = "PORTICO_PUBLIC_URL", default_value = "http://127.0.0.1:3000", global = true)]
    pub public_url: url::Url,
    /// smtps://host, or smtp://host:587?tls=required (STARTTLS); clear text only as
    /// smtp://host:port?tls=none (a relay on this machine). Without it, mail goes to --mail-dir.
    #[arg(long, env = "PORTICO_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    #[arg(long, env = "PORTICO_MAIL_DIR", default_value = "data/outbox", global = true)]
    pub mail_dir: PathBuf,
    #[arg(long, env = "PORTICO_MAIL_FROM", default_value = "Portico <portico@localhost>", global = true)]
    pub mail_from: String,
    #[arg(long, env = "PORTICO_ORG_NAME", default_value = "Portico Demo Clinic", global = true)]
    pub org_name: String,
    /// The name a phone's top bar shows (empty: the full name).
    #[arg(long, env = "PORTICO_ORG_SHORT_NAME", default_value = "", global = true)]
    pub org_short_name: String,
    #[arg(long, env = "PORTICO_SUPPORT_PHONE", default_value = "+1 555 0100", global = true)]
    pub support_phone: String,
    #[arg(
        long,
        env = "PORTICO_SUPPORT_HOURS",
        default_value = "Monday to Friday, 8:00 AM to 5:00 PM (except holidays)",
        global = true
    )]
    pub support_hours: String,
    /// What a message to billing, technical support or medical records promises about its
    /// answer, in your words (e.g. "Billing answers within 5 business days."); unset: nothing.
    #[arg(long, env = "PORTICO_REPLY_PROMISE_BILLING", global = true)]
    pub reply_promise_billing: Option<String>,
    #[arg(long, env = "PORTICO_REPLY_PROMISE_SUPPORT", global = true)]
    pub reply_promise_support: Option<String>,
    #[arg(long, env = "PORTICO_REPLY_PROMISE_RECORDS", global = true)]
    pub reply_promise_records: Option<String>,
    /// Each department's phone: "Family Medicine=+1 555 0110; Endocrinology=+1 555 0120".
    #[arg(long, env = "PORTICO_DEPARTMENT_PHONES", default_value = "", value_parser = parse_department_phones, global = true)]
    pub department_phones: DepartmentPhones,
    /// Billing's phone, shown on the contact page when set.
    #[arg(long, env = "PORTICO_BILLING_PHONE", global = true)]
    pub billing_phone: Option<String>,
    /// Release of Information (Medical Records) phone, shown on the contact page when set.
    #[arg(long, env = "PORTICO_RECORDS_PHONE", global = true)]
    pub records_phone: Option<String>,
    /// Where patients book appointments online, linked where they are asked to schedule.
    #[arg(long, env = "PORTICO_SCHEDULING_URL", global = true)]
    pub scheduling_url: Option<String>,
    /// What a renewal request promises about its answer; unset: nothing.
    #[arg(long, env = "PORTICO_RENEWAL_PROMISE", global = true)]
    pub renewal_promise: Option<String>,
    /// How many reverse proxies of your own stand in front of Portico (0: none). The client
    /// address is then the one the outermost of them appended to X-Forwarded-For.
    #[arg(long, env = "PORTICO_TRUSTED_PROXY_HOPS", default_value_t = 0, global = true)]
    pub trusted_proxy_hops: usize,
    /// Retired: it trusted the left-most X-Forwarded-For entry, which the client writes.
    /// Setting it stops the start with what to set instead.
    #[arg(long, env = "PORTICO_TRUST_FORWARDED_FOR", hide = true, value_parser = retired_forwarded_for, global = true)]
    pub trust_forwarded_for: Option<bool>,
    /// Send Server-Timing (the server's own time) on every answer: benchmarks only.
    #[arg(long, env = "PORTICO_SERVER_TIMING", default_value_t = false, global = true)]
    pub server_timing: bool,
    /// The clinic's time zone, an IANA name such as America/New_York (daylight saving
    /// included): ages, grant end dates, due and reply dates, appointment times.
    #[arg(long, env = "PORTICO_TIME_ZONE", default_value = "UTC", value_parser = time_zone, global = true)]
    pub time_zone: jiff::tz::TimeZone,
    /// What a parent or guardian keeps seeing once their child is 13 (items marked
    /// confidential are hidden from every proxy either way). Default: every section, as the
    /// seed says; a clinic in a state that requires it drops `medications` or more.
    #[arg(
        long,
        env = "PORTICO_TEEN_PROXY_SECTIONS",
        default_value = "home,visits,results,medications,health-summary,reminders,messages,documents",
        value_parser = teen_policy,
        global = true
    )]
    pub teen_proxy_sections: TeenPolicy,
    /// Days the clinic is closed, skipped when promising a reply date: "2026-12-25,2027-01-01".
    #[arg(long, env = "PORTICO_HOLIDAYS", default_value = "", value_parser = holidays, global = true)]
    pub holidays: Holidays,
    /// Messages a patient's chart may send per hour (a runaway script, a stuck retry loop).
    #[arg(long, env = "PORTICO_MESSAGES_PER_HOUR", default_value_t = app::messages::SENDS_PER_HOUR, global = true)]
    pub messages_per_hour: i64,
    /// The clinic's HIPAA Notice of Privacy Practices, a PDF file: every patient finds it
    /// among their documents on file (`make run` uses the demo's, demo/).
    #[arg(long, env = "PORTICO_PRIVACY_NOTICE", value_parser = privacy_notice, global = true)]
    pub privacy_notice: Option<app::infra::config::PrivacyNotice>,
    /// Online payments: `test` is the processor built into Portico (test cards only, for
    /// the demo and the tests; `make run` uses it); `stripe` is Stripe Checkout (with
    /// PORTICO_PAYMENTS_API_KEY and PORTICO_PAYMENTS_WEBHOOK_SECRET). Unset: no payment is
    /// taken online.
    #[arg(long, env = "PORTICO_PAYMENTS", value_parser = processor, global = true)]
    pub payments: Option<ProcessorName>,
    /// Stripe's secret API key (sk_live_… or sk_test_…), for PORTICO_PAYMENTS=stripe.
    #[arg(long, env = "PORTICO_PAYMENTS_API_KEY", hide_env_values = true, global = true)]
    pub payments_api_key: Option<String>,
    /// Where Stripe's API is (its own, unless a clinic routes it through a proxy of its own).
    #[arg(long, env = "PORTICO_PAYMENTS_API_BASE", default_value = "https://api.stripe.com/", global = true)]
    pub payments_api_base: url::Url,
    /// The secret the processor signs its webhooks with (Stripe's "whsec_…"). For the test
    /// processor, when unset, a random one for this process (it signs each event as it
    /// sends it): nobody outside can forge its events.
    #[arg(long, env = "PORTICO_PAYMENTS_WEBHOOK_SECRET", hide_env_values = true, global = true)]
    pub payments_webhook_secret: Option<String>,
    /// A payment plan is offered for balances over this amount, in dollars.
    #[arg(long, env = "PORTICO_BILLING_PLAN_MINIMUM", default_value = "200.00", value_parser = dollars, global = true)]
    pub billing_plan_minimum: i64,
}

/// An amount in dollars ("200", "200.00") as cents.
fn dollars(text: &str) -> Result<i64, String> {
    app::billing::ledger::parse_dollars(text)
        .ok_or_else(|| format!("{text:?}: an amount in dollars, such as 200.00"))
}

/// `PORTICO_PAYMENTS`: which processor (its keys are separate settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessorName {
    Test,
    Stripe,
}

fn processor(name: &str) -> Result<ProcessorName, String> {
    match name {
        "test" => Ok(ProcessorName::Test),
        "stripe" => Ok(ProcessorName::Stripe),
        other => Err(format!("{other:?}: the processors are: test, stripe")),
    }
}

/// The parsed holiday list (a newtype, so clap reads the whole list as one value).
#[derive(Clone, Debug, Default)]
pub struct Holidays(pub Vec<time::Date>);

/// The parsed teen policy (a newtype, so clap reads the whole list as one value).
#[derive(Clone, Debug, Default)]
pub struct TeenPolicy(pub Vec<app::access::Section>);

fn teen_policy(text: &str) -> Result<TeenPolicy, String> {
    app::access::Section::parse_policy(text).map(TeenPolicy)
}

fn holidays(text: &str) -> Result<Holidays, String> {
    app::infra::config::parse_holidays(text).map(Holidays)
}

fn privacy_notice(text: &str) -> Result<app::infra::config::PrivacyNotice, String> {
    app::infra::config::PrivacyNotice::read(std::path::Path::new(text))
}

fn time_zone(text: &str) -> Result<jiff::tz::TimeZone, String> {
    app::infra::clock::time_zone(text).map_err(|e| e.to_string())
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Migrate, then serve HTTP.
    Serve {
        #[arg(long, env = "PORTICO_ADDR", default_value = "127.0.0.1:3000")]
        addr: std::net::SocketAddr,
        /// Where cargo-leptos put the compiled site (pkg/, icons, sw.js…).
        #[arg(long, env = "PORTICO_SITE_ROOT", default_value = "target/site")]
        site_root: String,
    },
    /// Apply database migrations (as PORTICO_MIGRATE_DATABASE_URL's role when set) and
    /// grant PORTICO_RUNTIME_ROLE its rights, then exit.
    Migrate,
    /// The audit log's chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Load data.
    Seed {
        /// The demo accounts listed in the README (idempotent).
        #[arg(long)]
        demo: bool,
        /// Also generate this many synthetic patients (for benchmarks).
        #[arg(long)]
        synthetic: Option<usize>,
        /// Seed for --synthetic: the same seed gives the same patients.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Give the first K synthetic patients an account `s<seed>.<index>` with the demo
        /// password (for load tests).
        #[arg(long, default_value_t = 0)]
        accounts: usize,
    },
    /// Staff administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walks the chain with the key; prints the first broken link and exits 1 if any.
    Verify {
        /// A head printed earlier by `portico audit head` (SEQ:HASH): also proves that no
        /// row up to it was removed since.
        #[arg(long)]
        anchor: Option<String>,
    },
    /// Prints the newest link (SEQ:HASH), to keep somewhere the database's writers cannot reach.
    Head,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Issue a new activation code for the patient with this MRN (printed once).
    ActivationCode { mrn: String },
    /// Create a staff account; prints a generated first password once.
    CreateStaff {
        username: String,
        #[arg(long)]
        role: String,
        /// The name shown in the header and the audit log.
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    /// Disable a staff account: every session ends now, sign-in is refused.
    DisableStaff { username: String },
    /// Enable a disabled staff account again.
    EnableStaff { username: String },
    /// Make a staff account's password unusable and end its sessions: the person sets a
    /// new one through "Forgot password".
    RequireReset { username: String },
    /// Register a health app for SMART on FHIR (connected apps); prints its client id, and
    /// for a confidential app its secret, once.
    RegisterApp {
        /// The app's name, as the consent screen and "Linked apps" show it.
        #[arg(long)]
        name: String,
        /// An exact redirect URI; repeat for more (at most 10).
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// A server-side app that keeps a secret (otherwise public: a phone or browser app).
        #[arg(long)]
        confidential: bool,
        #[arg(long)]
        terms_url: String,
        #[arg(long)]
        privacy_url: String,
        #[arg(long)]
        logo_url: Option<String>,
        /// Who registered it, as the consent screen says (default: the organisation).
        #[arg(long)]
        registered_by: Option<String>,
        /// A confidential app's public keys (a JWKS file, RS384 or ES384): it signs its token
        /// requests (private_key_jwt) and gets no secret.
        #[arg(long, requires = "confidential")]
        jwks_file: Option<std::path::PathBuf>,
    },
}

impl Settings {
    pub fn to_config(&self) -> Result<Config, String> {
        Ok(Config {
            database_url: self.database_url.clone(),
            audit_key_file: self.audit_key_file.clone(),
            public_url: self.public_url.clone(),
            smtp_url: self.smtp_url.clone().filter(|s| !s.is_empty()),
            mail_dir: self.mail_dir.clone(),
            mail_from: self.mail_from.clone(),
            org: OrgInfo {
                name: self.org_name.clone(),
                short_name: self.org_short_name.clone(),
                support_phone: self.support_phone.clone(),
                support_hours: self.support_hours.clone(),
                teen_proxy_sections: self.teen_proxy_sections.0.clone(),
                promises: app::site::Promises {
                    billing: configured(&self.reply_promise_billing),
                    support: configured(&self.reply_promise_support),
                    records: configured(&self.reply_promise_records),
                    renewal: configured(&self.renewal_promise),
                },
                contacts: app::site::Contacts {
                    departments: self.department_phones.0.clone(),
                    billing_phone: configured(&self.billing_phone),
                    records_phone: configured(&self.records_phone),
                    scheduling_url: configured(&self.scheduling_url),
                },
            },
            trusted_proxy_hops: self.trusted_proxy_hops,
            server_timing: self.server_timing,
            holidays: self.holidays.0.clone(),
            messages_per_hour: self.messages_per_hour,
            privacy_notice: self.privacy_notice.clone(),
            payments: self.payments()?,
            billing_plan_minimum_cents: self.billing_plan_minimum,
        })
    }

    /// The processor and its keys. Stripe needs both of its secrets; the test processor signs
    /// with a random secret for this process when none is set.
    fn payments(&self) -> Result<Option<app::infra::config::Payments>, String> {
        use app::infra::config::{Payments, Processor};
        let webhook_secret = configured(&self.payments_webhook_secret);
        Ok(match self.payments {
            None => None,
            Some(ProcessorName::Test) => Some(Payments {
                processor: Processor::Test,
                webhook_secret: webhook_secret.unwrap_or_else(|| app::infra::crypto::random_token(32)),
            }),
            Some(ProcessorName::Stripe) => Some(Payments {
                processor: Processor::Stripe {
                    api_base: stripe_base(&self.payments_api_base)?,
                    secret_key: configured(&self.payments_api_key).ok_or(
                        "PORTICO_PAYMENTS=stripe needs PORTICO_PAYMENTS_API_KEY (the secret key, sk_...)",
                    )?,
                },
                webhook_secret: webhook_secret.ok_or(
                    "PORTICO_PAYMENTS=stripe needs PORTICO_PAYMENTS_WEBHOOK_SECRET (the webhook's signing secret, whsec_...)",
                )?,
            }),
        })
    }
}

/// Stripe's API base: https (the secret key travels in each request's header), or a
/// loopback address over http (a local stand-in, for tests); with a trailing slash, so that
/// joining "v1/…" keeps its path.
fn stripe_base(base: &url::Url) -> Result<url::Url, String> {
    let loopback = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if base.scheme() != "https" && !(base.scheme() == "http" && loopback) {
        return Err(format!(
            "PORTICO_PAYMENTS_API_BASE {base}: must be https (the secret key is sent to it)"
        ));
    }
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    Ok(base)
}

/// `PORTICO_DEPARTMENT_PHONES`, parsed.
#[derive(Clone, Debug)]
pub struct DepartmentPhones(pub Vec<app::site::DepartmentPhone>);

fn parse_department_phones(text: &str) -> Result<DepartmentPhones, String> {
    app::site::Contacts::parse_departments(text).map(DepartmentPhones)
}

/// A configured text, or none when unset or blank.
fn configured(text: &Option<String>) -> Option<String> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

fn retired_forwarded_for(_: &str) -> Result<bool, String> {
    Err("PORTICO_TRUST_FORWARDED_FOR is retired: it took the left-most X-Forwarded-For entry, \
         which any client can write. Unset it and set PORTICO_TRUSTED_PROXY_HOPS to the number \
         of reverse proxies of your own in front of Portico (usually 1)."
        .into())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Cli;
    use app::infra::config::Processor;

    #[test]
    fn the_test_processor_runs_without_a_configured_secret_and_signs_with_a_random_one() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).unwrap().settings.to_config().unwrap().payments;
        let one = parse(&["portico", "--payments", "test", "migrate"]).expect("payments on");
        let two = parse(&["portico", "--payments", "test", "migrate"]).expect("payments on");
        assert_eq!(one.processor, Processor::Test);
        assert!(one.webhook_secret.len() >= 32 && one.webhook_secret != two.webhook_secret);
        let set =
            parse(&["portico", "--payments", "test", "--payments-webhook-secret", "whsec_x", "migrate"])
                .unwrap();
        assert_eq!(set.webhook_secret, "whsec_x");
        assert!(Cli::try_parse_from(["portico", "--payments", "paypal", "migrate"]).is_err());
    }

    #[test]
    fn stripe_needs_its_secret_key_and_its_webhook_secret() {
        let config = |args: &[&str]| Cli::try_parse_from(args).unwrap().settings.to_config();
        assert!(config(&["portico", "--payments", "stripe", "migrate"])
            .unwrap_err()
            .contains("PORTICO_PAYMENTS_API_KEY"));
        let no_secret =
            config(&["portico", "--payments", "stripe", "--payments-api-key", "sk_test_x", "migrate"]);
        assert!(no_secret.unwrap_err().contains("PORTICO_PAYMENTS_WEBHOOK_SECRET"));
        let args = [
            "portico",
            "--payments",
            "stripe",
            "--payments-api-key",
            "sk_test_x",
            "--payments-webhook-secret",
            "whsec_y",
            "migrate",
        ];
        let mut plain = args.to_vec();
        plain.extend(["--payments-api-base", "http://stripe.example/"]);
        assert!(config(&plain).unwrap_err().contains("must be https"));
        let payments = config(&args).unwrap().payments.unwrap();
        assert_eq!(payments.webhook_secret, "whsec_y");
        match payments.processor {
            Processor::Stripe { api_base, secret_key } => {
                assert_eq!(
                    (api_base.as_str(), secret_key.as_str()),
                    ("https://api.stripe.com/", "sk_test_x")
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
