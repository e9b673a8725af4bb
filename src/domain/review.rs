//! Rules for the effectiveness reviews (the 30-day review, then any later ones) and the
//! verdicts recorded after them.

use super::changes::Changes;
use super::incident::FUTURE_TOLERANCE;
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, Utc};
use entity::{
    Effectiveness, PostMortemStatus, effectiveness_review, post_mortem, prevention_measure,
};
use sea_orm::ActiveEnum;
use serde_json::json;
use uuid::Uuid;

/// Longest review summary.
pub const SUMMARY_MAX: usize = 10_000;
/// Longest note on one verdict.
pub const NOTE_MAX: usize = 5_000;

pub fn summary(value: &str) -> Result<String, FieldError> {
    text::required("summary", value, SUMMARY_MAX)
}

/// A PUBLISHED post-mortem gets its 30-day review; a REVIEWED one may be reviewed again,
/// held after the review before it (`previous`, that review's `heldAt`).
pub fn can_review(
    status: PostMortemStatus,
    previous: Option<DateTime<Utc>>,
    held_at: DateTime<Utc>,
) -> Result<(), FieldError> {
    match (status, previous) {
        (PostMortemStatus::Draft, _) => Err(FieldError::new(
            "postMortemId",
            FieldErrorCode::Invalid,
            "only a published post-mortem can be reviewed",
        )),
        (PostMortemStatus::Reviewed, Some(previous)) if held_at <= previous => {
            Err(FieldError::new(
                "heldAt",
                FieldErrorCode::OutOfOrder,
                "a later review must be held after the review before it",
            ))
        }
        _ => Ok(()),
    }
}

/// A verdict recorded on its own (`effectivenessVerdictSet`) comes after the review: for a
/// measure completed since, or to judge one again.
pub fn can_judge(status: PostMortemStatus) -> Result<(), FieldError> {
    match status {
        PostMortemStatus::Reviewed => Ok(()),
        _ => Err(FieldError::new(
            "measureId",
            FieldErrorCode::Invalid,
            "verdicts are recorded here after the effectiveness review; until then, give them \
             in effectivenessReviewRecord",
        )),
    }
}

/// Whether a published post-mortem is past its review date without a review.
pub fn overdue(
    status: PostMortemStatus,
    review_due_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    status == PostMortemStatus::Published && review_due_at.is_some_and(|due| now > due)
}

/// One measure's verdict, its note already validated.
pub struct Verdict {
    pub measure_id: Uuid,
    pub effectiveness: Effectiveness,
    pub note: Option<String>,
}

/// A review as recorded.
pub struct NewReview {
    pub incident_id: Uuid,
    pub held_at: DateTime<Utc>,
    pub summary: String,
    pub verdicts: Vec<Verdict>,
}

/// The verdicts a review recorded, read back from its stored JSON.
pub fn verdicts_of(review: &effectiveness_review::Model) -> Vec<Verdict> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Recorded {
        measure_id: Uuid,
        effectiveness: String,
        note: Option<String>,
    }
    let recorded: Vec<Recorded> =
        serde_json::from_value(review.verdicts.clone()).unwrap_or_default();
    recorded
        .into_iter()
        .filter_map(|v| {
            let effectiveness = Effectiveness::try_from_value(&v.effectiveness).ok()?;
            Some(Verdict {
                measure_id: v.measure_id,
                effectiveness,
                note: v.note,
            })
        })
        .collect()
}

/// The fields of a measure a review sets, as its event names them.
pub const JUDGED_FIELDS: [&str; 3] = [
    "effectiveness",
    "effectivenessJudgedAt",
    "effectivenessNote",
];

/// What recording a review decides from, read in the recording transaction.
pub struct ReviewFacts {
    pub status: PostMortemStatus,
    pub published_at: Option<DateTime<Utc>>,
    /// When the latest review so far was held, if there is one.
    pub previous_held_at: Option<DateTime<Utc>>,
    /// The measures of the post-mortem.
    pub measure_ids: Vec<Uuid>,
    pub now: DateTime<Utc>,
}

