//! Email notifications: each pass visits every tenant, turns the events after its mark into
//! messages, gathers the digests that fell due, and sends what is due, retrying failures on
//! the webhooks' schedule. Off (it only waits for shutdown) unless an SMTP URL or a folder
//! is configured.

use crate::auth;
use crate::domain::notification::{self as rules, Notice, Recipient};
use crate::domain::time;
use crate::domain::webhook::Backoff;
use crate::error::AppResult;
use crate::notifications::NotificationSettings;
use crate::notifications::compose::messages_for;
use crate::notifications::mailer::{Mailer, Outgoing};
use crate::repo::notifications::outbox::{EmailAttemptRecord, EmailNext};
use crate::repo::{Scope, tenants};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{EmailStatus, NotificationMode, email_message};
use lettre::message::Mailbox;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::time::Duration;
use uuid::Uuid;

/// Events read per statement.
const FAN_OUT_BATCH: u64 = 100;
/// Due messages read per tenant and pass.
const DUE_BATCH: u64 = 50;
/// How long a claim outlives the SMTP conversation, so a worker that dies mid-send gives
/// its message up soon after.
const CLAIM_MARGIN: Duration = Duration::from_secs(15);
/// The shortest pause between two passes that commits woke.
const COMMIT_COALESCING: Duration = Duration::from_millis(20);

/// Everything one pass needs.
struct Post<'a> {
    db: &'a DatabaseConnection,
    settings: &'a NotificationSettings,
    mailer: &'a Mailer,
    from: &'a Mailbox,
    public_url: &'a url::Url,
}

/// Sends notifications until `shutdown` completes; `public_url` is where unsubscribe links
/// point.
pub async fn run(
    db: DatabaseConnection,
    settings: NotificationSettings,
    public_url: url::Url,
    shutdown: impl Future<Output = ()>,
) {
    let mailer = match Mailer::new(&settings) {
        Ok(Some(mailer)) => mailer,
        Ok(None) => return shutdown.await,
        Err(error) => {
            tracing::error!(%error, "email notifications cannot start");
            return shutdown.await;
        }
    };
    let from: Mailbox = match settings.from.parse() {
        Ok(from) => from,
        Err(error) => {
            tracing::error!(%error, "--smtp-from is not an email address");
            return shutdown.await;
        }
    };
    let post = Post {
        db: &db,
        settings: &settings,
        mailer: &mailer,
        from: &from,
        public_url: &public_url,
    };
    let mut committed = crate::repo::events::commits();
    tokio::pin!(shutdown);
    loop {
        // Stopping drops a pass mid-way: its transactions roll back, and a message whose
        // sending was cut short is sent again once its claim expires (at least once).
        tokio::select! {
            biased;
            () = &mut shutdown => return,
            passed = post.pass() => {
                if let Err(error) = passed {
                    tracing::warn!(%error, "email pass failed; trying again");
                }
            }
        }
        let looked = tokio::time::Instant::now();
        tokio::select! {
            () = &mut shutdown => return,
            _ = committed.changed() => {
                tokio::time::sleep_until(looked + COMMIT_COALESCING).await;
            }
            () = tokio::time::sleep(settings.poll_interval) => {}
        }
    }
}

