//! Server-only plumbing: configuration, clock, database, crypto, mail, audit, throttling.
//! Nothing here is compiled into the wasm bundle.
pub mod audit;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod mailer;
pub mod passwords;
pub mod throttle;

use std::sync::Arc;

pub use clock::Clock;
pub use config::Config;
pub use db::Db;

use crate::error::AppError;

/// Everything a request handler needs, cloned cheaply into each request's context.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub config: Arc<Config>,
    pub mailer: Arc<mailer::Mailer>,
    pub hasher: passwords::Hasher,
    pub leptos_options: leptos::config::LeptosOptions,
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

/// The client's address as the socket saw it. Behind a reverse proxy this is the proxy;
/// a deployment that terminates TLS elsewhere must set PORTICO_TRUST_FORWARDED_FOR.
pub fn client_addr() -> String {
    let Some(parts) = request_parts() else { return "unknown".into() };
    if let Some(state) = leptos::prelude::use_context::<AppState>() {
        if state.config.trust_forwarded_for {
            if let Some(first) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
            {
                return first.trim().to_owned();
            }
        }
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
