//! Email notifications: who is told of which event, what each email says, when a daily
//! digest is due, and what follows a sending attempt. Emails hold references, titles, times
//! and links; a client's email adds only what that client's own copy of the documents shows.

use super::document::sanitised_html;
use super::webhook::{self, Backoff, Next, Response};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{EmailStatus, EventType, Role};
use std::fmt::Write;
use std::time::Duration;
use uuid::Uuid;

/// The `kind` of a digest message.
pub const DIGEST_KIND: &str = "digest";
/// Events older than this when the worker first reads them are not mailed: turning email on
/// does not send the backlog the event table still holds.
pub const MAX_AGE: TimeDelta = TimeDelta::hours(24);

/// Who an email goes to: a user, or a client's contact address (no user behind it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    User(Uuid),
    Client(Uuid),
}

impl Recipient {
    /// The stored form: `user:<uuid>` or `client:<uuid>`.
    pub fn key(self) -> String {
        match self {
            Self::User(id) => format!("user:{id}"),
            Self::Client(id) => format!("client:{id}"),
        }
    }

    /// The recipient a stored key names.
    pub fn parse(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "user" => Some(Self::User(id)),
            "client" => Some(Self::Client(id)),
            _ => None,
        }
    }
}

/// Who an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The contact addresses and CLIENT users of the clients the event concerns.
    Clients,
    /// The tenant's ADMIN and EDITOR users: those who act on it.
    Staff,
}

/// Who is told of an event of this type; `None` for the types nobody is mailed about.
pub fn audience(event_type: EventType) -> Option<Audience> {
    use EventType as E;
    match event_type {
        E::PostMortemPublished | E::PostMortemReviewed | E::FeedbackReplied => {
            Some(Audience::Clients)
        }
        E::FeedbackSubmitted
        | E::FeedbackOverdue
        | E::MeasureOverdue
        | E::ReviewDue
        | E::PostMortemDue => Some(Audience::Staff),
        _ => None,
    }
}

/// Whether users of this role receive notifications (and so have preferences): ADMIN and
/// EDITOR (staff who act) and CLIENT. VIEWER and REPORTER only read.
pub fn receives(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Editor | Role::Client)
}

/// An email's subject and bodies, before its unsubscribe footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    /// Plain text (Markdown).
    pub text: String,
    /// Sanitised HTML.
    pub html: String,
}

impl Notice {
    /// A notice whose HTML is its Markdown text, rendered and sanitised.
    pub fn from_markdown(subject: String, text: String) -> Self {
        let html = sanitised_html(&text);
        Self {
            subject,
            text,
            html,
        }
    }
}

/// What an incident is called in an email: `INC-12: Checkout outage`.
pub fn headline(reference: &str, title: &str) -> String {
    format!("{reference}: {}", title.trim())
}

/// The staff email for a time-driven or feedback event about `headline`; `when` is the
/// deadline or the event's time, already written in the tenant's zone.
pub fn staff_notice(event_type: EventType, headline: &str, when: &str) -> Notice {
    use EventType as E;
    let (subject, line) = match event_type {
        E::FeedbackSubmitted => (
            "New client question",
            format!("A client asked a question at {when}."),
        ),
        E::FeedbackOverdue => (
            "Client question awaiting an answer",
            format!("A client question has had no answer since {when}."),
        ),
        E::MeasureOverdue => (
            "Prevention measure overdue",
            format!("A prevention measure was due on {when} and is not done."),
        ),
        E::ReviewDue => (
            "Effectiveness review due",
            format!("The effectiveness review was due at {when}."),
        ),
        E::PostMortemDue => (
            "Post-mortem due",
            format!("The post-mortem was due at {when} and is still a draft."),
        ),
        _ => ("Update", format!("Something changed at {when}.")),
    };
    let text = format!("# {subject}\n\n**{headline}**\n\n{line}\n\nOpen Debrief to act on it.\n");
    Notice::from_markdown(format!("{subject}: {headline}"), text)
}

/// A client's email: `intro` above the client's own copy of a document (`document`, in
/// Markdown), from `provider`.
pub fn client_notice(
    provider: &str,
    subject: &str,
    headline: &str,
    intro: &str,
    document: &str,
) -> Notice {
    let mut text = String::new();
    let _ = writeln!(text, "{intro}\n");
    if !document.trim().is_empty() {
        let _ = writeln!(text, "{}\n", document.trim_end());
    }
    let _ = writeln!(text, "— {}", provider.trim());
    Notice::from_markdown(format!("{subject}: {headline}"), text)
}

/// One email gathering `items` (each an earlier notice), for the day that ended at `due`.
pub fn digest(items: &[Notice], day: &str) -> Notice {
    let mut text = format!("# Your Debrief digest for {day}\n\n");
    for item in items {
        let _ = writeln!(text, "## {}\n", item.subject);
        let _ = writeln!(text, "{}\n", demote(&item.text).trim_end());
    }
    let subject = match items.len() {
        1 => format!("Debrief digest for {day}: 1 notification"),
        n => format!("Debrief digest for {day}: {n} notifications"),
    };
    Notice::from_markdown(subject, text)
}

