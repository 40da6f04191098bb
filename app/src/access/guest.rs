//! The guest payer's door ("Pay as Guest" on the sign-in page): a guarantor account opened
//! with its number and the guarantor's last name, by someone with no Portico account (a
//! spouse with the paper statement in hand). It opens one account, for minutes, and lets
//! its holder see the amount due and the service area, pay, and see the receipts of what
//! they paid: a `GuestPayer` reaches nothing else, no chart and no ledger line.
//!
//! A wrong number and a wrong name get the same answer. Wrong tries count against the
//! client's network and against the number typed (whether or not it exists), so neither
//! one network nor many can walk the account numbers or guess a name. Each opening, and each
//! wrong name on a real number, is in the guarantor's "Who has seen my record".
use super::Section;
use crate::{
    error::AppError,
    infra::{
        audit::{self, AuditEvent},
        crypto, throttle, AppState, Db,
    },
    problem::Problem,
};

/// How long one opening lasts: enough to pay at the processor and come back.
pub const GUEST_VIEW_MINUTES: i64 = 20;
/// The longest account number accepted (digits; spaces and dashes are ignored).
pub const GUEST_NUMBER_MAX_DIGITS: usize = 20;
/// The longest last name accepted.
pub const GUEST_LAST_NAME_MAX_CHARS: usize = 100;

/// An account opened by a guest: which account, in which opening. Its fields are private:
/// only the door makes one, and the billing store reads the account through it.
pub struct GuestPayer {
    view_id: i64,
    account_id: i64,
    guarantor_id: i64,
    state: AppState,
}

impl GuestPayer {
    pub fn account_id(&self) -> i64 {
        self.account_id
    }
    /// The opening: a payment started in it is the guest's to see.
    pub fn view_id(&self) -> i64 {
        self.view_id
    }
    pub fn state(&self) -> &AppState {
        &self.state
    }
    pub fn db(&self) -> &Db {
        &self.state.db
    }
    /// A row in the guarantor's "Who has seen my record" for what the guest did.
    pub async fn audit(&self, action: &str) -> Result<(), AppError> {
        let now = self.state.clock.now_ms();
        audit_guest(&self.state, now, self.guarantor_id, action, self.account_id, "").await
    }
}

/// An opening: the token for the guest's browser, and how long it lasts.
pub struct OpenedGuest {
    pub token: String,
    pub max_age_secs: i64,
}

