//! Confidence ratings: "how confident are you this will not happen again?", asked of a
//! client at publication and again after the review.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use entity::{ConfidencePhase, PostMortemStatus, confidence_rating};
use sea_orm::ActiveEnum;

/// The longest comment on a rating, in characters.
pub const COMMENT_MAX: usize = 2_000;

/// A rating as the client gave it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub incident_id: uuid::Uuid,
    pub confidence: i32,
    pub comment: Option<String>,
}

/// The optional comment: trimmed, blank meaning none, at most [`COMMENT_MAX`] characters.
pub fn comment(value: Option<&str>) -> Result<Option<String>, FieldError> {
    text::optional("comment", value, COMMENT_MAX)
}

/// The phase a rating given now belongs to, from the post-mortem's state: PUBLISHED is "at
/// publication", REVIEWED "after the review". A draft cannot be rated.
pub fn phase(status: PostMortemStatus) -> Result<ConfidencePhase, FieldError> {
    match status {
        PostMortemStatus::Published => Ok(ConfidencePhase::AtPublication),
        PostMortemStatus::Reviewed => Ok(ConfidencePhase::AfterReview),
        PostMortemStatus::Draft => Err(FieldError::new(
            "postMortemId",
            FieldErrorCode::Invalid,
            "only a published post-mortem can be rated",
        )),
    }
}

/// The audit diff of a rating: every field when it is the first of its phase, what changed
/// when it replaces an earlier one.
pub fn rated_changes(
    old: Option<&confidence_rating::Model>,
    new: &confidence_rating::Model,
) -> Changes {
    Changes::default()
        .field("phase", old, new, |r| r.phase.to_value())
        .field("confidence", old, new, |r| r.confidence)
        .field("comment", old, new, |r| r.comment.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    #[test]
    fn the_phase_follows_the_post_mortem() {
        assert_eq!(
            phase(PostMortemStatus::Published),
            Ok(ConfidencePhase::AtPublication)
        );
        assert_eq!(
            phase(PostMortemStatus::Reviewed),
            Ok(ConfidencePhase::AfterReview)
        );
        assert!(phase(PostMortemStatus::Draft).is_err());
    }

    #[test]
    fn a_comment_is_optional_and_bounded() {
        assert_eq!(comment(Some("  ")), Ok(None));
        assert_eq!(comment(Some(" Better ")), Ok(Some("Better".to_owned())));
        let long = "x".repeat(COMMENT_MAX + 1);
        let error = comment(Some(&long)).expect_err("too long");
        assert_eq!(error.code, FieldErrorCode::TooLong);
    }

    #[test]
    fn a_replacing_rating_records_only_what_changed() {
        let now = Utc::now();
        let old = confidence_rating::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::nil(),
            incident_id: Uuid::nil(),
            client_id: Uuid::nil(),
            user_id: Uuid::nil(),
            phase: ConfidencePhase::AtPublication,
            confidence: 2,
            comment: None,
            rated_at: now,
            created_at: now,
            updated_at: now,
        };
        let new = confidence_rating::Model {
            confidence: 4,
            ..old.clone()
        };
        let changes = rated_changes(Some(&old), &new).into_json();
        assert_eq!(
            changes,
            serde_json::json!({ "confidence": { "from": 2, "to": 4 } })
        );
        let first = rated_changes(None, &new).into_json();
        assert_eq!(first["phase"]["to"], "AT_PUBLICATION");
    }
}
