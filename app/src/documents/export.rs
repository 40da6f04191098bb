//! "Download my whole record": one archive (zip) with the record as a PDF and as a FHIR R4
//! bundle (every part the reader may see, all dates) and every document on file (posted
//! documents, the immunization record, signed proxy authorizations, the clinic's notice).
//! It is made in the background, its progress shown on the page, the reader told by an
//! e-mail without PHI when it is ready; the file is kept `EXPORT_HOURS`, then dropped.
use leptos::prelude::*;
use server_fn::codec::{ByteStream, Streaming};

use super::ExportView;
#[cfg(feature = "ssr")]
use super::{
    copy::{self, About, Span},
    export_store as store, records, store as documents, CopyFormat, ExportStatus, RecordPart, EXPORT_HOURS,
};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::{
    access::{self, ChartScope, Section},
    infra::{download, mail_language::MailLanguage},
    notices::{send, NoticeKind},
    problem::Problem,
};

/// The reader's newest archive on the open chart, and how far it is.
#[server(endpoint = "documents/export_status")]
pub async fn load_export() -> Result<ExportView, AppError> {
    let chart = access::require(Section::Documents, "documents.export_status").await?;
    let clock = &chart.state().clock;
    let now = clock.now_ms();
    store::drop_expired(&chart, now).await?;
    let latest = store::latest(&chart).await?;
    Ok(ExportView {
        status: latest.map(|row| match row.status.as_str() {
            "working" if row.created_at >= now - store::STALE_AFTER_MS => {
                ExportStatus::Working { progress: row.progress }
            }
            "ready" if row.expires_at.is_some_and(|at| at > now) => ExportStatus::Ready {
                id: row.id,
                until: clock.local_date_time(row.expires_at.unwrap_or_default()),
                kilobytes: (row.byte_size.unwrap_or_default() + 1023) / 1024,
            },
            "ready" => ExportStatus::Expired,
            _ => ExportStatus::Failed,
        }),
    })
}

/// Starts the archive in the background; the page then shows its progress.
#[server(endpoint = "documents/export_start")]
pub async fn start_export() -> Result<(), AppError> {
    let chart = access::require(Section::Documents, "documents.export_start").await?;
    let now = chart.state().clock.now_ms();
    let sections: Vec<Section> = Section::GRANTABLE.into_iter().filter(|s| chart.may(*s)).collect();
    let id = store::start(&chart, &Section::join(&sections), now)
        .await?
        .ok_or_else(|| AppError::invalid("form", Problem::DocumentsExportWorking))?;
    chart.audit_write(Section::Documents, "record-export-started", &format!("export={id}")).await?;
    let lang = MailLanguage::of_request();
    tokio::spawn(make_in_background(chart, id, lang));
    leptos_axum::redirect("/documents/export");
    Ok(())
}

/// The archive, while it has not expired, and only while its reader may still see all it
/// holds (a proxy whose grant narrowed since is refused: a new archive holds what is theirs).
#[server(endpoint = "documents/export_download", output = Streaming)]
pub async fn download_export(id: i64) -> Result<ByteStream<AppError>, AppError> {
    let chart = access::require(Section::Documents, &format!("documents.export_download id={id}")).await?;
    let now = chart.state().clock.now_ms();
    let file = store::file(&chart, id, now).await?.ok_or(AppError::NotFound)?;
    let sections = Section::parse_list(&file.sections);
    if file.max_confidential > chart.visibility().max_flag() || !sections.iter().all(|s| chart.may(*s)) {
        return Err(AppError::Forbidden);
    }
    // Sent piece by piece, as stored: a large archive is never whole in the server's memory.
    let pieces = futures::stream::try_unfold(0_i64, move |seq| {
        let chart = chart.clone();
        async move {
            let piece = store::chunk(&chart, id, seq, now).await?;
            Ok::<_, AppError>(piece.map(|bytes| (bytes, seq + 1)))
        }
    });
    Ok(download::pieces("my-health-record.zip", "application/zip", file.byte_size, pieces))
}

