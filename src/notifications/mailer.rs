//! Sending one message: multipart/alternative (plain text and sanitised HTML) with a
//! `List-Unsubscribe` header, over SMTP (`lettre`), or written to a folder as `.eml`.

use super::NotificationSettings;
use crate::domain::notification::Sent;
use anyhow::Context;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Instant;

/// Where messages go.
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

/// One message as it leaves.
pub struct Outgoing<'a> {
    /// Names the `.eml` file in a folder.
    pub id: uuid::Uuid,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: String,
    pub html: String,
    pub unsubscribe_url: &'a str,
}

/// How one attempt went, as it is kept.
pub struct Attempt {
    pub sent: Sent,
    pub reply_code: Option<u16>,
    pub duration_ms: i32,
    pub error: Option<String>,
}

/// The `List-Unsubscribe` header (RFC 2369): the link, in angle brackets.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

impl Mailer {
    /// The mailer the settings ask for; `None` when email is off.
    pub fn new(settings: &NotificationSettings) -> anyhow::Result<Option<Self>> {
        if let Some(url) = &settings.smtp_url {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .context("DEBRIEF_SMTP_URL is not a valid smtp:// or smtps:// URL")?
                .timeout(Some(settings.timeout))
                .build();
            return Ok(Some(Self::Smtp(transport)));
        }
        Ok(settings.email_dir.clone().map(Self::Folder))
    }

    /// Sends one message from `from`.
    pub async fn send(&self, from: &Mailbox, outgoing: Outgoing<'_>) -> Attempt {
        let started = Instant::now();
        let result = self.try_send(from, &outgoing).await;
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match result {
            Ok(()) => Attempt {
                sent: Sent::Accepted,
                reply_code: None,
                duration_ms,
                error: None,
            },
            Err(Failure { sent, code, error }) => Attempt {
                sent,
                reply_code: code,
                duration_ms,
                error: Some(error),
            },
        }
    }

    async fn try_send(&self, from: &Mailbox, outgoing: &Outgoing<'_>) -> Result<(), Failure> {
        let message = build(from, outgoing)?;
        match self {
            Self::Smtp(transport) => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(error) => Err(Failure {
                    sent: if error.is_permanent() {
                        Sent::Rejected
                    } else {
                        Sent::Deferred
                    },
                    code: error
                        .status()
                        .and_then(|code| code.to_string().parse().ok()),
                    error: excerpt(&error.to_string()),
                }),
            },
            Self::Folder(dir) => {
                let path = dir.join(format!("{}.eml", outgoing.id));
                tokio::fs::create_dir_all(dir)
                    .await
                    .and(tokio::fs::write(&path, message.formatted()).await)
                    .map_err(|error| Failure {
                        sent: Sent::Deferred,
                        code: None,
                        error: excerpt(&format!("writing {}: {error}", path.display())),
                    })
            }
        }
    }
}

struct Failure {
    sent: Sent,
    code: Option<u16>,
    error: String,
}

/// The message; an address that does not parse is refused for good.
fn build(from: &Mailbox, outgoing: &Outgoing<'_>) -> Result<Message, Failure> {
    let rejected = |why: String| Failure {
        sent: Sent::Rejected,
        code: None,
        error: excerpt(&why),
    };
    let to: Mailbox = outgoing
        .to
        .parse()
        .map_err(|e| rejected(format!("recipient address: {e}")))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(outgoing.subject)
        .header(ListUnsubscribe(outgoing.unsubscribe_url.to_owned()))
        .multipart(MultiPart::alternative_plain_html(
            outgoing.text.clone(),
            outgoing.html.clone(),
        ))
        .map_err(|e| rejected(format!("building the message: {e}")))
}

/// At most 1,000 characters of an error, as the attempt log keeps it.
fn excerpt(text: &str) -> String {
    text.chars().take(1000).collect()
}
