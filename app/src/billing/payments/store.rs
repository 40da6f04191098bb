//! Portico's side of a payment: the payment opened for a Pay Now form, the checkout the
//! processor made for it, and the ledger row of what the processor charged (once).
use crate::{
    access::{ChartScope, GuestPayer},
    infra::Db,
};

/// A payment as opened.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: i64,
    pub account_id: i64,
    pub amount_cents: i64,
    pub checkout_ref: Option<String>,
    pub status: String,
}

/// Who started a payment: a signed-in user (who gets the receipt by e-mail), or a guest
/// payer in one opening of "Pay as Guest" (who sees it on the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payer {
    User(i64),
    Guest { view_id: i64 },
}

/// Opens a payment of `amount_cents` on an account, or finds the one this form's
/// `idempotency_key` already opened (a double click, the form sent again): one key, one
/// payment, whatever amount the second send names.
pub async fn open_payment(
    db: &Db,
    account_id: i64,
    amount_cents: i64,
    idempotency_key: &str,
    processor: &str,
    payer: Option<Payer>,
    now_ms: i64,
) -> Result<PaymentRow, sqlx::Error> {
    let (started_by, guest_view_id) = match payer {
        Some(Payer::User(id)) => (Some(id), None),
        Some(Payer::Guest { view_id }) => (None, Some(view_id)),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO billing_payments (account_id, amount_cents, idempotency_key, processor, started_by, \
         guest_view_id, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(account_id)
    .bind(amount_cents)
    .bind(idempotency_key)
    .bind(processor)
    .bind(started_by)
    .bind(guest_view_id)
    .bind(now_ms)
    .execute(&db.write)
    .await?;
    sqlx::query_as(
        "SELECT id, account_id, amount_cents, checkout_ref, status FROM billing_payments \
         WHERE idempotency_key = $1 AND account_id = $2",
    )
    .bind(idempotency_key)
    .bind(account_id)
    .fetch_optional(&db.write)
    .await?
    .ok_or(sqlx::Error::RowNotFound)
}

/// Remembers the processor's checkout for a payment (set once). A second, different
/// checkout for the same payment is refused: its charge would have no payment to land on.
pub async fn set_checkout(db: &Db, payment_id: i64, checkout_ref: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE billing_payments SET checkout_ref = $1 WHERE id = $2 AND checkout_ref IS NULL")
        .bind(checkout_ref)
        .bind(payment_id)
        .execute(&db.write)
        .await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT checkout_ref FROM billing_payments WHERE id = $1")
            .bind(payment_id)
            .fetch_one(&db.write)
            .await?;
    if stored.as_deref() != Some(checkout_ref) {
        return Err(sqlx::Error::Protocol(format!("payment {payment_id} has another checkout")));
    }
    Ok(())
}

/// What recording a charge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// A new ledger row.
    New,
    /// This charge was recorded before (a replayed or repeated event).
    Again,
    /// No payment of ours has this checkout (another system's event): nothing done.
    UnknownCheckout,
}

/// Records what the processor charged for a checkout: one patient-payment row of
/// `amount_cents` (the processor's figure, not ours), keyed by the processor's `charge_id`,
/// and the payment marked paid, in one transaction.
pub async fn record_charge(
    db: &Db,
    checkout_ref: &str,
    charge_id: &str,
    amount_cents: i64,
    now_ms: i64,
) -> Result<Recorded, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let payment: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT id, account_id, amount_cents FROM billing_payments WHERE checkout_ref = $1")
            .bind(checkout_ref)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((payment_id, account_id, opened_cents)) = payment else {
        return Ok(Recorded::UnknownCheckout);
    };
    if opened_cents != amount_cents {
        // The ledger follows the money the processor took; the difference needs a person.
        tracing::error!(
            payment_id,
            opened_cents,
            charged_cents = amount_cents,
            "charged amount differs from the payment"
        );
    }
    let inserted = sqlx::query(
        "INSERT INTO billing_entries (account_id, kind, description, amount_cents, posted_at, payment_id, processor_charge) \
         VALUES ($1, 'patient-payment', 'Online payment', $2, $3, $4, $5) ON CONFLICT (processor_charge) DO NOTHING",
    )
    .bind(account_id)
    .bind(-amount_cents)
    .bind(now_ms)
    .bind(payment_id)
    .bind(charge_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Recorded before: for this payment, or the processor named one charge for two
        // checkouts, which is refused (nothing is marked paid without its ledger row).
        let recorded_for: Option<i64> =
            sqlx::query_scalar("SELECT payment_id FROM billing_entries WHERE processor_charge = $1")
                .bind(charge_id)
                .fetch_one(&mut *tx)
                .await?;
        if recorded_for != Some(payment_id) {
            return Err(sqlx::Error::Protocol(format!("charge {charge_id} is recorded for another payment")));
        }
    }
    sqlx::query(
        "UPDATE billing_payments SET status = 'paid', settled_at = COALESCE(settled_at, $1) WHERE id = $2",
    )
    .bind(now_ms)
    .bind(payment_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(if inserted == 1 { Recorded::New } else { Recorded::Again })
}

/// A checkout that ended without a charge (declined, expired): the payment is closed with
/// `status`, unless a charge was recorded already (events can arrive out of order).
pub async fn close_unpaid(db: &Db, checkout_ref: &str, status: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE billing_payments SET status = $1, settled_at = $2 WHERE checkout_ref = $3 AND status = 'open'",
    )
    .bind(status)
    .bind(now_ms)
    .bind(checkout_ref)
    .execute(&db.write)
    .await?;
    Ok(())
}

/// A payment on one of the chart's accounts (the guarantor's), as its page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentInChart {
    pub id: i64,
    pub account_id: i64,
    pub amount_cents: i64,
    pub checkout_ref: Option<String>,
    pub status: String,
    pub started_at: i64,
    pub settled_at: Option<i64>,
}

/// A payment by id, started in the guest's opening of their account; None for any other
/// (one made by the guarantor, or in another opening, is not the guest's to see).
pub async fn payment_of_guest(
    guest: &GuestPayer,
    payment_id: i64,
) -> Result<Option<PaymentInChart>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, account_id, amount_cents, checkout_ref, status, started_at, settled_at \
         FROM billing_payments WHERE id = $1 AND account_id = $2 AND guest_view_id = $3",
    )
    .bind(payment_id)
    .bind(guest.account_id())
    .bind(guest.view_id())
    .fetch_optional(&guest.db().write)
    .await
}

/// A payment by id, within the accounts of the chart open; None for any other.
pub async fn payment_in_chart(
    chart: &ChartScope,
    payment_id: i64,
) -> Result<Option<PaymentInChart>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.account_id, p.amount_cents, p.checkout_ref, p.status, p.started_at, p.settled_at \
         FROM billing_payments p JOIN billing_accounts a ON a.id = p.account_id \
         WHERE p.id = $1 AND a.guarantor_id = $2",
    )
    .bind(payment_id)
    .bind(chart.patient_id())
    .fetch_optional(&chart.db().write)
    .await
}
