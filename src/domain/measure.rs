//! Rules for prevention measures: their text, tracker links and status moves.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{MeasureKind, MeasureStatus, prevention_measure};
use sea_orm::ActiveEnum;
use uuid::Uuid;

/// The field publication freezes a measure's due date into, as its event names it.
pub const COMMITTED_DUE_ON: &str = "committedDueOn";

pub const TITLE_MAX: usize = 200;
pub const TEXT_MAX: usize = 5_000;
pub const OWNER_TEAM_MAX: usize = 200;
pub const URL_MAX: usize = 2_048;

/// A tracker link: an absolute http or https URL.
pub fn tracker_url(value: &str) -> Result<String, FieldError> {
    let value = text::required("trackerUrl", value, URL_MAX)?;
    let invalid = || {
        FieldError::new(
            "trackerUrl",
            FieldErrorCode::Invalid,
            "trackerUrl must be an http or https URL",
        )
    };
    let parsed = url::Url::parse(&value).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid());
    }
    Ok(value)
}

/// Whether a measure may move from `from` to `to`: PLANNED → IN_PROGRESS → DONE, and any
/// status to CANCELLED. CANCELLED is final. Staying put is always allowed.
pub fn can_move(from: MeasureStatus, to: MeasureStatus) -> bool {
    use MeasureStatus::*;
    from == to
        || matches!(
            (from, to),
            (Planned, InProgress) | (InProgress, Done) | (Planned | InProgress | Done, Cancelled)
        )
}

/// Checks a status move, with the reason a cancellation needs.
pub fn status_move(
    from: MeasureStatus,
    to: MeasureStatus,
    cancel_reason: Option<&str>,
) -> Result<(), FieldError> {
    if !can_move(from, to) {
        return Err(FieldError::new(
            "status",
            FieldErrorCode::Invalid,
            format!("a measure cannot move from {} to {}", name(from), name(to)),
        ));
    }
    if to == MeasureStatus::Cancelled
        && from != MeasureStatus::Cancelled
        && cancel_reason.is_none_or(|r| r.trim().is_empty())
    {
        return Err(FieldError::new(
            "cancelReason",
            FieldErrorCode::Blank,
            "cancelling a measure needs a reason",
        ));
    }
    Ok(())
}

fn name(status: MeasureStatus) -> &'static str {
    match status {
        MeasureStatus::Planned => "PLANNED",
        MeasureStatus::InProgress => "IN_PROGRESS",
        MeasureStatus::Done => "DONE",
        MeasureStatus::Cancelled => "CANCELLED",
    }
}

/// Changes to a measure; `None` keeps the current value, `Some(None)` clears it.
#[derive(Default)]
pub struct MeasureChanges {
    pub kind: Option<MeasureKind>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub success_criterion: Option<String>,
    pub owner_team: Option<String>,
    pub due_on: Option<Option<NaiveDate>>,
    pub tracker_url: Option<Option<String>>,
    pub status: Option<MeasureStatus>,
    pub cancel_reason: Option<String>,
    pub addresses: Option<Vec<Uuid>>,
}

/// Decides a measure's update: the status move must be allowed (a cancellation with its
/// reason), and the root causes it addresses its incident's own (`foreign` lists the
/// refusals of any that are not).
pub fn update(
    old: &prevention_measure::Model,
    changes: &MeasureChanges,
    foreign: Vec<FieldError>,
    now: DateTime<Utc>,
) -> Result<prevention_measure::Model, Vec<FieldError>> {
    let status = changes.status.unwrap_or(old.status);
    let mut errors: Vec<FieldError> =
        status_move(old.status, status, changes.cancel_reason.as_deref())
            .err()
            .into_iter()
            .collect();
    errors.extend(foreign);
    if errors.is_empty() {
        Ok(apply(old, changes, now))
    } else {
        Err(errors)
    }
}

