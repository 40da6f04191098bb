//! The sharer's side: their codes with their views, a new code, ending one. Plain form
//! posts answered by sending the browser back to the page; a new code and its SMART Health
//! Link reach the page in a short-lived HttpOnly cookie (never in a URL, a log or the
//! history) and are shown once.
use leptos::prelude::*;

use super::SharePage;
#[cfg(feature = "ssr")]
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

#[cfg(feature = "ssr")]
use super::{
    grouped, link, store, NewShare, ShareLine, ShareScope, ShareViewLine, CODE_ALPHABET, CODE_LENGTH,
    MAX_ACTIVE_SHARES, MAX_VISITS_PER_SHARE, SHARE_HOURS, VIEWS_LISTED,
};
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Section},
    infra::{cookies, crypto},
    problem::Problem,
};
use crate::{error::AppError, input::NameList};

/// The cookie that carries a new code to the page that shows it, for a few minutes.
#[cfg(feature = "ssr")]
const NEW_CODE_COOKIE: &str = "portico_new_share";
#[cfg(feature = "ssr")]
const NEW_CODE_SECS: i64 = 300;
#[cfg(feature = "ssr")]
const HOUR_MS: i64 = 60 * 60 * 1000;

#[server(endpoint = "share/list")]
pub async fn list_shares() -> Result<SharePage, AppError> {
    let chart = access::require(Section::Documents, "share.list").await?;
    let clock = &chart.state().clock;
    let now = clock.now_ms();
    let visits = if chart.may(Section::Visits) {
        crate::documents::store::finished_visits(&chart)
            .await?
            .into_iter()
            .map(|v| (v.id, format!("{} - {} - {}", clock.date_of(v.start_at), v.kind, v.reason)))
            .collect()
    } else {
        Vec::new()
    };
    let views = store::views_of_mine(&chart, VIEWS_LISTED as i64).await?;
    let rows = store::mine(&chart, now).await?;
    let just_made = new_code_from_cookie(&chart, &rows, now);
    let shares = rows
        .into_iter()
        .map(|row| ShareLine {
            id: row.id,
            made_by: row.made_by,
            scope: ShareScope::from_slug(&row.scope).unwrap_or(ShareScope::Summary),
            visits: row.visit_ids.split(',').filter(|id| !id.is_empty()).count(),
            hint: row.code_hint,
            created: clock.local_date_time(row.created_at),
            expires: clock.local_date_time(row.expires_at),
            active: row.ended_at.is_none() && row.expires_at > now,
            ended: row.ended_at.is_some(),
            views: views
                .iter()
                .filter(|v| v.share_id == row.id)
                .map(|v| ShareViewLine {
                    at: clock.local_date_time(v.opened_at),
                    from: v.client_addr.clone(),
                    browser: v.user_agent.clone(),
                })
                .collect(),
        })
        .collect();
    Ok(SharePage { may_share_summary: chart.may(Section::HealthSummary), visits, shares, just_made })
}

/// The code made a moment ago by this reader on this chart, once: the cookie is cleared.
#[cfg(feature = "ssr")]
fn new_code_from_cookie(chart: &ChartScope, rows: &[store::ShareRow], now: i64) -> Option<NewShare> {
    let value = cookies::read(NEW_CODE_COOKIE)?;
    cookies::set(NEW_CODE_COOKIE, "", 0);
    let mut parts = value.split('.');
    let (id, code, link_id, key) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let id: i64 = id.parse().ok()?;
    let row = rows.iter().find(|r| r.id == id && r.ended_at.is_none() && r.expires_at > now)?;
    // The cookie is the server's own (HttpOnly); it must still name this reader's share.
    if !code.ends_with(&row.code_hint) {
        return None;
    }
    let key: [u8; 32] = URL_SAFE_NO_PAD.decode(key).ok()?.try_into().ok()?;
    let config = &chart.state().config;
    let label = format!("{}: shared record", config.org.name);
    let link = link::shlink(&config.public_origin(), link_id, &key, row.expires_at, &label);
    Some(NewShare {
        code: grouped(code),
        expires: chart.state().clock.local_date_time(row.expires_at),
        // Never in the way of the code: without its picture the link is still there as text.
        link_qr: link::qr_svg(&link).unwrap_or_default(),
        link,
    })
}

