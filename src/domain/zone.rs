//! Time zones: the IANA names tenants and clients choose, and how documents write times in
//! them. Every document states its zone, so a reader never has to guess.

use super::{FieldError, FieldErrorCode};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// The zone a tenant starts with.
pub const DEFAULT: &str = "UTC";

/// An IANA time zone name such as `Europe/Berlin`, as the tz database spells it.
pub fn parse(field: &str, value: &str) -> Result<String, FieldError> {
    let name = value.trim();
    name.parse::<Tz>()
        .map(|zone| zone.name().to_owned())
        .map_err(|_| {
            FieldError::new(
                field,
                FieldErrorCode::Invalid,
                format!("{field} must be an IANA time zone name such as Europe/Berlin or UTC"),
            )
        })
}

/// The zone a document for a reader is written in: the client's when it has one, else the
/// tenant's. A name that no longer parses (a zone withdrawn from the tz database) falls back
/// to UTC rather than failing the document.
pub fn for_reader(tenant_zone: &str, client_zone: Option<&str>) -> Tz {
    client_zone
        .unwrap_or(tenant_zone)
        .parse()
        .unwrap_or(Tz::UTC)
}

/// `2026-03-01 10:00 CET`: the local time and the zone's abbreviation at that instant.
pub fn time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// The calendar day `at` falls on in `zone`.
pub fn day(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// How a document names its zone: `Europe/Berlin`, or `UTC`.
pub fn name(zone: Tz) -> &'static str {
    zone.name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_are_checked_against_the_tz_database() {
        assert_eq!(
            parse("timeZone", " Europe/Berlin ").unwrap(),
            "Europe/Berlin"
        );
        assert_eq!(parse("timeZone", "UTC").unwrap(), "UTC");
        for bad in ["", "Mars/Olympus", "CET'; DROP TABLE", "+02:00"] {
            assert!(parse("timeZone", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_carry_the_zone_abbreviation_and_follow_daylight_saving() {
        let winter = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap();
        let berlin = for_reader("Europe/Berlin", None);
        assert_eq!(time(winter, berlin), "2026-03-01 10:00 CET");
        assert_eq!(time(summer, berlin), "2026-07-01 11:00 CEST");
        assert_eq!(
            time(winter, for_reader("UTC", None)),
            "2026-03-01 09:00 UTC"
        );
    }

    #[test]
    fn the_client_zone_wins_and_a_withdrawn_zone_falls_back_to_utc() {
        assert_eq!(name(for_reader("UTC", Some("Asia/Tokyo"))), "Asia/Tokyo");
        assert_eq!(name(for_reader("Nowhere/Gone", None)), "UTC");
        let late = Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap();
        assert_eq!(
            day(late, for_reader("Asia/Tokyo", None)),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }
}