/// The measure with `changes` applied at `now` (the status move already checked): DONE
/// stamps `completedAt` once, CANCELLED keeps the first reason, any other status clears both.
fn apply(
    old: &prevention_measure::Model,
    changes: &MeasureChanges,
    now: DateTime<Utc>,
) -> prevention_measure::Model {
    let status = changes.status.unwrap_or(old.status);
    let completed_at = match status {
        MeasureStatus::Done if old.status != MeasureStatus::Done => Some(now),
        MeasureStatus::Done => old.completed_at,
        _ => None,
    };
    let cancel_reason = match status {
        MeasureStatus::Cancelled if old.status != MeasureStatus::Cancelled => {
            changes.cancel_reason.as_ref().map(|r| r.trim().to_owned())
        }
        MeasureStatus::Cancelled => old.cancel_reason.clone(),
        _ => None,
    };
    let pick = |new: &Option<String>, old: &String| new.clone().unwrap_or_else(|| old.clone());
    prevention_measure::Model {
        kind: changes.kind.unwrap_or(old.kind),
        title: pick(&changes.title, &old.title),
        description: pick(&changes.description, &old.description),
        success_criterion: pick(&changes.success_criterion, &old.success_criterion),
        owner_team: pick(&changes.owner_team, &old.owner_team),
        due_on: changes.due_on.unwrap_or(old.due_on),
        tracker_url: changes
            .tracker_url
            .clone()
            .unwrap_or_else(|| old.tracker_url.clone()),
        status,
        completed_at,
        cancel_reason,
        updated_at: now,
        ..old.clone()
    }
}

/// The refusal of deleting a measure whose due date publication committed.
pub fn committed() -> FieldError {
    FieldError::new(
        "id",
        FieldErrorCode::Invalid,
        "a measure committed by publication cannot be deleted; cancel it with a reason instead",
    )
}

/// The audit diff of a new measure and the root causes it addresses.
pub fn created(new: &prevention_measure::Model, addresses: &[Uuid]) -> Changes {
    Changes::default()
        .set("incidentId", &new.incident_id)
        .set("kind", &new.kind.to_value())
        .set("title", &new.title)
        .set("ownerTeam", &new.owner_team)
        .set("dueOn", &new.due_on)
        .set(COMMITTED_DUE_ON, &new.committed_due_on)
        .set("addresses", &addresses)
}

/// The audit diff of a changed measure.
pub fn changes(old: &prevention_measure::Model, new: &prevention_measure::Model) -> Changes {
    let old = Some(old);
    Changes::default()
        .field("kind", old, new, |m| m.kind.to_value())
        .field("title", old, new, |m| m.title.clone())
        .field("description", old, new, |m| m.description.clone())
        .field("successCriterion", old, new, |m| {
            m.success_criterion.clone()
        })
        .field("ownerTeam", old, new, |m| m.owner_team.clone())
        .field("dueOn", old, new, |m| m.due_on)
        .field("trackerUrl", old, new, |m| m.tracker_url.clone())
        .field("status", old, new, |m| m.status.to_value())
        .field("cancelReason", old, new, |m| m.cancel_reason.clone())
}

/// Adds a change of the root causes a measure addresses.
pub fn readdressed(changes: Changes, before: &[Uuid], after: &[Uuid]) -> Changes {
    changes.diff("addresses", &before, &after)
}

/// The audit diff of a deleted measure.
pub fn deleted(old: &prevention_measure::Model) -> Changes {
    Changes::default().removed("title", &old.title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeasureStatus::*;

    #[test]
    fn measures_move_forward_or_are_cancelled() {
        let all = [Planned, InProgress, Done, Cancelled];
        let allowed = [
            (Planned, Planned),
            (Planned, InProgress),
            (Planned, Cancelled),
            (InProgress, InProgress),
            (InProgress, Done),
            (InProgress, Cancelled),
            (Done, Done),
            (Done, Cancelled),
            (Cancelled, Cancelled),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    can_move(from, to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn cancelling_needs_a_reason() {
        assert_eq!(
            status_move(Planned, Cancelled, None).unwrap_err().code,
            FieldErrorCode::Blank
        );
        assert_eq!(
            status_move(Planned, Cancelled, Some(" ")).unwrap_err().code,
            FieldErrorCode::Blank
        );
        assert!(status_move(Planned, Cancelled, Some("superseded by INC-9's fix")).is_ok());
    }

    #[test]
    fn tracker_links_are_http_or_https() {
        assert!(tracker_url("https://tracker.example/ISSUE-1").is_ok());
        assert!(tracker_url("http://tracker.example/1").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x.example/1",
            "not a url",
            "https://",
        ] {
            assert!(tracker_url(bad).is_err(), "{bad}");
        }
    }
}
