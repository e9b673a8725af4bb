//! The figures of `metrics`, as plain output objects. Each field's description is its exact
//! definition; docs/METRICS.md gathers them with the time field each section filters on.

use super::confidence::ConfidenceMetrics;
use crate::domain::metrics::Period;
use crate::graphql::enums::{MeasureKind, Severity};
use crate::graphql::scalars::Timestamp;
use crate::repo::metrics::figures;
use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use sea_orm::Iterable;

const SECONDS_PER_HOUR: f64 = 3_600.0;

/// Every figure for one period: the whole range (`Metrics.total`) or one bucket of the series.
#[derive(SimpleObject)]
pub struct MetricsPeriod {
    /// Start of the period (inclusive). For a bucket, the bucket's own start in UTC, which
    /// may lie before the range: only what falls inside the range counts.
    start: Timestamp,
    /// End of the period (exclusive).
    end: Timestamp,
    /// Prevention measures whose `committedDueOn` falls in the period.
    follow_through: FollowThroughMetrics,
    /// Effectiveness reviews whose `reviewDueAt` falls in the period.
    reviews: ReviewMetrics,
    /// Incidents whose `startedAt` falls in the period.
    incidents: IncidentMetrics,
    /// Feedback threads opened (`createdAt`) in the period.
    feedback: FeedbackMetrics,
    /// Confidence given in the period: ratings by `ratedAt`, feedback threads by `createdAt`.
    confidence: ConfidenceMetrics,
}

impl MetricsPeriod {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, figures: figures::PeriodFigures) -> Self {
        MetricsPeriod {
            start: Timestamp(start),
            end: Timestamp(end),
            follow_through: FollowThroughMetrics::from(&figures.follow_through),
            reviews: ReviewMetrics::new(&figures.reviews, figures.incidents.recurrences),
            incidents: IncidentMetrics::from(&figures.incidents),
            feedback: FeedbackMetrics::from(&figures.feedback),
            confidence: ConfidenceMetrics::from(&figures.confidence),
        }
    }

    pub fn bucket(period: Period, figures: figures::PeriodFigures) -> Self {
        Self::new(period.start, period.end, figures)
    }
}

/// Follow-through of committed prevention measures (those of published post-mortems).
#[derive(SimpleObject)]
pub struct FollowThroughMetrics {
    #[graphql(flatten)]
    figures: FollowThroughFigures,
    /// The same figures for each measure kind, every kind listed.
    by_kind: Vec<KindFollowThrough>,
}

/// Follow-through of one measure kind.
#[derive(SimpleObject)]
pub struct KindFollowThrough {
    kind: MeasureKind,
    #[graphql(flatten)]
    figures: FollowThroughFigures,
}

/// Counts and rates of committed measures.
#[derive(SimpleObject)]
pub struct FollowThroughFigures {
    /// Measures with a `committedDueOn` in the period, whatever their status.
    committed: i64,
    /// Of those, measures DONE.
    completed: i64,
    /// Of those, DONE with `completedAt`'s UTC day on or before `committedDueOn`.
    completed_on_time: i64,
    /// Of those, still PLANNED or IN_PROGRESS with `committedDueOn` before today (UTC).
    overdue: i64,
    /// Of those, CANCELLED.
    cancelled: i64,
    /// `completed / (committed − cancelled)`; null when that is zero.
    completion_rate: Option<f64>,
    /// `completedOnTime / completed`; null when nothing was completed. Late and overdue
    /// measures are not hidden: they are in `overdue` and in `completed − completedOnTime`.
    on_time_rate: Option<f64>,
    /// Median of (`completedAt` − `createdAt`) in days over the DONE measures; null if none.
    median_days_to_complete: Option<f64>,
}

impl From<&figures::FollowThroughFigures> for FollowThroughFigures {
    fn from(f: &figures::FollowThroughFigures) -> Self {
        FollowThroughFigures {
            committed: f.committed,
            completed: f.completed,
            completed_on_time: f.completed_on_time,
            overdue: f.overdue,
            cancelled: f.cancelled,
            completion_rate: f.completion_rate(),
            on_time_rate: f.on_time_rate(),
            median_days_to_complete: f.median_days_to_complete(),
        }
    }
}

impl From<&figures::FollowThrough> for FollowThroughMetrics {
    fn from(f: &figures::FollowThrough) -> Self {
        let by_kind = entity::MeasureKind::iter()
            .map(|kind| {
                let figures = f
                    .by_kind
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, figures)| figures.clone())
                    .unwrap_or_default();
                KindFollowThrough {
                    kind: kind.into(),
                    figures: (&figures).into(),
                }
            })
            .collect();
        FollowThroughMetrics {
            figures: (&f.all).into(),
            by_kind,
        }
    }
}

