//! What the metrics statements return: counts, durations and means per period. Rates are
//! derived from the counts here, so a rate and the counts it comes from always agree.

use crate::domain::metrics::{Period, rate};
use entity::{MeasureKind, Severity};

/// Follow-through of the prevention measures committed in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowThroughFigures {
    pub committed: i64,
    pub completed: i64,
    pub completed_on_time: i64,
    pub overdue: i64,
    pub cancelled: i64,
    /// Seconds from a measure's creation to its completion, median.
    pub median_seconds_to_complete: Option<f64>,
}

impl FollowThroughFigures {
    /// Completed share of the measures still meant to happen (committed minus cancelled).
    pub fn completion_rate(&self) -> Option<f64> {
        rate(self.completed, self.committed - self.cancelled)
    }

    /// Share of the completed measures finished on or before their committed day.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.completed_on_time, self.completed)
    }

    pub fn median_days_to_complete(&self) -> Option<f64> {
        self.median_seconds_to_complete.map(|s| s / 86_400.0)
    }
}

/// Follow-through overall and for each measure kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowThrough {
    pub all: FollowThroughFigures,
    pub by_kind: Vec<(MeasureKind, FollowThroughFigures)>,
}

/// Mean, median and 90th percentile of a duration, in seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DurationStats {
    pub count: i64,
    pub mean_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

/// Incidents that started in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFigures {
    pub count: i64,
    pub by_severity: Vec<(Severity, i64)>,
    pub time_to_resolve: DurationStats,
    pub time_to_publish: DurationStats,
    pub post_mortem_due: i64,
    /// Of these incidents, how many recur an earlier one.
    pub recurrences: i64,
}

/// Effectiveness reviews falling due in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewFigures {
    pub due: i64,
    pub held: i64,
    pub held_on_time: i64,
    pub overdue: i64,
    pub effective: i64,
    pub partially_effective: i64,
    pub not_effective: i64,
}

impl ReviewFigures {
    /// Share of the due reviews held on or before their due time.
    pub fn held_on_time_rate(&self) -> Option<f64> {
        rate(self.held_on_time, self.due)
    }
}

/// Client feedback received in a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedbackFigures {
    pub received: i64,
    pub open: i64,
    pub answered: i64,
    pub median_first_response_seconds: Option<f64>,
    pub answered_within_sla: i64,
    /// Threads answered, or whose answer window has closed: those the SLA can judge.
    pub sla_decided: i64,
    pub mean_confidence_at_publication: Option<f64>,
    pub mean_confidence_after_review: Option<f64>,
}

impl FeedbackFigures {
    /// Share of the threads the SLA can judge that were answered within it.
    pub fn answered_within_sla_rate(&self) -> Option<f64> {
        rate(self.answered_within_sla, self.sla_decided)
    }
}

/// Confidence given in one phase, from ratings and feedback threads together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfidenceStats {
    /// Ratings and threads with a `confidence`.
    pub count: i64,
    /// Of those, ratings (`confidenceRate`); the rest are feedback threads.
    pub from_ratings: i64,
    pub mean: Option<f64>,
}

/// Client confidence given in a period, at publication and after the review.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfidenceFigures {
    pub at_publication: ConfidenceStats,
    pub after_review: ConfidenceStats,
}

impl ConfidenceFigures {
    /// How far the mean moved after the review; null unless both phases have a mean.
    pub fn trend(&self) -> Option<f64> {
        Some(self.after_review.mean? - self.at_publication.mean?)
    }
}

/// Every figure for one period: the whole range or one bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodFigures {
    pub follow_through: FollowThrough,
    pub reviews: ReviewFigures,
    pub incidents: IncidentFigures,
    pub feedback: FeedbackFigures,
    pub confidence: ConfidenceFigures,
}

/// The figures for the whole range and for each bucket in it, oldest first.
#[derive(Debug, Clone)]
pub struct Metrics {
    pub total: PeriodFigures,
    pub series: Vec<(Period, PeriodFigures)>,
}
