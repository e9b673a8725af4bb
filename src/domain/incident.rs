//! Rules for incidents: their text, and timestamps that must tell a coherent story.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{IncidentStatus, Severity, incident};
use sea_orm::ActiveEnum;
use uuid::Uuid;

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 10_000;

/// How far in the future a recorded time may lie, to allow for clock skew and scheduling.
pub const FUTURE_TOLERANCE: TimeDelta = TimeDelta::days(1);

/// The lifecycle times of an incident, in the order they must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Timeline {
    /// Checks that `started ≤ detected ≤ mitigated ≤ resolved` (skipping absent times), that
    /// nothing lies more than a day ahead of `now`, and that `resolvedAt` is present exactly
    /// when the status is RESOLVED.
    pub fn validate(&self, status: IncidentStatus, now: DateTime<Utc>) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let stages = [
            ("startedAt", Some(self.started_at)),
            ("detectedAt", self.detected_at),
            ("mitigatedAt", self.mitigated_at),
            ("resolvedAt", self.resolved_at),
        ];
        let mut previous: Option<(&str, DateTime<Utc>)> = None;
        for (field, at) in stages {
            let Some(at) = at else { continue };
            if let Err(error) = super::time::in_range(field, at) {
                errors.push(error);
                continue;
            }
            if at > now + FUTURE_TOLERANCE {
                errors.push(FieldError::new(
                    field,
                    FieldErrorCode::Invalid,
                    format!("{field} is more than a day in the future"),
                ));
            }
            if let Some((earlier_field, earlier)) = previous
                && at < earlier
            {
                errors.push(FieldError::new(
                    field,
                    FieldErrorCode::OutOfOrder,
                    format!("{field} must not be earlier than {earlier_field}"),
                ));
            }
            previous = Some((field, at));
        }
        match (status, self.resolved_at) {
            (IncidentStatus::Resolved, None) => errors.push(FieldError::new(
                "resolvedAt",
                FieldErrorCode::Invalid,
                "a RESOLVED incident needs resolvedAt",
            )),
            (status, Some(_)) if status != IncidentStatus::Resolved => {
                errors.push(FieldError::new(
                    "resolvedAt",
                    FieldErrorCode::Invalid,
                    "resolvedAt is only set on a RESOLVED incident",
                ))
            }
            _ => {}
        }
        errors
    }
}

/// The human reference of an incident number, e.g. `INC-42`.
pub fn reference(number: i64) -> String {
    format!("INC-{number}")
}

/// Parses `INC-42` (any case) back into 42.
pub fn parse_reference(reference: &str) -> Option<i64> {
    let (prefix, number) = reference.trim().split_once('-')?;
    if !prefix.eq_ignore_ascii_case("INC") {
        return None;
    }
    number.parse().ok().filter(|n| *n > 0)
}

/// Checks an incident title.
pub fn title(value: &str) -> Result<String, FieldError> {
    text::required("title", value, TITLE_MAX)
}

/// Checks an incident summary (Markdown, may be empty).
pub fn summary(value: &str) -> Result<String, FieldError> {
    text::bounded("summary", value, SUMMARY_MAX)
}

/// A new incident, its text already validated.
pub struct NewIncident {
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub timeline: Timeline,
    pub service_ids: Vec<Uuid>,
}

/// Changes to an incident, made against the `version` the editor saw; `None` keeps a value.
#[derive(Default)]
pub struct IncidentChanges {
    pub version: i32,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<IncidentStatus>,
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<Option<DateTime<Utc>>>,
    pub mitigated_at: Option<Option<DateTime<Utc>>>,
    pub resolved_at: Option<Option<DateTime<Utc>>>,
    pub service_ids: Option<Vec<Uuid>>,
}

/// What an incident update decides from, read in the updating transaction.
pub struct UpdateFacts<'a> {
    pub old: &'a incident::Model,
    /// Whether its post-mortem is shared with clients (PUBLISHED or REVIEWED).
    pub shared: bool,
    /// The refusals of services that do not exist in the tenant.
    pub unknown_services: Vec<FieldError>,
    pub now: DateTime<Utc>,
}

