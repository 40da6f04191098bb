//! The Portico server: configuration, the axum router and its middleware, the HTTP
//! endpoints that are not server functions (/healthz), and the demo seed.
// The views the router renders are deep types (as in the app crate).
#![recursion_limit = "256"]
pub mod cli;
pub mod database;
mod demo_billing;
mod demo_messages;
mod demo_proxy;
mod demo_record;
pub mod middleware;
pub use middleware::MAX_BODY_BYTES;
pub mod seed;
pub mod synthetic;
mod test_processor_pages;

use std::{net::SocketAddr, sync::Arc};

use app::{
    infra::{config::Processor, mailer::Mailer, passwords::Hasher, AppState, Clock, Config},
    shell, App,
};
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::compression::CompressionLayer;

/// Opens the database (and migrates it), the mailer and the password hasher.
pub async fn build_state(config: Config, clock: Clock, site_root: &str) -> anyhow_lite::Result<AppState> {
    let db = database::open_migrated(&config).await?;
    let mailer = Mailer::new(config.smtp_url.as_deref(), &config.mail_dir, &config.mail_from)?;
    let leptos_options = LeptosOptions::builder()
        .output_name("portico")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .env(leptos::config::Env::PROD)
        .build();
    Ok(AppState {
        db,
        clock,
        config: Arc::new(config),
        mailer: Arc::new(mailer),
        hasher: Hasher::new(),
        background: Arc::new(tokio::sync::Semaphore::new(app::infra::BACKGROUND_JOBS_MAX)),
        identity: Arc::new(app::signup::chart_quiz::ChartQuiz),
        leptos_options,
    })
}

/// Everything a request needs in its reactive context.
fn request_context(state: AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(state.clone());
        leptos::nonce::provide_nonce();
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = request_context(state.clone());
    let server_fn_context = context.clone();
    let options = state.leptos_options.clone();
    let test_processor = matches!(&state.config.payments, Some(p) if p.processor == Processor::Test);
    let mut router = Router::new();
    if test_processor {
        router = router.route(
            "/test-processor/checkout/{id}",
            get(test_processor_pages::show).post(test_processor_pages::submit),
        );
    }
    router
        .route("/healthz", get(healthz))
        .merge(app::connected_apps::oauth::routes())
        .route(PAYMENT_WEBHOOK_PATH, axum::routing::post(payment_webhook))
        .route(app::billing::payments::RETURN_PATH, get(payment_return))
        .route(
            "/api/{*fn_name}",
            get({
                let c = server_fn_context.clone();
                move |req| handle_server_fns_with_context(c, req)
            })
            .post(move |req| handle_server_fns_with_context(server_fn_context, req)),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn(middleware::body_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security))
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// The processor sends the browser back here (`billing::payments::RETURN_PATH`); this page
/// moves on to the payment's own page, a navigation that starts on our site so the
/// session's SameSite=Strict cookie goes with it. Any other target is not found.
async fn payment_return(
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::{Html, IntoResponse};
    let Some(to) = query.get("to").and_then(|to| app::billing::payments::return_target(to)) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    // `to` is a path of digits and fixed words (checked above): nothing to escape.
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"refresh\" content=\"0;url={to}\"><title>Portico</title></head>\
         <body><main><p><a href=\"{to}\">Continue to Portico</a></p></main></body></html>"
    ))
    .into_response()
}

/// Where the payment processor sends its signed events (billing::payments::webhook).
pub const PAYMENT_WEBHOOK_PATH: &str = "/api/payments/webhook";

/// The processor's events: 200 once applied (or of a kind we ignore), 400 for a bad
/// signature or an unreadable event (never applied), 404 with payments off, 503 when the
/// database failed (the processor sends it again).
async fn payment_webhook(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> impl IntoResponse {
    use app::billing::payments::webhook::{receive, WebhookError};
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    match receive(&state, signature, &body).await {
        Ok(_) => (StatusCode::OK, "ok"),
        Err(WebhookError::Off) => (StatusCode::NOT_FOUND, "no payments here"),
        Err(WebhookError::Signature(_)) => (StatusCode::BAD_REQUEST, "bad signature"),
        Err(WebhookError::Unreadable) => (StatusCode::BAD_REQUEST, "unreadable event"),
        Err(WebhookError::Database) => (StatusCode::SERVICE_UNAVAILABLE, "try again"),
    }
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_reachable().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Serves until the process ends. The peer address feeds throttling and the audit log.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    tokio::spawn(prune_attempts(state.clone()));
    tokio::spawn(announce_due_reminders(state.clone()));
    if matches!(&state.config.payments, Some(p) if p.processor == Processor::Test) {
        tokio::spawn(test_processor_pages::retry_deliveries(state.clone()));
    }
    let app = router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await
}

/// Every ten minutes (first after ten): forget day-old sign-in attempts, browsers unused
/// for a year, e-mail codes and sign-ups a day past their end, whole-record archives past
/// their link's end. A failure is logged and tried again next time.
async fn prune_attempts(state: AppState) {
    let every = std::time::Duration::from_secs(600);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        ticks.tick().await;
        let now = state.clock.now_ms();
        if let Err(error) = app::infra::throttle::prune(&state.db, now).await {
            tracing::warn!(?error, "old sign-in attempts not pruned");
        }
        if let Err(error) = app::auth::device::prune(&state.db, now).await {
            tracing::warn!(?error, "unused browsers not forgotten");
        }
        if let Err(error) = app::auth::email_code::prune(&state.db, now).await {
            tracing::warn!(?error, "old e-mail codes not pruned");
        }
        if let Err(error) = app::signup::store::prune(&state.db, now).await {
            tracing::warn!(?error, "old sign-ups not pruned");
        }
        if let Err(error) = app::documents::export_store::prune(&state.db, now).await {
            tracing::warn!(?error, "expired whole-record archives not dropped");
        }
        if let Err(error) = app::connected_apps::store::prune(&state.db, now).await {
            tracing::warn!(?error, "expired app requests, codes and tokens not dropped");
        }
    }
}

/// Every six hours (first a minute after start): e-mail the reminders that came due
/// (app::notices::reminders_due; each is announced once, so a restart or a second server
/// sends nothing twice). A failure is logged and tried again next time.
async fn announce_due_reminders(state: AppState) {
    let every = std::time::Duration::from_secs(6 * 60 * 60);
    let first = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut ticks = tokio::time::interval_at(first, every);
    loop {
        ticks.tick().await;
        match app::notices::reminders_due::run_once(&state).await {
            Ok(sent) => tracing::info!(sent, "reminder notices"),
            Err(error) => tracing::warn!(?error, "reminder notices not sent"),
        }
    }
}

/// A small boxed-error result, so the binary can report any start-up failure plainly.
pub mod anyhow_lite {
    pub type Error = Box<dyn std::error::Error + Send + Sync + 'static>;
    pub type Result<T> = std::result::Result<T, Error>;
}
