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
/// letters, digits and dashes. Parsed once where the form arrives; the stores take only
/// this type, so no unchecked string is ever stored as a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key, or None when it is not of the one shape.
    pub fn parse(key: &str) -> Option<IdempotencyKey> {
        let shaped =
            (16..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        shaped.then(|| IdempotencyKey(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::{bounded, IdempotencyKey};

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
        let key = |k: &str| IdempotencyKey::parse(k).map(|k| k.as_str().to_owned());
        assert_eq!(key("abcdef0123456789-x").as_deref(), Some("abcdef0123456789-x"));
        assert_eq!(key("short"), None);
        assert_eq!(key("abcdef0123456789 x"), None);
        assert_eq!(key("s8.0-abcdef0123456789"), None);
        assert_eq!(key(&"a".repeat(65)), None);
    }
}
