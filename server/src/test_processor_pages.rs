//! The built-in test processor's checkout page (`PORTICO_PAYMENTS=test` only): what a
//! payment processor's hosted page does, for the demo and the tests. It takes a test card
//! number, charges the checkout in the processor's own books, sends the signed event to
//! Portico's webhook and sends the browser back; a declined card is said on this page and
//! charges nothing; "needs authentication" asks for the bank's confirmation first. It is
//! not Portico's page: plain HTML, no session, no PHI (an amount and a reference).
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{Html, IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;

use app::{
    billing::{
        payments::test_processor::{self, CardOutcome, Checkout},
        Cents,
    },
    infra::AppState,
};

#[derive(Deserialize)]
pub struct CardForm {
    #[serde(default)]
    card: String,
    /// Set by the bank's confirmation step: "yes" or "no".
    #[serde(default)]
    confirm: Option<String>,
}

pub async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match test_processor::checkout(&state.db, &id).await {
        Ok(Some(checkout)) if checkout.status == "open" => Html(page(&checkout, None, "")).into_response(),
        Ok(Some(checkout)) => Redirect::to(&checkout.success_url).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such checkout").into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<CardForm>,
) -> Response {
    let Ok(Some(checkout)) = test_processor::checkout(&state.db, &id).await else {
        return (StatusCode::NOT_FOUND, "no such checkout").into_response();
    };
    if form.confirm.as_deref() == Some("no") {
        return Html(page(
            &checkout,
            Some("Your bank did not confirm this payment. Nothing was charged."),
            "",
        ))
        .into_response();
    }
    let authenticated = form.confirm.as_deref() == Some("yes");
    let outcome = test_processor::pay(&state.db, &id, &form.card, authenticated, state.clock.now_ms()).await;
    match outcome {
        Ok(CardOutcome::Charged { .. }) | Ok(CardOutcome::NotOpen) => {
            // Sent now; if Portico is down, the retry loop sends it again later.
            if let Err(error) = test_processor::deliver_pending(&state).await {
                tracing::warn!(?error, "test processor: events not delivered");
            }
            Redirect::to(&checkout.success_url).into_response()
        }
        Ok(CardOutcome::Declined) => {
            Html(page(&checkout, Some("Your card was declined. Nothing was charged. Try another card."), ""))
                .into_response()
        }
        Ok(CardOutcome::Unknown) => Html(page(
            &checkout,
            Some("This is a test processor: use one of the test card numbers below."),
            &form.card,
        ))
        .into_response(),
        Ok(CardOutcome::NeedsAuthentication) => Html(confirm_page(&checkout, &form.card)).into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Every few seconds, events Portico has not accepted yet are sent again (after a restart
/// too), as a processor retries its webhooks.
pub async fn retry_deliveries(state: AppState) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        ticks.tick().await;
        if let Err(error) = test_processor::deliver_pending(&state).await {
            tracing::warn!(?error, "test processor: events not delivered");
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn frame(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main>{body}</main></body></html>"
    )
}

fn page(checkout: &Checkout, error: Option<&str>, typed: &str) -> String {
    let amount = Cents(checkout.amount_cents).display();
    let error =
        error.map(|e| format!("<p role=\"alert\" id=\"card-error\">{}</p>", escape(e))).unwrap_or_default();
    let described = if error.is_empty() { "card-hint" } else { "card-hint card-error" };
    let body = format!(
        "<h1>Test processor: pay {amount}</h1>\
         <p>This page stands in for a payment processor's hosted checkout. No real card is charged.</p>\
         {error}\
         <form method=\"post\">\
         <label for=\"card\">Card number</label> \
         <input id=\"card\" name=\"card\" inputmode=\"numeric\" autocomplete=\"cc-number\" value=\"{typed}\" \
         aria-describedby=\"{described}\" required>\
         <p id=\"card-hint\">Test cards: {ok} is charged; {declined} is declined; {auth} asks your bank to confirm.</p>\
         <button type=\"submit\">Pay {amount}</button></form>\
         <p><a href=\"{cancel}\">Cancel and return</a></p>",
        typed = escape(typed),
        ok = test_processor::CARD_SUCCEEDS,
        declined = test_processor::CARD_DECLINED,
        auth = test_processor::CARD_NEEDS_AUTHENTICATION,
        cancel = escape(&checkout.cancel_url),
    );
    frame(&format!("Pay {amount} — test processor"), &body)
}

fn confirm_page(checkout: &Checkout, card: &str) -> String {
    let amount = Cents(checkout.amount_cents).display();
    let body = format!(
        "<h1>Your bank asks you to confirm</h1>\
         <p>Confirm the payment of {amount}?</p>\
         <form method=\"post\"><input type=\"hidden\" name=\"card\" value=\"{card}\">\
         <button type=\"submit\" name=\"confirm\" value=\"yes\">Confirm</button> \
         <button type=\"submit\" name=\"confirm\" value=\"no\">Refuse</button></form>",
        card = escape(card),
    );
    frame("Confirm the payment — test processor", &body)
}
