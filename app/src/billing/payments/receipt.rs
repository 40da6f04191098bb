//! The receipt e-mail of a payment: the amount, the account number's last 4 digits and the
//! date, nothing else (no name, no visit, no balance): e-mail is not a place for PHI. Sent
//! once, by whichever of the webhook and the browser's return recorded the charge.
use crate::{
    billing::Cents,
    infra::{
        mail_language::{MailLanguage, MailText},
        AppState,
    },
};

pub fn receipt_text(language: MailLanguage, amount: Cents, last4: &str, date: &str) -> MailText {
    let amount = amount.display();
    match language {
        MailLanguage::English => MailText {
            subject: "Your Portico payment receipt",
            body: format!(
                "We received your payment of {amount} on account ending {last4} on {date}.\n\n\
                 Sign in to Portico to see the account.\n"
            ),
        },
        MailLanguage::Spanish => MailText {
            subject: "Su recibo de pago de Portico",
            body: format!(
                "Recibimos su pago de {amount} en la cuenta que termina en {last4} el {date}.\n\n\
                 Inicie sesión en Portico para ver la cuenta.\n"
            ),
        },
    }
}

#[derive(sqlx::FromRow)]
struct ReceiptRow {
    amount_cents: i64,
    number: String,
    email: Option<String>,
    user_id: Option<i64>,
}

/// Mails the receipt of the payment whose checkout is `checkout_ref` to the person who
/// started it (a guest payer's receipt is shown on the page only).
pub async fn send_receipt(state: &AppState, checkout_ref: &str) -> Result<(), sqlx::Error> {
    let row: Option<ReceiptRow> = sqlx::query_as(
        "SELECT p.amount_cents, a.number, u.email, u.id AS user_id FROM billing_payments p \
         JOIN billing_accounts a ON a.id = p.account_id LEFT JOIN users u ON u.id = p.started_by \
         WHERE p.checkout_ref = $1",
    )
    .bind(checkout_ref)
    .fetch_optional(&state.db.write)
    .await?;
    let Some(ReceiptRow { amount_cents, number, email: Some(email), user_id: Some(user_id) }) = row else {
        return Ok(());
    };
    let language = MailLanguage::preferred(&state.db, user_id).await?.unwrap_or(MailLanguage::English);
    let last4 = crate::billing::last_four(&number);
    let date = state.clock.date_of(state.clock.now_ms());
    state.mail_later(email, receipt_text(language, Cents(amount_cents), &last4, &date));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_says_the_amount_the_last_four_and_the_date_only() {
        let text = receipt_text(MailLanguage::English, Cents(2_050), "0017", "2026-11-30");
        assert!(
            text.body.contains("$20.50") && text.body.contains("0017") && text.body.contains("2026-11-30")
        );
        assert!(!text.body.contains("4000017"));
        let spanish = receipt_text(MailLanguage::Spanish, Cents(2_050), "0017", "2026-11-30");
        assert!(spanish.body.contains("$20.50") && spanish.subject.contains("recibo"));
    }
}
