//! Rules for what arrives from a form, shared by every capability: text trimmed and
//! bounded in characters (not bytes), and the shape of an idempotency key.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::problem::Problem;

/// Names as a form sends them: `names=a,b` (the app's calls) or one checkbox each,
/// `names[]=a&names[]=b` (a plain form post); either way one comma-separated string for
/// the capability to check against its own list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameList(pub String);

impl NameList {
    /// The names, trimmed, without empty ones.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.split(',').map(str::trim).filter(|s| !s.is_empty())
    }
}

impl Serialize for NameList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for NameList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> serde::de::Visitor<'de> for Names {
            type Value = NameList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("names, comma-separated or one per value")
            }
            fn visit_str<E: serde::de::Error>(self, names: &str) -> Result<NameList, E> {
                Ok(NameList(names.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<NameList, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(NameList(names.join(",")))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<NameList, E> {
                Ok(NameList::default())
            }
        }
        deserializer.deserialize_any(Names)
    }
}

/// Trimmed text within `max` characters. `required` is the field's problem when it is empty
/// (None: it may be), `too_long` its problem past `max`.
pub fn bounded(
    text: &str,
    max: usize,
    required: Option<Problem>,
    too_long: Problem,
) -> Result<String, Problem> {
    let text = text.trim();
    if let (Some(problem), true) = (required, text.is_empty()) {
        return Err(problem);
    }
    if text.chars().count() > max {
        return Err(too_long);
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
    use super::{bounded, IdempotencyKey, Problem};

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        let (empty, long) = (Some(Problem::RenewalPharmacyRequired), Problem::RenewalPharmacyTooLong);
        assert_eq!(bounded("  CVS Main St ", 120, empty, long).as_deref(), Ok("CVS Main St"));
        assert_eq!(bounded("   ", 120, empty, long), Err(Problem::RenewalPharmacyRequired));
        assert_eq!(bounded("", 120, None, long).as_deref(), Ok(""));
        assert_eq!(bounded(&"x".repeat(121), 120, empty, long), Err(Problem::RenewalPharmacyTooLong));
        assert!(bounded(&"é".repeat(120), 120, empty, long).is_ok(), "characters, not bytes");
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
