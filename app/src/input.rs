//! Rules for what arrives from a form, shared by every capability: text trimmed and
//! bounded in characters (not bytes), and the shape of an idempotency key.

/// Trimmed text within `max` characters, or the error key's last part: "required" or
/// "too_long" (the caller prefixes its field: "messages.body_too_long").
pub fn bounded(text: &str, max: usize, required: bool) -> Result<String, &'static str> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err("required");
    }
    if text.chars().count() > max {
        return Err("too_long");
    }
    Ok(text.to_owned())
}

/// An idempotency key as the browser makes them (ui::form::idempotency_key): 16–64
/// letters, digits and dashes.
pub fn is_idempotency_key(key: &str) -> bool {
    (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::{bounded, is_idempotency_key};

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(bounded("  CVS Main St ", 120, true).as_deref(), Ok("CVS Main St"));
        assert_eq!(bounded("   ", 120, true), Err("required"));
        assert_eq!(bounded("", 120, false).as_deref(), Ok(""));
        assert_eq!(bounded(&"x".repeat(121), 120, true), Err("too_long"));
        assert!(bounded(&"é".repeat(120), 120, true).is_ok(), "characters, not bytes");
    }

    #[test]
    fn keys_have_one_shape() {
        assert!(is_idempotency_key("abcdef0123456789-x"));
        assert!(!is_idempotency_key("short"));
        assert!(!is_idempotency_key("abcdef0123456789 x"));
        assert!(!is_idempotency_key("s8.0-abcdef0123456789"));
    }
}