/// The 30-day effectiveness reviews.
#[derive(SimpleObject)]
pub struct ReviewMetrics {
    /// Post-mortems whose `reviewDueAt` falls in the period.
    due: i64,
    /// Of those, reviews recorded.
    held: i64,
    /// Of those, reviews with `heldAt` at or before `reviewDueAt`.
    held_on_time: i64,
    /// `heldOnTime / due`; null when nothing was due.
    held_on_time_rate: Option<f64>,
    /// Of those due, reviews not recorded although `reviewDueAt` has passed.
    overdue: i64,
    /// Measures of the due post-mortems judged EFFECTIVE.
    effective: i64,
    /// Measures of the due post-mortems judged PARTIALLY_EFFECTIVE.
    partially_effective: i64,
    /// Measures of the due post-mortems judged NOT_EFFECTIVE.
    not_effective: i64,
    /// Incidents that started in the period (`startedAt`) and recur an earlier incident:
    /// they share a service and a root-cause category with it and started after its
    /// post-mortem was published (see `Incident.recurrenceOf`).
    recurrences: i64,
}

impl ReviewMetrics {
    fn new(f: &figures::ReviewFigures, recurrences: i64) -> Self {
        ReviewMetrics {
            due: f.due,
            held: f.held,
            held_on_time: f.held_on_time,
            held_on_time_rate: f.held_on_time_rate(),
            overdue: f.overdue,
            effective: f.effective,
            partially_effective: f.partially_effective,
            not_effective: f.not_effective,
            recurrences,
        }
    }
}

/// Incidents and how quickly they were resolved and explained.
#[derive(SimpleObject)]
pub struct IncidentMetrics {
    /// Incidents whose `startedAt` falls in the period.
    count: i64,
    /// The same count per severity, every severity listed.
    by_severity: Vec<SeverityCount>,
    /// `resolvedAt − startedAt` over those with a `resolvedAt`.
    time_to_resolve: DurationStats,
    /// `publishedAt − resolvedAt` over those whose post-mortem is published or reviewed.
    time_to_publish: DurationStats,
    /// Of those, resolved SEV1/SEV2 incidents whose post-mortem is still a DRAFT more than
    /// the tenant's `postMortemDueDays` after `resolvedAt`.
    post_mortem_due: i64,
}

/// How many incidents had one severity.
#[derive(SimpleObject)]
pub struct SeverityCount {
    severity: Severity,
    count: i64,
}

/// Summary of a duration, in hours.
#[derive(SimpleObject)]
pub struct DurationStats {
    /// How many incidents have this duration.
    count: i64,
    /// Arithmetic mean; null when `count` is 0.
    mean_hours: Option<f64>,
    /// Median (the mean of the two middle values when `count` is even); null when 0.
    median_hours: Option<f64>,
    /// 90th percentile by nearest rank: the smallest value with at least 90 % of the values
    /// at or below it; null when `count` is 0.
    p90_hours: Option<f64>,
}

impl From<&figures::DurationStats> for DurationStats {
    fn from(d: &figures::DurationStats) -> Self {
        let hours = |seconds: Option<f64>| seconds.map(|s| s / SECONDS_PER_HOUR);
        DurationStats {
            count: d.count,
            mean_hours: hours(d.mean_seconds),
            median_hours: hours(d.median_seconds),
            p90_hours: hours(d.p90_seconds),
        }
    }
}

impl From<&figures::IncidentFigures> for IncidentMetrics {
    fn from(f: &figures::IncidentFigures) -> Self {
        IncidentMetrics {
            count: f.count,
            by_severity: entity::Severity::iter()
                .map(|severity| SeverityCount {
                    severity: severity.into(),
                    count: f
                        .by_severity
                        .iter()
                        .find(|(s, _)| *s == severity)
                        .map_or(0, |(_, count)| *count),
                })
                .collect(),
            time_to_resolve: (&f.time_to_resolve).into(),
            time_to_publish: (&f.time_to_publish).into(),
            post_mortem_due: f.post_mortem_due,
        }
    }
}

/// Client feedback and how it was answered.
#[derive(SimpleObject)]
pub struct FeedbackMetrics {
    /// Threads whose `createdAt` falls in the period (with `clientId`, that client's only).
    received: i64,
    /// Of those, threads OPEN now.
    open: i64,
    /// Of those, threads with a staff reply (`firstResponseAt` set).
    answered: i64,
    /// Median of `firstResponseAt − createdAt` in hours over the answered threads.
    median_first_response_hours: Option<f64>,
    /// Threads first answered within the tenant's `feedbackAnswerSlaHours`.
    answered_within_sla: i64,
    /// `answeredWithinSla` over the threads the SLA can judge: answered, or unanswered with
    /// the SLA window already closed. Threads still inside their window are left out.
    answered_within_sla_rate: Option<f64>,
    /// Mean `confidence` of threads opened before the post-mortem's effectiveness review
    /// (or with no review yet); null without ratings.
    mean_confidence_at_publication: Option<f64>,
    /// Mean `confidence` of threads opened at or after the review's `heldAt`.
    mean_confidence_after_review: Option<f64>,
}

impl From<&figures::FeedbackFigures> for FeedbackMetrics {
    fn from(f: &figures::FeedbackFigures) -> Self {
        FeedbackMetrics {
            received: f.received,
            open: f.open,
            answered: f.answered,
            median_first_response_hours: f
                .median_first_response_seconds
                .map(|s| s / SECONDS_PER_HOUR),
            answered_within_sla: f.answered_within_sla,
            answered_within_sla_rate: f.answered_within_sla_rate(),
            mean_confidence_at_publication: f.mean_confidence_at_publication,
            mean_confidence_after_review: f.mean_confidence_after_review,
        }
    }
}
