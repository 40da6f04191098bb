//! A file sent as a download: its type, a server-chosen file name and `attachment`
//! disposition (the security middleware adds no-store and nosniff). Never shown inline in
//! our origin: a file is only ever what its bytes say.
use leptos::prelude::use_context;
use server_fn::codec::ByteStream;

use crate::error::AppError;

pub fn file(file_name: &str, media_type: &str, bytes: Vec<u8>) -> ByteStream<AppError> {
    set_headers(file_name, media_type, None);
    ByteStream::new(futures::stream::once(async move { Ok::<_, AppError>(bytes) }))
}

/// A file sent as the pieces it is stored in, `byte_size` bytes in all (said up front, so
/// the browser shows the download's progress).
pub fn pieces<S>(file_name: &str, media_type: &str, byte_size: i64, pieces: S) -> ByteStream<AppError>
where
    S: futures::Stream<Item = Result<Vec<u8>, AppError>> + Send + 'static,
{
    set_headers(file_name, media_type, Some(byte_size));
    ByteStream::new(pieces)
}

fn set_headers(file_name: &str, media_type: &str, byte_size: Option<i64>) {
    use http::{header, HeaderValue};
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        // A browser's own form post (the activation letter's print button) would otherwise
        // be answered with leptos_axum's redirect back to the page, and no file: the status
        // set here is applied after it (a 200 ignores the Location left beside it).
        response.set_status(http::StatusCode::OK);
        if let Ok(value) = HeaderValue::from_str(media_type) {
            response.insert_header(header::CONTENT_TYPE, value);
        }
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
            response.insert_header(header::CONTENT_DISPOSITION, value);
        }
        if let Some(length) = byte_size.and_then(|n| HeaderValue::from_str(&n.to_string()).ok()) {
            response.insert_header(header::CONTENT_LENGTH, length);
        }
    }
}