/// Decides a review: a PUBLISHED post-mortem (or a REVIEWED one, after its latest review),
/// held after publication and not more than a day ahead, with verdicts on its own measures
/// only.
pub fn decide(facts: &ReviewFacts, review: &NewReview) -> Result<(), Vec<FieldError>> {
    can_review(facts.status, facts.previous_held_at, review.held_at)
        .map_err(|error| vec![error])?;
    let mut errors = Vec::new();
    if facts
        .published_at
        .is_some_and(|published| review.held_at < published)
    {
        errors.push(FieldError::new(
            "heldAt",
            FieldErrorCode::OutOfOrder,
            "the review cannot be held before the post-mortem was published",
        ));
    }
    if review.held_at > facts.now + FUTURE_TOLERANCE {
        errors.push(FieldError::new(
            "heldAt",
            FieldErrorCode::Invalid,
            "heldAt is more than a day in the future",
        ));
    }
    for (index, verdict) in review.verdicts.iter().enumerate() {
        if !facts.measure_ids.contains(&verdict.measure_id) {
            let error = FieldError::new(
                "verdicts",
                FieldErrorCode::NotFound,
                "no such measure of this post-mortem",
            );
            errors.push(error.at_index(index));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The verdicts as the review stores them.
pub fn verdicts_json(verdicts: &[Verdict]) -> serde_json::Value {
    let verdicts: Vec<_> = verdicts
        .iter()
        .map(|v| json!({ "measureId": v.measure_id, "effectiveness": v.effectiveness.to_value(), "note": v.note }))
        .collect();
    json!(verdicts)
}

/// The audit diff of a verdict recorded on its own.
pub fn judged_changes(
    old: &prevention_measure::Model,
    verdict: &Verdict,
    judged_at: DateTime<Utc>,
) -> Changes {
    Changes::default()
        .diff(
            "effectiveness",
            &old.effectiveness.to_value(),
            &verdict.effectiveness.to_value(),
        )
        .diff("effectivenessNote", &old.effectiveness_note, &verdict.note)
        .set("effectivenessJudgedAt", &judged_at)
}

/// The audit diff of a recorded review.
pub fn reviewed_changes(
    old: &post_mortem::Model,
    new: &post_mortem::Model,
    review: &effectiveness_review::Model,
) -> Changes {
    Changes::default()
        .diff("status", &old.status.to_value(), &new.status.to_value())
        .set("heldAt", &review.held_at)
        .set("summary", &review.summary)
        .set("verdicts", &review.verdicts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn a_published_post_mortem_is_reviewed_and_may_be_reviewed_again_later() {
        let now = Utc::now();
        let earlier = Some(now - TimeDelta::days(30));
        assert!(can_review(PostMortemStatus::Published, None, now).is_ok());
        assert!(can_review(PostMortemStatus::Draft, None, now).is_err());
        assert!(can_review(PostMortemStatus::Reviewed, earlier, now).is_ok());
        let again = can_review(PostMortemStatus::Reviewed, Some(now), now);
        assert_eq!(again.map_err(|e| e.code), Err(FieldErrorCode::OutOfOrder));
    }

    #[test]
    fn verdicts_on_their_own_come_after_the_review() {
        assert!(can_judge(PostMortemStatus::Reviewed).is_ok());
        for status in [PostMortemStatus::Draft, PostMortemStatus::Published] {
            let refused = can_judge(status).expect_err("before the review");
            assert_eq!(
                (refused.code, refused.field),
                (FieldErrorCode::Invalid, vec!["measureId".to_owned()])
            );
        }
    }

    #[test]
    fn a_review_is_overdue_only_while_published_past_its_date() {
        let now = Utc::now();
        let past = Some(now - TimeDelta::days(1));
        assert!(overdue(PostMortemStatus::Published, past, now));
        assert!(!overdue(PostMortemStatus::Reviewed, past, now));
        assert!(!overdue(
            PostMortemStatus::Published,
            Some(now + TimeDelta::days(1)),
            now
        ));
        assert!(!overdue(PostMortemStatus::Draft, None, now));
    }
}
