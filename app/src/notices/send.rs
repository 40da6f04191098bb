//! Sending notices. The text says only that something is waiting and where to sign in: no
//! name, no test, no medication, no message text.
use super::{store, NoticeKind};
use crate::{
    access::{ChartScope, Section},
    infra::AppState,
};

fn subject(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Message => "You have a new message in Portico",
        NoticeKind::Result => "A new test result is available in Portico",
        NoticeKind::Renewal => "Your renewal request was answered in Portico",
        NoticeKind::Access => "Your request for access was decided in Portico",
    }
}

/// The body: what happened (in general terms), the page to sign in to, the settings link.
pub fn body(state: &AppState, kind: NoticeKind) -> String {
    let (what, page) = match kind {
        NoticeKind::Message => ("You have a new message in Portico.", "messages"),
        NoticeKind::Result => ("A new test result is available in Portico.", "results"),
        NoticeKind::Renewal => ("A renewal request was answered in Portico.", "medications"),
        NoticeKind::Access => ("A request for access to a chart was decided in Portico.", "sharing"),
    };
    let url = &state.config.public_url;
    format!(
        "{what}\n\nSign in to see it: {url}{page}\n\n\
         For your privacy, this e-mail never says more than that.\n\
         Choose which e-mails you get: {url}account/notices\n\n{}\n",
        state.config.org.name
    )
}

/// Tells the chart's account and its proxies (see `store::chart_recipients`). Call after
/// the change is committed; failures are logged, never returned.
pub async fn to_chart(chart: &ChartScope, kind: NoticeKind, section: Section, confidential: bool) {
    let state = chart.state();
    let addresses = match store::chart_recipients(chart, kind, section, confidential).await {
        Ok(addresses) => addresses,
        Err(error) => return tracing::warn!(%error, "could not read whom to notify"),
    };
    for to in addresses {
        state.mail_later(to, subject(kind), body(state, kind));
    }
}

/// Tells one person (the requester of proxy access), unless they turned `kind` off.
pub async fn to_user(state: &AppState, user_id: i64, kind: NoticeKind) {
    match store::user_recipient(&state.db, user_id, kind).await {
        Ok(Some(to)) => state.mail_later(to, subject(kind), body(state, kind)),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not read whom to notify"),
    }
}
