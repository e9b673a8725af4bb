//! Cooling off: hold the client meeting once emotions have cooled, and only after the written
//! summary is prepared and shared.

use super::{Finding, FindingCode, Snapshot, Target};
use chrono::TimeDelta;
use entity::PostMortemStatus;

pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let Some(meeting) = s.post_mortem.meeting_at else {
        return vec![];
    };
    let mut findings = Vec::new();
    let hours = s.settings.cooling_off_hours;
    let too_soon = match s.resolved_at {
        Some(resolved) => {
            let earliest = resolved + TimeDelta::hours(i64::from(hours));
            (meeting < earliest).then(|| {
                format!(
                    "The meeting is less than {hours} h after resolution; hold it on or after {} so emotions have cooled.",
                    earliest.format("%Y-%m-%d %H:%M UTC")
                )
            })
        }
        None => Some("The incident is not resolved yet; hold the meeting once it is and emotions have cooled.".to_owned()),
    };
    if let Some(message) = too_soon {
        findings.push(Finding::warning(
            FindingCode::MeetingTooSoon,
            Target::PostMortem("meetingAt"),
            message,
        ));
    }
    let summary_first = match (s.post_mortem.status, s.post_mortem.published_at) {
        (PostMortemStatus::Draft, _) | (_, None) => false,
        (_, Some(published)) => published <= meeting,
    };
    if !summary_first {
        findings.push(Finding::warning(
            FindingCode::MeetingBeforeSummary,
            Target::PostMortem("meetingAt"),
            "The written summary is not published before the meeting; prepare and share it first.",
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, at, codes};
    use super::super::{Severity, check, meeting_findings};
    use super::*;

    fn published(meeting_day: u32, meeting_hour: u32) -> crate::domain::readiness::Snapshot {
        let mut s = sample::ready();
        s.post_mortem.status = PostMortemStatus::Published;
        s.post_mortem.published_at = Some(at(2026, 3, 2, 9));
        s.post_mortem.meeting_at = Some(at(2026, 3, meeting_day, meeting_hour));
        s
    }

    #[test]
    fn no_meeting_means_no_cooling_off_findings() {
        assert_eq!(meeting_findings(&sample::ready()), vec![]);
    }

    #[test]
    fn a_meeting_inside_the_cooling_off_period_warns() {
        // Resolved 2026-03-01 11:00; 48 h later is 2026-03-03 11:00.
        let s = published(3, 10);
        let findings = check(&s);
        assert_eq!(codes(&s), [FindingCode::MeetingTooSoon]);
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(
            findings[0].message.contains("2026-03-03 11:00 UTC"),
            "{findings:?}"
        );
        assert_eq!(codes(&published(3, 11)), [], "exactly at the end is fine");
    }

    #[test]
    fn the_tenants_hours_set_the_period() {
        let mut s = published(2, 12);
        s.settings.cooling_off_hours = 24;
        assert_eq!(codes(&s), []);
        s.settings.cooling_off_hours = 72;
        assert_eq!(codes(&s), [FindingCode::MeetingTooSoon]);
    }

    #[test]
    fn a_meeting_while_the_summary_is_a_draft_or_before_publication_warns() {
        let mut s = sample::ready();
        s.post_mortem.meeting_at = Some(at(2026, 3, 5, 9));
        assert_eq!(codes(&s), [FindingCode::MeetingBeforeSummary]);
        let mut s = published(5, 9);
        s.post_mortem.published_at = Some(at(2026, 3, 6, 9));
        assert_eq!(codes(&s), [FindingCode::MeetingBeforeSummary]);
    }

    #[test]
    fn a_meeting_before_resolution_is_too_soon() {
        let mut s = sample::ready();
        s.resolved_at = None;
        s.incident_status = entity::IncidentStatus::Monitoring;
        s.post_mortem.meeting_at = Some(at(2026, 3, 5, 9));
        assert_eq!(
            meeting_findings(&s)
                .iter()
                .map(|f| f.code)
                .collect::<Vec<_>>(),
            [
                FindingCode::MeetingTooSoon,
                FindingCode::MeetingBeforeSummary
            ]
        );
    }
}
