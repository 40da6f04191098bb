//! Outgoing mail through lettre: SMTP when configured, else .eml files in a folder (the
//! demo's outbox). Callers pass only non-PHI text: mails say *that* something happened.
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox },
    Dir { transport: AsyncFileTransport<Tokio1Executor>, from: Mailbox },
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad address: {0}")]
    Address(String),
    #[error("could not send: {0}")]
    Send(String),
}

/// Mail in clear text can be read on the way: the URL must use TLS (`smtps://`, or
/// `smtp://…?tls=required` for STARTTLS; `tls=opportunistic` accepts a downgrade and must be
/// asked for by name too) or say in so many words that it does not (`?tls=none`, for a
/// relay on this machine). A bare `smtp://host` is refused at start-up. Returns the URL
/// lettre reads (without our `tls=none`).
pub fn smtp_url_with_tls_stated(url: &str) -> Result<String, MailError> {
    let mut parsed = url::Url::parse(url).map_err(|e| MailError::Send(format!("PORTICO_SMTP_URL: {e}")))?;
    let tls = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
    match (parsed.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required" | "opportunistic")) => Ok(url.to_owned()),
        ("smtp", Some("none")) => {
            let kept: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(k, _)| k != "tls")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed.set_query(None);
            if !kept.is_empty() {
                parsed.query_pairs_mut().extend_pairs(kept);
            }
            Ok(parsed.to_string())
        }
        ("smtp", _) => Err(MailError::Send(
            "PORTICO_SMTP_URL sends mail without TLS: use smtps://, or smtp://…?tls=required \
             (STARTTLS), or add ?tls=none to say that clear text is meant (a relay on this machine)"
                .into(),
        )),
        (other, _) => Err(MailError::Send(format!("PORTICO_SMTP_URL: unknown scheme {other}"))),
    }
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, dir: &std::path::Path, from: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse().map_err(|e| MailError::Address(format!("{e}")))?;
        match smtp_url {
            Some(url) => {
                let url = smtp_url_with_tls_stated(url)?;
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    .map_err(|e| MailError::Send(e.to_string()))?
                    .timeout(Some(std::time::Duration::from_secs(10)))
                    .build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => {
                std::fs::create_dir_all(dir).map_err(|e| MailError::Send(e.to_string()))?;
                Ok(Mailer::Dir { transport: AsyncFileTransport::new(dir), from })
            }
        }
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|e| MailError::Address(format!("{e}")))?;
        let from = match self {
            Mailer::Smtp { from, .. } | Mailer::Dir { from, .. } => from.clone(),
        };
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError::Address(e.to_string()))?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map(|_| ()).map_err(|e| MailError::Send(e.to_string()))
            }
            Mailer::Dir { transport, .. } => {
                transport.send(message).await.map(|_| ()).map_err(|e| MailError::Send(e.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::smtp_url_with_tls_stated as checked;

    #[test]
    fn clear_text_smtp_must_be_asked_for() {
        assert!(checked("smtp://mail.example.org:25").is_err());
        assert!(checked("smtp://mail.example.org?tls=sometimes").is_err());
        assert!(checked("http://mail.example.org").is_err());
        assert_eq!(checked("smtps://u:p@mail.example.org").unwrap(), "smtps://u:p@mail.example.org");
        assert!(checked("smtp://mail.example.org:587?tls=required").is_ok());
        assert!(checked("smtp://mail.example.org:587?tls=opportunistic").is_ok());
        assert_eq!(checked("smtp://127.0.0.1:2525?tls=none").unwrap(), "smtp://127.0.0.1:2525");
    }
}
