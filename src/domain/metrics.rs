//! The parts of reporting metrics that are not SQL: the reporting range, its UTC buckets and
//! how a rate is formed. The figures themselves are computed by the database.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};

/// The longest range one `metrics` call may cover, so a WEEK series stays a chart, not a dump.
pub const MAX_RANGE_DAYS: i64 = 5 * 366;

/// The width of one point of a metrics series. Buckets are UTC calendar periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// ISO weeks, Monday 00:00 UTC to the next Monday.
    Week,
    /// Calendar months, the 1st 00:00 UTC to the next 1st.
    Month,
}

impl Bucket {
    /// The first day of the bucket that holds `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Bucket::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting on `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Week => start + Days::new(7),
            Bucket::Month => start + Months::new(1),
        }
    }
}

/// What the long-format rows of `metrics(groupBy:)` are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The clients an incident impacted: an incident that impacted two counts for each.
    Client,
    /// The services an incident affected: an incident that affected two counts for each.
    Service,
    /// The incident's severity.
    Severity,
    /// The prevention measure's kind.
    Kind,
}

impl GroupBy {
    /// Whether the rows carry incident figures: by client, service and severity.
    pub fn counts_incidents(self) -> bool {
        self != GroupBy::Kind
    }

    /// Whether the rows carry follow-through figures: by client, service and measure kind.
    pub fn counts_follow_through(self) -> bool {
        self != GroupBy::Severity
    }
}

/// A half-open reporting range `[from, to)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Range {
    /// Checks that both ends lie in 1970–9999 (as every stored time does), that `from` comes
    /// before `to`, and that the range is at most [`MAX_RANGE_DAYS`].
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, &'static str> {
        if super::time::in_range("from", from).is_err() || super::time::in_range("to", to).is_err()
        {
            return Err("`from` and `to` must lie between 1970 and 9999");
        }
        if from >= to {
            return Err("`from` must be earlier than `to`");
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            return Err("a metrics range may cover at most five years");
        }
        Ok(Range { from, to })
    }

    /// The start of the range (inclusive).
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The end of the range (exclusive).
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// The calendar days in the range, as a half-open `[first, end)` pair: a day counts when
    /// its 00:00 UTC falls inside the range. Figures filtered on a `Date` use this.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        (
            first_midnight_at_or_after(self.from),
            first_midnight_at_or_after(self.to),
        )
    }

    /// The whole range as one period.
    pub fn whole(&self) -> Period {
        Period {
            start: self.from,
            end: self.to,
        }
    }

    /// The buckets that overlap the range, in order. The first and last may extend beyond
    /// it; only what falls inside the range is counted in them.
    pub fn buckets(&self, bucket: Bucket) -> Vec<Period> {
        let last = self.to - chrono::TimeDelta::microseconds(1);
        let mut start = bucket.start_of(self.from.date_naive());
        let mut periods = Vec::new();
        while start <= last.date_naive() {
            let end = bucket.next(start);
            periods.push(Period {
                start: midnight(start),
                end: midnight(end),
            });
            start = end;
        }
        periods
    }
}

/// One bucket of a series: `[start, end)` in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// The key the database gives this bucket: its first day as `YYYY-MM-DD`.
    pub fn key(&self) -> String {
        self.start.date_naive().to_string()
    }
}

/// `part / whole`, or `None` when `whole` is zero: an empty denominator has no rate.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

fn first_midnight_at_or_after(at: DateTime<Utc>) -> NaiveDate {
    let day = at.date_naive();
    if midnight(day) == at {
        day
    } else {
        day + Days::new(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .expect("valid test time")
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("valid test date")
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        assert_eq!(Bucket::Week.start_of(day("2026-08-02")), day("2026-07-27"));
        assert_eq!(Bucket::Week.start_of(day("2026-07-27")), day("2026-07-27"));
        assert_eq!(Bucket::Month.start_of(day("2026-02-28")), day("2026-02-01"));
        assert_eq!(Bucket::Month.next(day("2026-12-01")), day("2027-01-01"));
    }

    #[test]
    fn buckets_cover_the_range_in_utc() {
        let range = Range::new(at("2026-07-01T00:00:00Z"), at("2026-10-01T00:00:00Z"))
            .expect("valid range");
        let keys: Vec<String> = range
            .buckets(Bucket::Month)
            .iter()
            .map(Period::key)
            .collect();
        assert_eq!(keys, ["2026-07-01", "2026-08-01", "2026-09-01"]);

        let shifted = Range::new(
            at("2026-07-01T00:00:00+02:00"),
            at("2026-07-01T02:00:00+02:00"),
        )
        .expect("valid range");
        let keys: Vec<String> = shifted
            .buckets(Bucket::Month)
            .iter()
            .map(Period::key)
            .collect();
        assert_eq!(keys, ["2026-06-01"]);
    }

    #[test]
    fn a_day_is_in_the_range_when_its_utc_midnight_is() {
        let range = Range::new(at("2026-07-01T00:00:00Z"), at("2026-08-01T00:00:00Z"))
            .expect("valid range");
        assert_eq!(range.days(), (day("2026-07-01"), day("2026-08-01")));
        let late = Range::new(at("2026-07-01T00:00:01Z"), at("2026-07-31T23:00:00Z"))
            .expect("valid range");
        assert_eq!(late.days(), (day("2026-07-02"), day("2026-08-01")));
    }

    #[test]
    fn ranges_must_be_ordered_and_bounded() {
        let t = at("2026-07-01T00:00:00Z");
        assert!(Range::new(t, t).is_err());
        assert!(Range::new(t, t - Days::new(1)).is_err());
        assert!(Range::new(t, t + Days::new(5 * 366 + 1)).is_err());
        assert!(Range::new(t, t + Days::new(5 * 366)).is_ok());
        assert!(Range::new(at("1969-12-31T00:00:00Z"), t).is_err());
        assert!(Range::new(at("9999-12-31T00:00:00Z"), at("9999-12-31T23:00:00Z")).is_ok());
    }

    #[test]
    fn an_empty_denominator_has_no_rate() {
        assert_eq!(rate(0, 0), None);
        assert_eq!(rate(0, 4), Some(0.0));
        assert_eq!(rate(3, 4), Some(0.75));
    }
}