/// One archive is made at a time, server-wide: each holds one part of a record in memory
/// at a time (the record's PDF, its FHIR bundle, a document) and its PDFs take a core; the
/// others wait their turn (their page shows 0%).
#[cfg(feature = "ssr")]
static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Makes the archive and stores it, or marks it failed (an error, a panic, a file that
/// could not be stored); tells the reader either way.
#[cfg(feature = "ssr")]
async fn make_in_background(chart: ChartScope, id: i64, lang: MailLanguage) {
    let _turn = ONE_AT_A_TIME.acquire().await;
    // Its own task, so that a panic is seen here (the row would otherwise stay "working").
    let job = chart.clone();
    let made = tokio::spawn(async move { archive(&job, id, lang).await }).await;
    let now = chart.state().clock.now_ms();
    let stored = match made {
        Ok(Ok(byte_size)) => store::finish(&chart, id, byte_size, now, now + EXPORT_HOURS * 3_600_000).await,
        Ok(Err(e)) => Err(sqlx::Error::Protocol(format!("archive: {e}"))),
        Err(e) => Err(sqlx::Error::Protocol(format!("archive task: {e}"))),
    };
    if let Err(e) = stored {
        tracing::error!(export = id, error = %e, "the whole-record archive failed");
        if let Err(e) = store::fail(&chart, id, now).await {
            tracing::error!(export = id, error = %e, "the failed archive could not be marked");
        }
    }
    send::to_user(chart.state(), chart.reader_user_id(), NoticeKind::Document).await;
}

/// The zip: the record (PDF and FHIR), then each document on file, the progress saved as
/// it goes; stored in pieces as it is written. Its size in bytes.
#[cfg(feature = "ssr")]
async fn archive(chart: &ChartScope, id: i64, lang: MailLanguage) -> Result<i64, AppError> {
    let mut zip = Archive::new(chart, id);
    let parts: Vec<RecordPart> = RecordPart::ALL.into_iter().filter(|p| chart.may(p.section())).collect();
    let all_dates = Span { from: None, to: None };
    if !parts.is_empty() {
        zip.add("record.pdf", &copy::record_file(chart, &parts, all_dates, CopyFormat::Pdf, lang).await?)
            .await?;
        store::set_progress(chart, id, 35).await?;
        zip.add(
            "record-fhir.json",
            &copy::record_file(chart, &parts, all_dates, CopyFormat::Fhir, lang).await?,
        )
        .await?;
        store::set_progress(chart, id, 60).await?;
    }
    if chart.may(Section::HealthSummary) {
        let doses = crate::summary::store::immunizations(chart).await?;
        if !doses.is_empty() {
            let about = About::chart(chart).await?;
            zip.add(
                "documents/immunization-record.pdf",
                &records::immunization_record(lang, &about.header(), &doses),
            )
            .await?;
        }
    }
    let posted = documents::all_posted(chart).await?;
    let count = posted.len().max(1) as i64;
    for (n, doc) in posted.iter().enumerate() {
        if let Some(file) = documents::posted_file(chart, doc.id).await? {
            let name = format!(
                "documents/{}-{}{}",
                doc.document_date,
                doc.id,
                super::api::extension(&file.media_type)
            );
            zip.add(&name, &file.content).await?;
        }
        store::set_progress(chart, id, 60 + 35 * (n as i64 + 1) / count).await?;
    }
    for form in crate::proxy::store::signed_forms(chart).await? {
        if let Some((media_type, bytes)) = crate::proxy::store::signed_form_file(chart, form.id).await? {
            let name =
                format!("documents/proxy-authorization-{}{}", form.id, super::api::extension(&media_type));
            zip.add(&name, &bytes).await?;
        }
    }
    if let Some(notice) = &chart.state().config.privacy_notice {
        zip.add("documents/notice-of-privacy-practices.pdf", &notice.pdf).await?;
    }
    zip.finish().await
}

/// The size of the pieces an archive is stored and sent in.
#[cfg(feature = "ssr")]
const PIECE_BYTES: usize = 1024 * 1024;

/// A zip written as a stream (no seeking back: sizes go after each file), its output
/// stored in `PIECE_BYTES` pieces after each file: PDFs and images stored as they are
/// (already compressed), the rest deflated.
#[cfg(feature = "ssr")]
struct Archive<'a> {
    writer: zip::ZipWriter<zip::write::StreamWriter<Unstored>>,
    unstored: Unstored,
    chart: &'a ChartScope,
    id: i64,
    pieces: i64,
    stored_bytes: i64,
}

/// What the writer wrote and is not stored yet (shared with the writer, which owns its
/// sink; locked only between awaits).
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
struct Unstored(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

#[cfg(feature = "ssr")]
impl std::io::Write for Unstored {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("archive buffer poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(feature = "ssr")]
impl<'a> Archive<'a> {
    fn new(chart: &'a ChartScope, id: i64) -> Archive<'a> {
        let unstored = Unstored::default();
        let writer = zip::ZipWriter::new_stream(unstored.clone());
        Archive { writer, unstored, chart, id, pieces: 0, stored_bytes: 0 }
    }

    async fn add(&mut self, name: &str, bytes: &[u8]) -> Result<(), AppError> {
        use std::io::Write;
        use zip::{write::SimpleFileOptions, CompressionMethod};
        let method =
            if name.ends_with(".json") { CompressionMethod::Deflated } else { CompressionMethod::Stored };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(bytes.len() > u32::MAX as usize / 2);
        self.writer.start_file(name, options).map_err(|_| AppError::Unavailable)?;
        self.writer.write_all(bytes).map_err(|_| AppError::Unavailable)?;
        self.store(false).await
    }

    /// Stores every full piece written so far (with `all`, the last one too).
    async fn store(&mut self, all: bool) -> Result<(), AppError> {
        loop {
            let piece: Vec<u8> = {
                let mut unstored = self.unstored.0.lock().map_err(|_| AppError::Unavailable)?;
                if unstored.len() < PIECE_BYTES && !(all && !unstored.is_empty()) {
                    break;
                }
                let take = unstored.len().min(PIECE_BYTES);
                unstored.drain(..take).collect()
            };
            store::add_chunk(self.chart, self.id, self.pieces, &piece).await?;
            self.pieces += 1;
            self.stored_bytes += piece.len() as i64;
        }
        Ok(())
    }

    /// Writes the zip's directory and stores the rest: the archive's size in bytes.
    async fn finish(mut self) -> Result<i64, AppError> {
        let writer = std::mem::replace(&mut self.writer, zip::ZipWriter::new_stream(Unstored::default()));
        writer.finish().map_err(|_| AppError::Unavailable)?;
        self.store(true).await?;
        Ok(self.stored_bytes)
    }
}
