//! Rules for the post-mortem document and its publication.

use super::{FieldError, text};
use chrono::{DateTime, TimeDelta, Utc};

/// Longest section, in characters of Markdown.
pub const SECTION_MAX: usize = 20_000;
/// Longest unpublish reason.
pub const REASON_MAX: usize = 2_000;

pub fn section(field: &str, value: &str) -> Result<String, FieldError> {
    text::bounded(field, value, SECTION_MAX)
}

/// When the effectiveness review falls due.
pub fn review_due_at(published_at: DateTime<Utc>, review_after_days: i32) -> DateTime<Utc> {
    published_at + TimeDelta::days(i64::from(review_after_days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_falls_due_after_the_tenants_days() {
        let published = Utc::now();
        assert_eq!(
            review_due_at(published, 30) - published,
            TimeDelta::days(30)
        );
    }
}
