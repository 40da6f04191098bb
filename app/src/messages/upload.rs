//! Reads a message form sent as multipart/form-data: its text fields and up to
//! `ATTACHMENTS_MAX` files, each at most `ATTACHMENT_MAX_BYTES`, each an image or PDF by its
//! bytes. Anything else is refused with a message for the field; nothing is kept from a
//! refused form.
use multer::Multipart;

use super::{ACCEPTED_TYPES, ATTACHMENTS_MAX, ATTACHMENT_MAX_BYTES};
use crate::{error::AppError, problem::Problem};

/// The largest text field read (a body of `BODY_MAX_CHARS` four-byte characters, and some).
const TEXT_FIELD_MAX_BYTES: usize = 32 * 1024;
/// The longest file name kept for display.
const NAME_MAX_CHARS: usize = 120;

#[derive(Debug, Default)]
pub struct MessageForm {
    /// A new thread: the recipient key ("provider-12", "pool-billing").
    pub to: String,
    /// A reply: the thread id.
    pub thread: String,
    pub subject: String,
    pub body: String,
    pub key: String,
    /// "Contact customer service" on a guarantor account: the account's id (or empty).
    pub account: String,
    pub files: Vec<Upload>,
}

#[derive(Debug)]
pub struct Upload {
    pub name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

pub async fn read(form: Multipart<'static>) -> Result<MessageForm, AppError> {
    let (mut text, files) = read_form(form, &["to", "thread", "subject", "body", "key", "account"]).await?;
    let mut take = |name: &str| text.remove(name).unwrap_or_default();
    Ok(MessageForm {
        to: take("to"),
        thread: take("thread"),
        subject: take("subject"),
        body: take("body"),
        key: take("key"),
        account: take("account"),
        files,
    })
}

/// How many files a form may carry, how large each may be, and what to say past that.
#[derive(Debug, Clone, Copy)]
pub struct FileLimits {
    pub files: usize,
    pub bytes_per_file: usize,
    pub too_big: Problem,
}

/// A message's (and a proxy form's) attachments.
pub const MESSAGE_FILES: FileLimits = FileLimits {
    files: ATTACHMENTS_MAX,
    bytes_per_file: ATTACHMENT_MAX_BYTES,
    too_big: Problem::MessagesAttachmentTooBig,
};

/// Reads any form with files: the text fields named in `fields` (another name is refused)
/// and up to `ATTACHMENTS_MAX` files from fields named "attachment", checked as above.
/// Errors about files are for the field "attachments".
pub async fn read_form(
    form: Multipart<'static>,
    fields: &[&str],
) -> Result<(std::collections::HashMap<String, String>, Vec<Upload>), AppError> {
    read_form_within(form, fields, MESSAGE_FILES).await
}

/// `read_form` with other limits on the files (a document staff post: one, up to 20 MB).
pub async fn read_form_within(
    mut form: Multipart<'static>,
    fields: &[&str],
    limits: FileLimits,
) -> Result<(std::collections::HashMap<String, String>, Vec<Upload>), AppError> {
    let broken = |error| broken(error, limits.too_big);
    let mut text = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Some(mut field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "attachment" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                if bytes.len() + chunk.len() > limits.bytes_per_file {
                    return Err(AppError::invalid("attachments", limits.too_big));
                }
                bytes.extend_from_slice(&chunk);
            }
            // A file input left empty still sends an empty part.
            if bytes.is_empty() && file_name.is_empty() {
                continue;
            }
            if files.len() == limits.files {
                return Err(AppError::invalid("attachments", Problem::MessagesTooManyAttachments));
            }
            files.push(Upload { name: display_name(&file_name), media_type: sniff(&bytes)?, bytes });
            continue;
        }
        if !fields.contains(&name.as_str()) {
            return Err(AppError::invalid("form", Problem::BadRequest));
        }
        let value = read_text(field, limits.too_big).await?;
        text.insert(name, value);
    }
    Ok((text, files))
}

async fn read_text(mut field: multer::Field<'static>, too_big: Problem) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| broken(e, too_big))? {
        if bytes.len() + chunk.len() > TEXT_FIELD_MAX_BYTES {
            // Far past any limit: say which field (the page's own check says it first).
            let field_name = field.name().unwrap_or("form").to_owned();
            let problem = match field_name.as_str() {
                "subject" => Problem::MessagesSubjectTooLong,
                "body" => Problem::MessagesBodyTooLong,
                _ => Problem::BadRequest,
            };
            return Err(AppError::invalid(&field_name, problem));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| AppError::invalid("form", Problem::BadRequest))
}

/// The type from the file's first bytes; the name and the browser's claim are ignored.
fn sniff(bytes: &[u8]) -> Result<&'static str, AppError> {
    let found = infer::get(bytes).map(|kind| kind.mime_type());
    ACCEPTED_TYPES
        .into_iter()
        .find(|accepted| Some(*accepted) == found)
        .ok_or_else(|| AppError::invalid("attachments", Problem::MessagesAttachmentType))
}

/// The name to show: no path, no control characters, bounded. Never used as a path or
/// in a header.
fn display_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(NAME_MAX_CHARS).collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() {
        "attachment".to_owned()
    } else {
        clean
    }
}

fn broken(error: multer::Error, too_big: Problem) -> AppError {
    match error {
        // The whole request went past the path's cap (server/src/middleware.rs).
        multer::Error::StreamReadFailed(_) | multer::Error::StreamSizeExceeded { .. } => {
            AppError::invalid("attachments", too_big)
        }
        _ => AppError::invalid("form", Problem::BadRequest),
    }
}

#[cfg(test)]
mod tests {
    use super::{display_name, sniff};

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(), "image/png");
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF\0").unwrap(), "image/jpeg");
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3").unwrap(), "application/pdf");
        for refused in
            [&b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..], b"<html><script>", b"MZ\x90\0", b""]
        {
            assert!(sniff(refused).is_err());
        }
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(display_name("C:\\Users\\me\\rash.jpg"), "rash.jpg");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("a\r\nb.pdf"), "ab.pdf");
        assert_eq!(display_name(""), "attachment");
    }
}
