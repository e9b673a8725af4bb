//! Time handling shared by every record.

use super::{FieldError, FieldErrorCode};
use chrono::{DateTime, DurationRound, TimeDelta, TimeZone, Utc};

/// Timestamps are kept to the microsecond, the precision both databases store, so a value
/// reads back exactly as it was written on SQLite and PostgreSQL alike.
pub fn to_storage_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

/// The current time at storage precision.
pub fn now() -> DateTime<Utc> {
    to_storage_precision(Utc::now())
}

/// The earliest time Debrief stores: nothing it records predates 1970.
pub fn earliest() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The latest time Debrief stores.
pub fn latest() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Refuses times both databases cannot order and store alike (before 1970 or after 9999).
pub fn in_range(field: &str, at: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    if at < earliest() || at > latest() {
        return Err(FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!("{field} must lie between 1970 and 9999"),
        ));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_outside_1970_to_9999_are_refused() {
        assert!(
            in_range(
                "at",
                Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap()
            )
            .is_err()
        );
        assert!(in_range("at", earliest()).is_ok());
        assert!(in_range("at", Utc::now()).is_ok());
        assert!(in_range("at", Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap()).is_err());
    }
}
