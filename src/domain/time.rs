//! Time handling shared by every record.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Timestamps are kept to the microsecond, the precision both databases store, so a value
/// reads back exactly as it was written on SQLite and PostgreSQL alike.
pub fn to_storage_precision(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

/// The current time at storage precision.
pub fn now() -> DateTime<Utc> {
    to_storage_precision(Utc::now())
}
