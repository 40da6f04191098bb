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

impl Mailer {
    pub fn new(smtp_url: Option<&str>, dir: &std::path::Path, from: &str) -> Result<Mailer, MailError> {
        let from: Mailbox = from.parse().map_err(|e| MailError::Address(format!("{e}")))?;
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
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
