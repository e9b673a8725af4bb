//! The confidence figures of `metrics`: "how confident are you this will not happen
//! again?", at publication and after the review.

use crate::repo::metrics::figures;
use async_graphql::SimpleObject;

/// Client confidence, from confidence ratings (`confidenceRate`) and from feedback threads
/// that carried a `confidence`, together.
#[derive(SimpleObject)]
pub struct ConfidenceMetrics {
    /// Ratings in the AT_PUBLICATION phase, and threads opened before the post-mortem's
    /// review (or with no review yet).
    at_publication: ConfidencePhaseMetrics,
    /// Ratings in the AFTER_REVIEW phase, and threads opened at or after the review's
    /// `heldAt`.
    after_review: ConfidencePhaseMetrics,
    /// `afterReview.mean − atPublication.mean`: positive when confidence grew after the
    /// review. Null unless both phases have a mean.
    trend: Option<f64>,
}

/// Confidence given in one phase.
#[derive(SimpleObject)]
pub struct ConfidencePhaseMetrics {
    /// Ratings and threads with a `confidence`.
    count: i64,
    /// Of those, confidence ratings.
    ratings: i64,
    /// Of those, feedback threads.
    feedback: i64,
    /// Mean confidence (1..5) over all of them; null when there are none.
    mean: Option<f64>,
}

impl From<&figures::ConfidenceStats> for ConfidencePhaseMetrics {
    fn from(stats: &figures::ConfidenceStats) -> Self {
        Self {
            count: stats.count,
            ratings: stats.from_ratings,
            feedback: stats.count - stats.from_ratings,
            mean: stats.mean,
        }
    }
}

impl From<&figures::ConfidenceFigures> for ConfidenceMetrics {
    fn from(figures: &figures::ConfidenceFigures) -> Self {
        Self {
            at_publication: (&figures.at_publication).into(),
            after_review: (&figures.after_review).into(),
            trend: figures.trend(),
        }
    }
}
