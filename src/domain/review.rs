//! Rules for the 30-day effectiveness review.

use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, Utc};
use entity::PostMortemStatus;

/// Longest review summary.
pub const SUMMARY_MAX: usize = 10_000;
/// Longest note on one verdict.
pub const NOTE_MAX: usize = 5_000;

pub fn summary(value: &str) -> Result<String, FieldError> {
    text::required("summary", value, SUMMARY_MAX)
}

/// Only a PUBLISHED post-mortem is reviewed, once.
pub fn can_review(status: PostMortemStatus) -> Result<(), FieldError> {
    match status {
        PostMortemStatus::Published => Ok(()),
        PostMortemStatus::Draft => Err(FieldError::new(
            "postMortemId",
            FieldErrorCode::Invalid,
            "only a published post-mortem can be reviewed",
        )),
        PostMortemStatus::Reviewed => Err(FieldError::new(
            "postMortemId",
            FieldErrorCode::Invalid,
            "this post-mortem has already been reviewed",
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn only_published_post_mortems_are_reviewed_once() {
        assert!(can_review(PostMortemStatus::Published).is_ok());
        assert!(can_review(PostMortemStatus::Draft).is_err());
        assert!(can_review(PostMortemStatus::Reviewed).is_err());
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