/// Decides an update: the incident as it will be stored (next version), or every reason it
/// is refused. A shared post-mortem keeps its incident RESOLVED.
pub fn update(
    facts: UpdateFacts,
    changes: &IncidentChanges,
) -> Result<incident::Model, Vec<FieldError>> {
    let old = facts.old;
    if old.version != changes.version {
        return Err(vec![conflict(changes.version)]);
    }
    let timeline = Timeline {
        started_at: changes.started_at.unwrap_or(old.started_at),
        detected_at: changes.detected_at.unwrap_or(old.detected_at),
        mitigated_at: changes.mitigated_at.unwrap_or(old.mitigated_at),
        resolved_at: changes.resolved_at.unwrap_or(old.resolved_at),
    };
    let status = changes.status.unwrap_or(old.status);
    let mut errors = timeline.validate(status, facts.now);
    let reopens = status != IncidentStatus::Resolved && old.status == IncidentStatus::Resolved;
    if reopens && facts.shared {
        errors.push(FieldError::new(
            "status",
            FieldErrorCode::Invalid,
            "the post-mortem is published, so the incident stays RESOLVED; unpublish it first",
        ));
    }
    errors.extend(facts.unknown_services);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(incident::Model {
        title: changes.title.clone().unwrap_or_else(|| old.title.clone()),
        summary: changes
            .summary
            .clone()
            .unwrap_or_else(|| old.summary.clone()),
        severity: changes.severity.unwrap_or(old.severity),
        status,
        started_at: timeline.started_at,
        detected_at: timeline.detected_at,
        mitigated_at: timeline.mitigated_at,
        resolved_at: timeline.resolved_at,
        version: old.version + 1,
        updated_at: facts.now,
        ..old.clone()
    })
}

/// A version conflict on the incident the caller read at `read`.
pub fn conflict(read: i32) -> FieldError {
    FieldError::new(
        "version",
        FieldErrorCode::Conflict,
        format!(
            "the incident was changed by someone else since version {read}; reload it and apply your edit again"
        ),
    )
}

/// The audit diff of an incident created (`old` is `None`: with its number) or changed.
pub fn changes(old: Option<&incident::Model>, new: &incident::Model) -> Changes {
    let changes = match old {
        None => Changes::default().set("number", &new.number),
        Some(_) => Changes::default(),
    };
    changes
        .field("title", old, new, |i| i.title.clone())
        .field("summary", old, new, |i| i.summary.clone())
        .field("severity", old, new, |i| i.severity.to_value())
        .field("status", old, new, |i| i.status.to_value())
        .field("startedAt", old, new, |i| i.started_at)
        .field("detectedAt", old, new, |i| i.detected_at)
        .field("mitigatedAt", old, new, |i| i.mitigated_at)
        .field("resolvedAt", old, new, |i| i.resolved_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, hour, 0, 0).unwrap()
    }

    fn timeline(detected: Option<u32>, mitigated: Option<u32>, resolved: Option<u32>) -> Timeline {
        Timeline {
            started_at: at(1),
            detected_at: detected.map(at),
            mitigated_at: mitigated.map(at),
            resolved_at: resolved.map(at),
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, FieldErrorCode)> {
        errors
            .iter()
            .map(|e| (e.field[0].as_str(), e.code))
            .collect()
    }

    #[test]
    fn ordered_times_pass() {
        let errors = timeline(Some(2), Some(3), Some(4)).validate(IncidentStatus::Resolved, at(5));
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_detection_before_the_start_is_out_of_order() {
        let mut t = timeline(None, None, None);
        t.detected_at = Some(at(0));
        assert_eq!(
            codes(&t.validate(IncidentStatus::Investigating, at(5))),
            [("detectedAt", FieldErrorCode::OutOfOrder)]
        );
    }

    #[test]
    fn skipped_stages_still_compare_with_the_latest_present_one() {
        let errors = timeline(Some(3), None, Some(2)).validate(IncidentStatus::Resolved, at(5));
        assert_eq!(codes(&errors), [("resolvedAt", FieldErrorCode::OutOfOrder)]);
    }

    #[test]
    fn resolved_needs_resolved_at_and_only_resolved_has_it() {
        let missing = timeline(None, None, None).validate(IncidentStatus::Resolved, at(5));
        assert_eq!(codes(&missing), [("resolvedAt", FieldErrorCode::Invalid)]);
        let extra = timeline(None, None, Some(4)).validate(IncidentStatus::Monitoring, at(5));
        assert_eq!(codes(&extra), [("resolvedAt", FieldErrorCode::Invalid)]);
    }

    #[test]
    fn times_more_than_a_day_ahead_are_refused() {
        let t = timeline(None, None, None);
        assert_eq!(
            codes(&t.validate(IncidentStatus::Investigating, at(1) - TimeDelta::days(2))),
            [("startedAt", FieldErrorCode::Invalid)]
        );
    }

    #[test]
    fn references_round_trip() {
        assert_eq!(reference(42), "INC-42");
        assert_eq!(parse_reference("inc-42"), Some(42));
        assert_eq!(parse_reference("INC-0"), None);
        assert_eq!(parse_reference("BUG-1"), None);
        assert_eq!(parse_reference("INC-x"), None);
    }
}
