//! Deleting an incident created by mistake: allowed only while no client can have read it.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
use entity::incident;

/// The longest reason for a deletion, in characters.
pub const REASON_MAX: usize = 2_000;

/// The reason for a deletion: required, trimmed, at most [`REASON_MAX`] characters.
pub fn reason(value: &str) -> Result<String, FieldError> {
    text::required("reason", value, REASON_MAX)
}

/// Whether an incident may be deleted. `ever_published` is true when its post-mortem is
/// published now or was published once and taken back: clients may have read it, and a
/// record they read must stay (unpublish it instead).
pub fn deletable(ever_published: bool) -> Result<(), FieldError> {
    if ever_published {
        return Err(FieldError::new(
            "id",
            FieldErrorCode::Published,
            "the post-mortem was published, so the incident can no longer be deleted",
        ));
    }
    Ok(())
}

/// The audit diff of a deletion: what the incident was, and why it was deleted.
pub fn deleted_changes(old: &incident::Model, reason: &str) -> Changes {
    Changes::default()
        .removed("number", &old.number)
        .removed("title", &old.title)
        .set("reason", &reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incident_never_published_may_be_deleted() {
        assert_eq!(deletable(false), Ok(()));
    }

    #[test]
    fn an_incident_published_once_may_not() {
        let error = deletable(true).expect_err("refused");
        assert_eq!(error.code, FieldErrorCode::Published);
        assert_eq!(error.field, ["id"]);
    }

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert_eq!(reason("  typo  "), Ok("typo".to_owned()));
        assert_eq!(reason(" ").map_err(|e| e.code), Err(FieldErrorCode::Blank));
        let long = "x".repeat(REASON_MAX + 1);
        assert_eq!(
            reason(&long).map_err(|e| e.code),
            Err(FieldErrorCode::TooLong)
        );
    }
}
