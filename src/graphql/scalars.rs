//! Scalars the API adds to GraphQL's own.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate, SecondsFormat, Utc};

/// A point in time (GraphQL `DateTime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub chrono::DateTime<Utc>);

/// A point in time: an RFC 3339 timestamp. Outputs are always in UTC with a `Z` and six
/// fractional digits (microseconds, the precision times are stored at), e.g.
/// `2026-11-25T09:00:00.000000Z`; inputs may use any offset and precision, and are stored
/// to the microsecond.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Timestamp {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(|time| Timestamp(time.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(
                        "a DateTime is an RFC 3339 timestamp, e.g. 2026-11-25T09:00:00Z",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

impl From<chrono::DateTime<Utc>> for Timestamp {
    fn from(time: chrono::DateTime<Utc>) -> Self {
        Self(time)
    }
}

/// A calendar day (GraphQL `Date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar day, written `YYYY-MM-DD` (RFC 3339's `full-date`), between 1970 and 9999.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|day| (1970..=9999).contains(&day.year()))
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom("a Date is written YYYY-MM-DD, between 1970 and 9999")
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_in_any_offset_is_written_in_utc_with_microseconds() {
        for (input, output) in [
            ("2026-11-25T09:00:00Z", "2026-11-25T09:00:00.000000Z"),
            ("2026-11-25T10:30:00.5+01:00", "2026-11-25T09:30:00.500000Z"),
            (
                "2026-11-25T09:00:00.123456789Z",
                "2026-11-25T09:00:00.123456Z",
            ),
        ] {
            let parsed = Timestamp::parse(Value::String(input.into())).expect(input);
            assert_eq!(parsed.to_value(), Value::String(output.into()), "{input}");
        }
        for bad in ["2026-11-25", "2026-11-25 09:00:00", "yesterday"] {
            assert!(
                Timestamp::parse(Value::String(bad.into())).is_err(),
                "{bad}"
            );
        }
    }
}
