//! Portico as a WebAuthn relying party: its id and origin, from `PORTICO_PUBLIC_URL`.
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

use crate::{error::AppError, infra::config::Config};

/// The relying party id passkeys are bound to: the public address's host name. Browsers
/// refuse an IP address as one, so a server addressed by a loopback address (the demo at
/// http://127.0.0.1:3000) offers passkeys at `localhost` (same machine, same port).
pub fn id(config: &Config) -> String {
    match config.public_url.host() {
        Some(url::Host::Domain(name)) => name.to_owned(),
        _ => "localhost".to_owned(),
    }
}

/// The origin a passkey ceremony must come from.
fn origin(config: &Config) -> Result<Url, AppError> {
    let mut origin = config.public_url.clone();
    if !matches!(config.public_url.host(), Some(url::Host::Domain(_))) {
        origin.set_host(Some("localhost")).map_err(|_| AppError::Unavailable)?;
    }
    origin.set_path("");
    Ok(origin)
}

pub fn build(config: &Config) -> Result<Webauthn, AppError> {
    let rp_id = id(config);
    let origin = origin(config)?;
    WebauthnBuilder::new(&rp_id, &origin)
        .map(|b| b.rp_name(&config.org.name))
        .and_then(|b| b.build())
        .map_err(|e| {
            tracing::error!(error = %e, "the public URL cannot be a WebAuthn relying party");
            AppError::Unavailable
        })
}
