//! Shared interface pieces: layouts, navigation, the idle timer, form fields, notices.
pub mod errors;
pub mod form;
pub mod idle_timer;
pub mod language;
pub mod layout;
pub mod lazy_page;
pub mod loaded;
pub mod notices;
pub mod session_channel;
