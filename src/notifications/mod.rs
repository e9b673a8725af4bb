//! Email notifications: how they are configured, what each says ([`compose`]), and how they
//! leave ([`mailer`]: SMTP through `lettre`, or `.eml` files in a folder for development).
//! The worker that drives them is `worker::email`; see docs/NOTIFICATIONS.md.

pub mod compose;
pub mod mailer;

use std::path::PathBuf;
use std::time::Duration;

/// The sender address when `--smtp-from` is not set.
pub const DEFAULT_FROM: &str = "Debrief <debrief@localhost>";

/// How notifications are sent. Neither an SMTP URL nor a folder: no email is sent, and the
/// event table is not read for them.
#[derive(Clone)]
pub struct NotificationSettings {
    /// `smtp://host:port`, `smtp://…?tls=required` or `smtps://user:pass@host`; may hold
    /// credentials, so it is never logged.
    pub smtp_url: Option<String>,
    /// Write each message as an `.eml` file here instead of sending it (development).
    pub email_dir: Option<PathBuf>,
    /// The `From:` of every message.
    pub from: String,
    /// How long a digest gathers: a day (digests leave at 00:00 UTC); tests shorten it.
    pub digest_period: Duration,
    /// Multiplies every pause of the retry schedule (the webhooks' schedule).
    pub retry_scale: f64,
    /// How long one SMTP conversation may take.
    pub timeout: Duration,
    /// How often the worker looks for work it was not woken for.
    pub poll_interval: Duration,
}

impl NotificationSettings {
    /// Whether email is on at all.
    pub fn enabled(&self) -> bool {
        self.smtp_url.is_some() || self.email_dir.is_some()
    }
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            email_dir: None,
            from: DEFAULT_FROM.to_owned(),
            digest_period: Duration::from_secs(24 * 3600),
            retry_scale: 1.0,
            timeout: Duration::from_secs(30),
            poll_interval: Duration::from_secs(1),
        }
    }
}

impl std::fmt::Debug for NotificationSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotificationSettings")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("email_dir", &self.email_dir)
            .field("from", &self.from)
            .field("digest_period", &self.digest_period)
            .field("retry_scale", &self.retry_scale)
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}