/// Makes a code for the open chart: `scope` "summary" or "visits" (then `visits[]`, ids),
/// working for `hours` (one of `SHARE_HOURS`).
#[server(endpoint = "share/create")]
pub async fn create_share(
    #[server(default)] scope: String,
    #[server(default)] visits: NameList,
    #[server(default)] hours: String,
) -> Result<(), AppError> {
    let chart = access::require(Section::Documents, "share.create").await?;
    let scope =
        ShareScope::from_slug(&scope).ok_or_else(|| AppError::invalid("scope", Problem::ShareChooseScope))?;
    let hours = hours
        .parse::<i64>()
        .ok()
        .filter(|h| SHARE_HOURS.contains(h))
        .ok_or_else(|| AppError::invalid("hours", Problem::ShareBadLength))?;
    let visit_ids = match scope {
        ShareScope::Summary if chart.may(Section::HealthSummary) => String::new(),
        ShareScope::Visits if chart.may(Section::Visits) => chosen_visits(&chart, &visits).await?,
        // The form offers only what the reader may see: another is a forged form.
        _ => return Err(AppError::Forbidden),
    };
    let now = chart.state().clock.now_ms();
    let code = crypto::random_from_alphabet(CODE_ALPHABET, CODE_LENGTH);
    let (link_id, link_key) = (crypto::random_token(32), link::new_key());
    let row = store::NewShareRow {
        scope: scope.slug(),
        visit_ids: &visit_ids,
        code_hash: &access::share_code_hash(chart.db(), &code),
        code_hint: &code[CODE_LENGTH - 4..],
        link_hash: &access::share_link_hash(chart.db(), &link_id),
        link_key: &access::seal_link_key(chart.db(), &link_key),
        now,
        expires_at: now + hours * HOUR_MS,
    };
    let id = store::insert(&chart, &row, MAX_ACTIVE_SHARES)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::ShareTooMany))?;
    let detail = format!("share={id} scope={} hours={hours}", scope.slug());
    chart.audit_write(Section::Documents, "share-created", &detail).await?;
    let shown_once = format!("{id}.{code}.{link_id}.{}", URL_SAFE_NO_PAD.encode(link_key));
    cookies::set(NEW_CODE_COOKIE, &shown_once, NEW_CODE_SECS);
    leptos_axum::redirect("/documents/share");
    Ok(())
}

/// The ticked visits ("12,15"): at least one, at most `MAX_VISITS_PER_SHARE`, each a
/// finished visit of this chart that the reader may see.
#[cfg(feature = "ssr")]
async fn chosen_visits(chart: &ChartScope, visits: &NameList) -> Result<String, AppError> {
    let mut ids: Vec<i64> = Vec::new();
    for name in visits.names() {
        let id = name.parse::<i64>().map_err(|_| AppError::invalid("visits", Problem::BadRequest))?;
        if !ids.contains(&id) {
            if ids.len() == MAX_VISITS_PER_SHARE {
                return Err(AppError::invalid("visits", Problem::DocumentsTooManyVisits));
            }
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::invalid("visits", Problem::DocumentsChooseVisit));
    }
    for &id in &ids {
        let visit = crate::visits::store::document(chart, id).await?.ok_or(AppError::NotFound)?;
        if visit.visit.status != "finished" {
            return Err(AppError::NotFound);
        }
    }
    Ok(ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Ends one of the reader's codes at once: whoever has it open is refused at their next
/// request.
#[server(endpoint = "share/end")]
pub async fn end_share(id: i64) -> Result<(), AppError> {
    let chart = access::require(Section::Documents, &format!("share.end id={id}")).await?;
    let now = chart.state().clock.now_ms();
    if !store::end(&chart, id, now).await? {
        return Err(AppError::NotFound);
    }
    chart.audit_write(Section::Documents, "share-ended", &format!("share={id}")).await?;
    leptos_axum::redirect("/documents/share");
    Ok(())
}