/// Markdown headings pushed two levels down, so a gathered item sits under its own heading.
fn demote(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| {
            if line.starts_with('#') {
                format!("##{line}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bodies as sent: the notice, then the unsubscribe link.
pub fn with_footer(notice: &Notice, unsubscribe_url: &str) -> (String, String) {
    let text = format!(
        "{}\n\n--\nYou receive this because you are signed up for Debrief notifications. \
         Unsubscribe: {unsubscribe_url}\n",
        notice.text.trim_end()
    );
    let link = format!(
        "<hr><p>You receive this because you are signed up for Debrief notifications. \
         <a href=\"{url}\">Unsubscribe</a></p>",
        url = escape(unsubscribe_url),
    );
    (text, format!("{}\n{link}\n", notice.html))
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// When a digest holding something queued at `at` is due: the end of the period it falls in,
/// periods counted from the Unix epoch. With the default period of a day, the next 00:00 UTC.
pub fn digest_due_at(at: DateTime<Utc>, period: Duration) -> DateTime<Utc> {
    let period = period.as_micros().max(1) as i64;
    let micros = at.timestamp_micros();
    let end = (micros.div_euclid(period) + 1).saturating_mul(period);
    DateTime::from_timestamp_micros(end).unwrap_or(at)
}

/// How a sending attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Accepted.
    Accepted,
    /// Refused for good (an SMTP 5xx): retrying would not help.
    Rejected,
    /// Refused for now (4xx), or no answer: try again later.
    Deferred,
}

/// A message's status, next attempt and failure count after an attempt that went `sent`,
/// after `failures` earlier failures, on the webhooks' retry schedule.
pub fn after_send(
    sent: Sent,
    failures: i32,
    now: DateTime<Utc>,
    backoff: Backoff,
) -> (EmailStatus, Option<DateTime<Utc>>, i32) {
    match sent {
        Sent::Accepted => (EmailStatus::Sent, None, failures),
        Sent::Rejected => (EmailStatus::GaveUp, None, failures + 1),
        Sent::Deferred => {
            let steps = u32::try_from(failures).unwrap_or(u32::MAX);
            match webhook::after_attempt(Response::None, steps, None, now, backoff) {
                Next::RetryAt(when) => (EmailStatus::Failed, Some(when), failures + 1),
                _ => (EmailStatus::GaveUp, None, failures + 1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn recipients_round_trip_through_their_keys() {
        let id = Uuid::now_v7();
        for recipient in [Recipient::User(id), Recipient::Client(id)] {
            assert_eq!(Recipient::parse(&recipient.key()), Some(recipient));
        }
        assert_eq!(Recipient::parse("team:x"), None);
        assert_eq!(Recipient::parse("user:nope"), None);
    }

    #[test]
    fn clients_hear_of_publication_answers_and_reviews_and_staff_of_the_rest() {
        assert_eq!(
            audience(EventType::PostMortemPublished),
            Some(Audience::Clients)
        );
        assert_eq!(
            audience(EventType::FeedbackReplied),
            Some(Audience::Clients)
        );
        assert_eq!(
            audience(EventType::FeedbackSubmitted),
            Some(Audience::Staff)
        );
        assert_eq!(audience(EventType::MeasureOverdue), Some(Audience::Staff));
        assert_eq!(audience(EventType::IncidentUpdated), None);
        assert!(!receives(Role::Viewer) && !receives(Role::Reporter));
    }

    #[test]
    fn a_digest_is_due_when_its_period_ends() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 17, 30, 0).unwrap();
        let day = Duration::from_secs(24 * 3600);
        assert_eq!(
            digest_due_at(at, day),
            Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn deferred_sends_follow_the_webhook_schedule_and_rejections_stop() {
        let now = Utc::now();
        let backoff = Backoff {
            scale: 1.0,
            jitter: 0.0,
        };
        let (status, next, failures) = after_send(Sent::Deferred, 0, now, backoff);
        assert_eq!((status, failures), (EmailStatus::Failed, 1));
        assert_eq!(next, Some(now + TimeDelta::seconds(5)));
        assert_eq!(
            after_send(Sent::Deferred, 7, now, backoff).0,
            EmailStatus::GaveUp
        );
        assert_eq!(
            after_send(Sent::Rejected, 0, now, backoff).0,
            EmailStatus::GaveUp
        );
        assert_eq!(
            after_send(Sent::Accepted, 2, now, backoff).0,
            EmailStatus::Sent
        );
    }

    #[test]
    fn the_footer_carries_an_escaped_unsubscribe_link() {
        let notice = Notice::from_markdown("S".into(), "Body".into());
        let (text, html) = with_footer(&notice, "http://x/unsubscribe/a&b");
        assert!(text.contains("Unsubscribe: http://x/unsubscribe/a&b"));
        assert!(html.contains("href=\"http://x/unsubscribe/a&amp;b\""));
    }
}
