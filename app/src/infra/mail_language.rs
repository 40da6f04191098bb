//! The language an e-mail is written in. Portico writes its e-mails in English and in
//! Spanish (the languages of its pages): the recipient's preferred language (Personal
//! information) when it is one of those; for a mail about the person's own action (a code
//! they asked for, a password they changed) without one, the language of the page they
//! used; else English.
use super::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailLanguage {
    English,
    Spanish,
}

/// An e-mail's subject and text, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailText {
    pub subject: &'static str,
    pub body: String,
}

impl MailLanguage {
    /// "es", "es-MX", "en-US" → the language; a language Portico does not write → None.
    pub fn from_tag(tag: &str) -> Option<MailLanguage> {
        match tag.trim().split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
            "en" => Some(MailLanguage::English),
            "es" => Some(MailLanguage::Spanish),
            _ => None,
        }
    }

    /// The page language of the request being served: its language cookie, else the first
    /// language of Accept-Language that Portico writes; English outside a request.
    pub fn of_request() -> MailLanguage {
        let Some(parts) = super::request_parts() else { return MailLanguage::English };
        let chosen = parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|cookies| crate::ui::language::cookie_value(cookies, crate::ui::language::LANG_COOKIE))
            .and_then(MailLanguage::from_tag);
        let accepted = || {
            let header = parts.headers.get(http::header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            header.split(',').find_map(|entry| MailLanguage::from_tag(entry.split(';').next()?))
        };
        chosen.or_else(accepted).unwrap_or(MailLanguage::English)
    }

    /// The preferred language on `user_id`'s own chart, when Portico writes it.
    pub async fn preferred(db: &Db, user_id: i64) -> Result<Option<MailLanguage>, sqlx::Error> {
        let tag: Option<Option<String>> = sqlx::query_scalar(
            "SELECT p.language FROM users u JOIN patients p ON p.id = u.patient_id WHERE u.id = $1",
        )
        .bind(user_id)
        .fetch_optional(&db.read)
        .await?;
        Ok(tag.flatten().as_deref().and_then(MailLanguage::from_tag))
    }

    /// For a mail about someone else's doing (a notice): preferred, else English.
    pub async fn of_user(db: &Db, user_id: i64) -> Result<MailLanguage, sqlx::Error> {
        Ok(MailLanguage::preferred(db, user_id).await?.unwrap_or(MailLanguage::English))
    }

    /// For a mail about the person's own action: preferred, else the page they used.
    pub async fn of_own_action(db: &Db, user_id: i64) -> Result<MailLanguage, sqlx::Error> {
        Ok(MailLanguage::preferred(db, user_id).await?.unwrap_or_else(MailLanguage::of_request))
    }
}

#[cfg(test)]
mod tests {
    use super::MailLanguage;

    #[test]
    fn tags_name_the_languages_portico_writes() {
        assert_eq!(MailLanguage::from_tag("es-MX"), Some(MailLanguage::Spanish));
        assert_eq!(MailLanguage::from_tag("EN_us"), Some(MailLanguage::English));
        assert_eq!(MailLanguage::from_tag("vi"), None);
        assert_eq!(MailLanguage::from_tag(""), None);
    }
}
