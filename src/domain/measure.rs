//! Rules for prevention measures: their text, tracker links and status moves.

use super::{FieldError, FieldErrorCode, text};
use entity::MeasureStatus;

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
