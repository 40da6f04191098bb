//! Words that suggest an emergency, in every language Portico speaks. A message containing
//! one is interrupted before sending with the 911 / 988 guidance; the patient may still send
//! it. Every list is checked whatever the page's language: people write in their own.
//!
//! Kept in this one place, so a clinic's reviewers can read (and extend) the whole list.

/// English phrases, as typed (matched whole-word, ignoring case and punctuation).
const ENGLISH: &[&str] = &[
    "chest pain",
    "chest pains",
    "chest pressure",
    "can't breathe",
    "cannot breathe",
    "can not breathe",
    "cant breathe",
    "trouble breathing",
    "not breathing",
    "short of breath",
    "heart attack",
    "stroke",
    "face drooping",
    "seizure",
    "unconscious",
    "passed out",
    "severe bleeding",
    "bleeding heavily",
    "won't stop bleeding",
    "overdose",
    "overdosed",
    "suicide",
    "suicidal",
    "kill myself",
    "end my life",
    "want to die",
    "hurt myself",
    "self harm",
    "anaphylaxis",
    "throat closing",
];

/// Spanish phrases.
const SPANISH: &[&str] = &[
    "dolor de pecho",
    "dolor en el pecho",
    "no puedo respirar",
    "dificultad para respirar",
    "falta de aire",
    "ataque al corazón",
    "infarto",
    "derrame cerebral",
    "convulsión",
    "convulsiones",
    "inconsciente",
    "me desmayé",
    "sangrado grave",
    "sangrado abundante",
    "sobredosis",
    "suicidio",
    "suicidarme",
    "matarme",
    "quitarme la vida",
    "quiero morir",
    "hacerme daño",
    "anafilaxia",
];

pub const LISTS: &[(&str, &[&str])] = &[("en", ENGLISH), ("es", SPANISH)];

/// True when `text` contains a phrase of any list.
pub fn suggests_emergency(text: &str) -> bool {
    let text = normalize(text);
    LISTS.iter().flat_map(|(_, phrases)| phrases.iter()).any(|phrase| text.contains(&normalize(phrase)))
}

/// Lower case, curly apostrophes made straight, every other non-letter a single space,
/// with a space at each end so phrases match whole words only ("stroke", not "strokes").
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c == '\u{2019}' { '\'' } else { c };
        if c.is_alphanumeric() || c == '\'' {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::suggests_emergency;

    #[test]
    fn emergencies_are_recognised_in_any_language_and_form() {
        for text in [
            "I have CHEST PAIN since this morning",
            "I can’t breathe well",
            "thinking about suicide.",
            "my son took an overdose",
            "tengo dolor de pecho",
            "No puedo respirar",
        ] {
            assert!(suggests_emergency(text), "{text}");
        }
    }

    #[test]
    fn ordinary_questions_pass() {
        for text in [
            "Can I get my flu shot on Friday?",
            "Question about my bill",
            "The strokes of my tennis racket",
            "painless chest x-ray copy please",
            "¿Puedo cambiar mi cita?",
        ] {
            assert!(!suggests_emergency(text), "{text}");
        }
    }
}