impl Post<'_> {
    async fn pass(&self) -> AppResult<()> {
        for tenant_id in tenants::ids(self.db).await? {
            let scope = Scope::background(self.db.clone(), auth::operator(tenant_id));
            self.fan_out(&scope).await?;
            self.gather_digests(&scope).await?;
            self.send_due(&scope).await?;
        }
        Ok(())
    }

    /// Queues the messages of every event after the tenant's mark.
    async fn fan_out(&self, scope: &Scope) -> AppResult<()> {
        loop {
            let (mark, events) = scope.events_to_notify(FAN_OUT_BATCH).await?;
            let Some(last) = events.last().map(|e| e.position) else {
                return Ok(());
            };
            let now = time::now();
            let mut messages = Vec::new();
            for event in &events {
                messages.extend(
                    messages_for(self.db, scope, event, now, self.settings.digest_period).await?,
                );
            }
            if !scope.queue_emails(mark, last, messages).await? {
                return Ok(());
            }
        }
    }

    /// Turns each recipient's due digest items into one message.
    async fn gather_digests(&self, scope: &Scope) -> AppResult<()> {
        let now = time::now();
        let items = scope.digest_items_due(now).await?;
        let mut start = 0;
        while start < items.len() {
            let recipient = &items[start].recipient;
            let end = items[start..]
                .iter()
                .position(|m| &m.recipient != recipient)
                .map_or(items.len(), |n| start + n);
            let group = &items[start..end];
            start = end;
            let ids: Vec<Uuid> = group.iter().map(|m| m.id).collect();
            scope.queue_digest(digest_of(group, now), &ids).await?;
        }
        Ok(())
    }

    /// Sends what is due, each message claimed first.
    async fn send_due(&self, scope: &Scope) -> AppResult<()> {
        for message in scope.due_emails(time::now(), DUE_BATCH).await? {
            let Some(recipient) = Recipient::parse(&message.recipient) else {
                continue;
            };
            let now = time::now();
            let claim =
                TimeDelta::from_std(self.settings.timeout + CLAIM_MARGIN).unwrap_or(TimeDelta::MAX);
            if !scope.claim_email(&message, now + claim).await? {
                continue;
            }
            let message = email_message::Model {
                next_attempt_at: Some(now + claim),
                ..message
            };
            let modes = scope.notification_modes(&[recipient]).await?;
            if modes.get(&recipient) == Some(&NotificationMode::Off) {
                let dropped = EmailNext {
                    status: EmailStatus::GaveUp,
                    next_attempt_at: None,
                    failures: message.failures,
                };
                scope
                    .record_email_attempt(&message, None, dropped, now)
                    .await?;
                continue;
            }
            self.send(scope, &message, recipient, now).await?;
        }
        Ok(())
    }

    async fn send(
        &self,
        scope: &Scope,
        message: &email_message::Model,
        recipient: Recipient,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let token = scope.unsubscribe_token_issue(recipient).await?;
        let unsubscribe_url = self
            .public_url
            .join(&format!("unsubscribe/{token}"))
            .map_or_else(
                |_| format!("{}unsubscribe/{token}", self.public_url),
                String::from,
            );
        let notice = Notice {
            subject: message.subject.clone(),
            text: message.text_body.clone(),
            html: message.html_body.clone(),
        };
        let (text, html) = rules::with_footer(&notice, &unsubscribe_url);
        let outgoing = Outgoing {
            id: message.id,
            to: &message.address,
            subject: &message.subject,
            text,
            html,
            unsubscribe_url: &unsubscribe_url,
        };
        let attempt = self.mailer.send(self.from, outgoing).await;
        let backoff = Backoff {
            scale: self.settings.retry_scale,
            jitter: rand::random_range(-1.0..=1.0),
        };
        let (status, next_attempt_at, failures) =
            rules::after_send(attempt.sent, message.failures, now, backoff);
        if let Some(error) = &attempt.error {
            tracing::warn!(message = %message.id, error, "sending an email failed");
        }
        let record = EmailAttemptRecord {
            at: now,
            reply_code: attempt.reply_code,
            duration_ms: attempt.duration_ms,
            error: attempt.error,
        };
        let next = EmailNext {
            status,
            next_attempt_at,
            failures,
        };
        scope
            .record_email_attempt(message, Some(record), next, time::now())
            .await
    }
}

/// One recipient's digest of `items` (all theirs, in position order), queued at `now`.
fn digest_of(items: &[email_message::Model], now: DateTime<Utc>) -> email_message::Model {
    let notices: Vec<Notice> = items
        .iter()
        .map(|m| Notice {
            subject: m.subject.clone(),
            text: m.text_body.clone(),
            html: m.html_body.clone(),
        })
        .collect();
    // The day the digest gathered: the one its due time ends.
    let day = items
        .iter()
        .filter_map(|m| m.digest_due_at)
        .max()
        .map_or(now, |due| due - TimeDelta::microseconds(1))
        .format("%Y-%m-%d")
        .to_string();
    let digest = rules::digest(&notices, &day);
    let last = &items[items.len() - 1];
    email_message::Model {
        tenant_id: last.tenant_id,
        id: Uuid::now_v7(),
        event_id: None,
        position: last.position,
        recipient: last.recipient.clone(),
        address: last.address.clone(),
        kind: rules::DIGEST_KIND.to_owned(),
        subject: digest.subject,
        text_body: digest.text,
        html_body: digest.html,
        digest_due_at: None,
        digest_id: None,
        status: EmailStatus::Pending,
        attempt_count: 0,
        failures: 0,
        next_attempt_at: Some(now),
        created_at: now,
        updated_at: now,
    }
}
