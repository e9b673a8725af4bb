//! Rules for timeline entries.

use super::changes::Changes;
use super::incident::FUTURE_TOLERANCE;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, Utc};
use entity::timeline_event;
use sea_orm::ActiveEnum;

/// Longest timeline body, in characters of Markdown.
pub const BODY_MAX: usize = 10_000;

pub fn body(value: &str) -> Result<String, FieldError> {
    text::required("body", value, BODY_MAX)
}

/// An entry may not precede the incident's start, nor lie more than a day ahead of `now`.
pub fn occurred_at(
    at: DateTime<Utc>,
    incident_started_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    if at < incident_started_at {
        return Err(FieldError::new(
            "occurredAt",
            FieldErrorCode::OutOfOrder,
            "occurredAt must not be earlier than the incident's startedAt",
        ));
    }
    if at > now + FUTURE_TOLERANCE {
        return Err(FieldError::new(
            "occurredAt",
            FieldErrorCode::Invalid,
            "occurredAt is more than a day in the future",
        ));
    }
    Ok(at)
}

/// The audit diff of an entry created (`old` is `None`) or changed.
pub fn changes(old: Option<&timeline_event::Model>, new: &timeline_event::Model) -> Changes {
    let changes = match old {
        None => Changes::default().set("incidentId", &new.incident_id),
        Some(_) => Changes::default(),
    };
    changes
        .field("occurredAt", old, new, |e| e.occurred_at)
        .field("kind", old, new, |e| e.kind.to_value())
        .field("body", old, new, |e| e.body.clone())
        .field("visibility", old, new, |e| e.visibility.to_value())
}

/// The audit diff of a deleted entry.
pub fn deleted(old: &timeline_event::Model) -> Changes {
    Changes::default()
        .removed("body", &old.body)
        .removed("occurredAt", &old.occurred_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn entries_must_fall_between_the_start_and_tomorrow() {
        let start = Utc::now() - TimeDelta::days(3);
        let now = Utc::now();
        assert!(occurred_at(start, start, now).is_ok());
        assert_eq!(
            occurred_at(start - TimeDelta::seconds(1), start, now)
                .unwrap_err()
                .code,
            FieldErrorCode::OutOfOrder
        );
        assert!(occurred_at(now + TimeDelta::hours(23), start, now).is_ok());
        assert_eq!(
            occurred_at(now + TimeDelta::hours(25), start, now)
                .unwrap_err()
                .code,
            FieldErrorCode::Invalid
        );
    }

    #[test]
    fn bodies_are_required_and_bounded() {
        assert!(body(&"x".repeat(BODY_MAX)).is_ok());
        assert_eq!(
            body(&"x".repeat(BODY_MAX + 1)).unwrap_err().code,
            FieldErrorCode::TooLong
        );
        assert_eq!(body("  ").unwrap_err().code, FieldErrorCode::Blank);
    }
}