/// The account number as printed, without spaces and dashes; None when it is not digits.
pub fn normalised_account_number(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let fits = !digits.is_empty() && digits.len() <= GUEST_NUMBER_MAX_DIGITS;
    (fits && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// A last name compared as a person types it: case, accents' case and runs of spaces do
/// not matter (accents themselves do: "Pena" is not "Peña").
fn comparable_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[derive(sqlx::FromRow)]
struct GuarantorOf {
    account_id: i64,
    guarantor_id: i64,
    family_name: String,
}

/// Opens the account `number` names when `last_name` is its guarantor's. Every refusal is
/// `Problem::GuestAccountNotFound` at the number and counts (`throttle::GUEST_PAY_*`);
/// past a limit the answer is "too many attempts", for a wrong pair and a right one alike.
pub async fn open_guest_account(number: &str, last_name: &str) -> Result<OpenedGuest, AppError> {
    let state = crate::infra::state()?;
    let now = state.clock.now_ms();
    let network = crate::infra::client_network();
    let per_address = throttle::reserve(&state.db, now, throttle::GUEST_PAY_PER_ADDRESS, &network).await?;
    let per_number = throttle::reserve(&state.db, now, throttle::GUEST_PAY_PER_NUMBER, number).await?;
    let found: Option<GuarantorOf> = sqlx::query_as(
        "SELECT a.id AS account_id, a.guarantor_id, g.family_name FROM billing_accounts a \
         JOIN patients g ON g.id = a.guarantor_id WHERE a.number = $1",
    )
    .bind(number)
    .fetch_optional(&state.db.read)
    .await?;
    let not_found = || AppError::invalid("number", Problem::GuestAccountNotFound);
    let account = found.ok_or_else(not_found)?;
    let typed = comparable_name(last_name);
    if !crypto::constant_time_eq(&comparable_name(&account.family_name), &typed) {
        audit_guest(&state, now, account.guarantor_id, "guest-billing-failed", account.account_id, "")
            .await?;
        return Err(not_found());
    }
    throttle::release(&state.db, per_address).await?;
    throttle::release(&state.db, per_number).await?;
    let token = crypto::random_token(32);
    let expires_at = now + GUEST_VIEW_MINUTES * 60_000;
    sqlx::query(
        "INSERT INTO billing_guest_views (account_id, token_hash, opened_at, expires_at, client_addr) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(account.account_id)
    .bind(crypto::sha256_hex(&token))
    .bind(now)
    .bind(expires_at)
    .bind(crate::infra::client_addr())
    .execute(&state.db.write)
    .await?;
    audit_guest(&state, now, account.guarantor_id, "guest-billing-opened", account.account_id, "").await?;
    Ok(OpenedGuest { token, max_age_secs: GUEST_VIEW_MINUTES * 60 })
}

#[derive(sqlx::FromRow)]
struct OpenView {
    id: i64,
    account_id: i64,
    guarantor_id: i64,
}

/// The guest's account, while the opening the token names lasts; "this has ended" (the
/// page offers to start again) for an unknown, ended or expired one. Each read (`what`) is
/// in the guarantor's audit log, as a chart read is.
pub async fn guest_payer(token: Option<&str>, what: &str) -> Result<GuestPayer, AppError> {
    let state = crate::infra::state()?;
    let ended = || AppError::invalid("guest", Problem::GuestEnded);
    let token = token.ok_or_else(ended)?;
    let view: OpenView = sqlx::query_as(
        "SELECT v.id, v.account_id, a.guarantor_id FROM billing_guest_views v \
         JOIN billing_accounts a ON a.id = v.account_id WHERE v.token_hash = $1 AND v.expires_at > $2",
    )
    .bind(crypto::sha256_hex(token))
    .bind(state.clock.now_ms())
    .fetch_optional(&state.db.read)
    .await?
    .ok_or_else(ended)?;
    let now = state.clock.now_ms();
    audit_guest(&state, now, view.guarantor_id, "guest-billing-read", view.account_id, what).await?;
    Ok(GuestPayer { view_id: view.id, account_id: view.account_id, guarantor_id: view.guarantor_id, state })
}

/// Ends this browser's opening at once ("Done"): its token opens nothing any more.
pub async fn close_guest(token: Option<&str>) -> Result<(), AppError> {
    let (Some(token), Ok(state)) = (token, crate::infra::state()) else { return Ok(()) };
    sqlx::query("UPDATE billing_guest_views SET expires_at = $1 WHERE token_hash = $2 AND expires_at > $1")
        .bind(state.clock.now_ms())
        .bind(crypto::sha256_hex(token))
        .execute(&state.db.write)
        .await?;
    Ok(())
}

/// A row in the guarantor's "Who has seen my record": a guest opened (or failed to open)
/// one of their accounts.
async fn audit_guest(
    state: &AppState,
    now: i64,
    guarantor_id: i64,
    action: &str,
    account_id: i64,
    what: &str,
) -> Result<(), AppError> {
    let addr = crate::infra::client_addr();
    let detail = format!("billing.guest {what} account={account_id}");
    let event = AuditEvent {
        actor_user_id: None,
        action,
        patient_id: Some(guarantor_id),
        section: Some(Section::Billing.as_str()),
        as_proxy: false,
        client_addr: Some(&addr),
        detail: &detail,
    };
    audit::append(&state.db, now, event).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_number_is_digits_with_spaces_and_dashes_ignored() {
        assert_eq!(normalised_account_number(" 400-0017 ").as_deref(), Some("4000017"));
        assert_eq!(normalised_account_number(""), None);
        assert_eq!(normalised_account_number("40000l7"), None);
        assert_eq!(normalised_account_number(&"1".repeat(GUEST_NUMBER_MAX_DIGITS + 1)), None);
        assert!(normalised_account_number(&"1".repeat(GUEST_NUMBER_MAX_DIGITS)).is_some());
    }

    #[test]
    fn a_last_name_ignores_case_and_spacing_but_not_letters() {
        assert_eq!(comparable_name("  de la  Cruz "), comparable_name("DE LA CRUZ"));
        assert_eq!(comparable_name("PEÑA"), comparable_name("peña"));
        assert_ne!(comparable_name("Pena"), comparable_name("Peña"));
    }
}
