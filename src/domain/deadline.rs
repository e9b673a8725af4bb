//! When the time-driven events fall due. Each deadline is a pure function of the subject's
//! stored facts, so every worker computes the same one and the database can keep it unique.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// A measure is overdue once its committed due date has passed: at the start of the next
/// day, UTC.
pub fn measure_overdue_at(committed_due_on: NaiveDate) -> DateTime<Utc> {
    let next_day = committed_due_on
        .succ_opt()
        .unwrap_or(committed_due_on)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    next_day.and_utc()
}

/// A SEV1/SEV2 post-mortem falls due `due_days` after its incident was resolved.
pub fn post_mortem_due_at(resolved_at: DateTime<Utc>, due_days: i32) -> DateTime<Utc> {
    resolved_at + TimeDelta::days(i64::from(due_days))
}

/// A thread is overdue `sla_hours` after it was opened, if no staff answer came.
pub fn feedback_overdue_at(opened_at: DateTime<Utc>, sla_hours: i32) -> DateTime<Utc> {
    opened_at + TimeDelta::hours(i64::from(sla_hours))
}

/// The last day a measure may still be due and not yet overdue at `now`.
pub fn overdue_before(now: DateTime<Utc>) -> NaiveDate {
    now.date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measure_is_overdue_from_the_day_after_its_due_date() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        let overdue = measure_overdue_at(due);
        assert_eq!(overdue.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert!(due < overdue_before(overdue));
        assert!(due >= overdue_before(overdue - TimeDelta::seconds(1)));
    }

    #[test]
    fn post_mortem_and_feedback_deadlines_add_the_tenants_settings() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(post_mortem_due_at(at, 5) - at, TimeDelta::days(5));
        assert_eq!(feedback_overdue_at(at, 48) - at, TimeDelta::hours(48));
    }
}
