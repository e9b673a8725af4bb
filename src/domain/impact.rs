//! Rules for a client's impact.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, TimeDelta, Utc};
use entity::client_impact;
use sea_orm::ActiveEnum;

pub const DESCRIPTION_MAX: usize = 5_000;

pub fn description(value: &str) -> Result<String, FieldError> {
    text::bounded("description", value, DESCRIPTION_MAX)
}

/// The impact may not end before it starts.
pub fn window(
    started_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
) -> Result<(), FieldError> {
    match ended_at {
        Some(end) if end < started_at => Err(FieldError::new(
            "endedAt",
            FieldErrorCode::OutOfOrder,
            "endedAt must not be earlier than startedAt",
        )),
        _ => Ok(()),
    }
}

/// How long the client was affected; `None` while it goes on.
pub fn duration(started_at: DateTime<Utc>, ended_at: Option<DateTime<Utc>>) -> Option<TimeDelta> {
    ended_at.map(|end| end - started_at)
}

/// A duration as people read it: `2 h 30 min`, `45 min`, `3 d 4 h`.
pub fn human_duration(duration: TimeDelta) -> String {
    let minutes = duration.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let parts: Vec<String> = [(days, "d"), (hours, "h"), (mins, "min")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "under a minute".to_owned()
    } else {
        parts.join(" ")
    }
}

/// The refusal of an impact on a client account the tenant does not have.
pub fn unknown_client() -> FieldError {
    FieldError::new(
        "clientId",
        FieldErrorCode::NotFound,
        "no such client account",
    )
}

/// The refusal of removing an impact the incident does not have.
pub fn no_impact() -> FieldError {
    FieldError::new(
        "clientId",
        FieldErrorCode::NotFound,
        "this client has no impact on this incident",
    )
}

/// The audit diff of an impact set for the first time (`old` is `None`) or changed.
pub fn changes(old: Option<&client_impact::Model>, new: &client_impact::Model) -> Changes {
    let changes = match old {
        None => Changes::default()
            .set("incidentId", &new.incident_id)
            .set("clientId", &new.client_id),
        Some(_) => Changes::default(),
    };
    changes
        .field("level", old, new, |i| i.level.to_value())
        .field("description", old, new, |i| i.description.clone())
        .field("startedAt", old, new, |i| i.started_at)
        .field("endedAt", old, new, |i| i.ended_at)
}

/// The audit diff of a removed impact.
pub fn removed(old: &client_impact::Model) -> Changes {
    Changes::default()
        .removed("clientId", &old.client_id)
        .removed("description", &old.description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impact_cannot_end_before_it_starts() {
        let start = Utc::now();
        assert!(window(start, None).is_ok());
        assert!(window(start, Some(start)).is_ok());
        assert!(window(start, Some(start - TimeDelta::minutes(1))).is_err());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(TimeDelta::minutes(150)), "2 h 30 min");
        assert_eq!(human_duration(TimeDelta::minutes(45)), "45 min");
        assert_eq!(human_duration(TimeDelta::hours(76)), "3 d 4 h");
        assert_eq!(human_duration(TimeDelta::seconds(20)), "under a minute");
    }
}
