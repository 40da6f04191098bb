//! A file sent as a download: its type, a server-chosen file name and `attachment`
//! disposition (the security middleware adds no-store and nosniff). Never shown inline in
//! our origin: a file is only ever what its bytes say.
use leptos::prelude::use_context;
use server_fn::codec::ByteStream;

use crate::error::AppError;

pub fn file(file_name: &str, media_type: &str, bytes: Vec<u8>) -> ByteStream<AppError> {
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
    }
    ByteStream::new(futures::stream::once(async move { Ok::<_, AppError>(bytes) }))
}
