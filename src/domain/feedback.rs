//! Rules for client feedback: its text, the confidence rating, and how a thread's status moves.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{FeedbackStatus, feedback, feedback_reply};
use sea_orm::ActiveEnum;

/// Longest feedback body or reply.
pub const BODY_MAX: usize = 5_000;

pub fn body(value: &str) -> Result<String, FieldError> {
    text::required("body", value, BODY_MAX)
}

/// "How confident are you this will not happen again?", from 1 to 5.
pub fn confidence(value: i32) -> Result<i32, FieldError> {
    if (1..=5).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            "confidence",
            FieldErrorCode::Invalid,
            "confidence is a rating from 1 to 5",
        ))
    }
}

/// The status after a reply: the first staff answer moves OPEN to ANSWERED, and the client
/// following up on an answer reopens it.
pub fn after_reply(status: FeedbackStatus, from_staff: bool) -> FeedbackStatus {
    match (status, from_staff) {
        (FeedbackStatus::Open, true) => FeedbackStatus::Answered,
        (FeedbackStatus::Answered, false) => FeedbackStatus::Open,
        (status, _) => status,
    }
}

/// Whether a thread still waits for its first staff answer past the tenant's SLA.
pub fn overdue(
    status: FeedbackStatus,
    first_response_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    sla_hours: i32,
    now: DateTime<Utc>,
) -> bool {
    status == FeedbackStatus::Open
        && first_response_at.is_none()
        && now > created_at + TimeDelta::hours(i64::from(sla_hours))
}

/// Whether a thread may take a reply (or be closed): not once it is closed.
pub fn open(status: FeedbackStatus, closing: bool) -> Result<(), FieldError> {
    match (status, closing) {
        (FeedbackStatus::Closed, false) => Err(closed("this thread is closed")),
        (FeedbackStatus::Closed, true) => Err(closed("this thread is already closed")),
        _ => Ok(()),
    }
}

fn closed(message: &str) -> FieldError {
    FieldError::new("feedbackId", FieldErrorCode::Invalid, message)
}

/// The audit diff of a new thread.
pub fn submitted(new: &feedback::Model) -> Changes {
    Changes::default()
        .set("incidentId", &new.incident_id)
        .set("kind", &new.kind.to_value())
        .set("body", &new.body)
        .set("confidence", &new.confidence)
}

/// The audit diff of a reply and what it did to the thread.
pub fn replied(
    old: &feedback::Model,
    new: &feedback::Model,
    reply: &feedback_reply::Model,
) -> Changes {
    status_changes(old, new).set("reply", &reply.body).diff(
        "firstResponseAt",
        &old.first_response_at,
        &new.first_response_at,
    )
}

/// The audit diff of a thread's status change (closing it).
pub fn status_changes(old: &feedback::Model, new: &feedback::Model) -> Changes {
    Changes::default().diff("status", &old.status.to_value(), &new.status.to_value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use FeedbackStatus::*;

    #[test]
    fn replies_move_the_thread() {
        assert_eq!(after_reply(Open, true), Answered);
        assert_eq!(after_reply(Answered, false), Open);
        assert_eq!(after_reply(Answered, true), Answered);
        assert_eq!(after_reply(Open, false), Open);
    }

    #[test]
    fn confidence_is_one_to_five() {
        assert!(confidence(0).is_err());
        assert!(confidence(6).is_err());
        assert_eq!(confidence(3).unwrap(), 3);
    }

    #[test]
    fn a_thread_is_overdue_only_while_open_and_unanswered_past_the_sla() {
        let created = Utc::now() - TimeDelta::hours(49);
        let now = Utc::now();
        assert!(overdue(Open, None, created, 48, now));
        assert!(!overdue(Open, None, created, 72, now));
        assert!(!overdue(Answered, None, created, 48, now));
        assert!(!overdue(Open, Some(created), created, 48, now));
        assert!(!overdue(Closed, None, created, 48, now));
    }

    #[test]
    fn bodies_are_one_to_five_thousand_characters() {
        assert!(body("").is_err());
        assert!(body(&"x".repeat(5_000)).is_ok());
        assert!(body(&"x".repeat(5_001)).is_err());
    }
}
