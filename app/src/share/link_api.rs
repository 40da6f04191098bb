//! A health app reading a share's SMART Health Link: the manifest (the app posts the
//! passcode its user typed and is answered with the record, encrypted under the link's
//! key, or with where to fetch it) and that address. No account, no cookie: the link's id
//! and the passcode are the credential, so other sites' apps may call these (the security
//! middleware answers their CORS preflight). Both go through the share door
//! (`access::open_share_link`, `access::open_share_link_file`): each read is in the
//! patient's "Who has seen my record".
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::{ByteStream, GetUrl, Json, Streaming};

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, LinkOpening},
    problem::Problem,
    share::link,
};

/// The manifest's answer: the record (or where to fetch it), or, after a wrong passcode,
/// how many tries are left (with status 401), as the specification words them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Manifest {
    /// `status` is "can-change": each answer is made from the chart as it is then.
    Files { status: String, files: Vec<ManifestFile> },
    WrongPasscode {
        #[serde(rename = "remainingAttempts")]
        remaining_attempts: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    #[serde(rename = "contentType")]
    pub content_type: String,
    /// The record as a compact JWE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
    /// Where to fetch it instead (once, within `LINK_FILE_MINUTES`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// The manifest of the link `?link=` names. `recipient` is who the app says is asking
/// (shown to the patient with the view); `passcode` the patient's date of birth; an app
/// that sets `embeddedLengthMax` is sent an address for a longer record.
#[server(endpoint = "shl/manifest", input = Json)]
pub async fn shl_manifest(
    #[server(default)] recipient: String,
    #[server(default)] passcode: String,
    #[server(default)]
    #[server(rename = "embeddedLengthMax")]
    embedded_length_max: Option<u64>,
) -> Result<Manifest, AppError> {
    let link_id = crate::infra::query_value("link").unwrap_or_default();
    // The specification requires it: the patient reads it beside the view.
    if recipient.trim().is_empty() {
        return Err(AppError::invalid("recipient", Problem::BadRequest));
    }
    let (opened, token) = match access::open_share_link(&link_id, passcode.trim(), recipient.trim()).await? {
        LinkOpening::Opened(opened, token) => (opened, token),
        LinkOpening::WrongPasscode { remaining_attempts } => {
            set_status(http::StatusCode::UNAUTHORIZED);
            return Ok(Manifest::WrongPasscode { remaining_attempts });
        }
    };
    let record = crate::documents::copy::share_bundle(&opened.chart, &opened.terms.visit_ids).await?;
    let sealed = link::jwe(&opened.key, &record);
    let fits = embedded_length_max.is_none_or(|max| sealed.len() as u64 <= max);
    let file = if fits {
        access::close_link_view(&token).await?;
        ManifestFile { content_type: link::CONTENT_TYPE.into(), embedded: Some(sealed), location: None }
    } else {
        let origin = opened.chart.state().config.public_origin();
        let location = format!("{origin}{}?ticket={token}", link::FILE_PATH);
        ManifestFile { content_type: link::CONTENT_TYPE.into(), embedded: None, location: Some(location) }
    };
    Ok(Manifest::Files { status: "can-change".into(), files: vec![file] })
}

/// A record at the address a manifest gave (once): the JWE, as `application/jose`, made now.
#[server(endpoint = "shl/file", input = GetUrl, output = Streaming)]
pub async fn shl_file(#[server(default)] ticket: String) -> Result<ByteStream<AppError>, AppError> {
    let opened = access::open_share_link_file(&ticket).await?;
    let record = crate::documents::copy::share_bundle(&opened.chart, &opened.terms.visit_ids).await?;
    let sealed = link::jwe(&opened.key, &record);
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response
            .insert_header(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/jose"));
    }
    Ok(ByteStream::new(futures::stream::once(async move { Ok::<_, AppError>(sealed.into_bytes()) })))
}

#[cfg(feature = "ssr")]
fn set_status(status: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
