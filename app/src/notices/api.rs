//! The person's notice choices: read and replace. Their own, whatever chart is open.
use leptos::prelude::*;

use super::NoticeChoice;
use crate::{error::AppError, input::NameList};

#[cfg(feature = "ssr")]
use {super::NoticeKind, crate::access};

#[server(endpoint = "account/notices")]
pub async fn notice_choices() -> Result<Vec<NoticeChoice>, AppError> {
    let me = access::signed_in().await?;
    let off = super::store::turned_off(&me.state().db, me.user_id()).await?;
    Ok(NoticeKind::ALL.into_iter().map(|kind| NoticeChoice { kind, on: !off.contains(&kind) }).collect())
}

/// `on`: the kinds to get (every other is turned off). Unknown names are ignored: a form
/// from an older page may name a kind that no longer exists.
#[server(endpoint = "account/set_notices")]
pub async fn set_notice_choices(#[server(default)] on: NameList) -> Result<(), AppError> {
    let me = access::signed_in().await?;
    let on: Vec<NoticeKind> = on.names().filter_map(NoticeKind::parse).collect();
    super::store::set_choices(&me.state().db, me.user_id(), &on).await?;
    let detail: Vec<&str> = on.iter().map(|k| k.as_str()).collect();
    me.audit_event("notices-chosen", &format!("on={}", detail.join(","))).await?;
    if crate::ui::form::is_form_post() {
        leptos_axum::redirect("/account/notices?done=saved");
    }
    Ok(())
}
