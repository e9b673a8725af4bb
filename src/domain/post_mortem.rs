//! Rules for the post-mortem document and its publication.

use super::changes::Changes;
use super::readiness::{self, Finding};
use super::{FieldError, FieldErrorCode, text};
use chrono::{DateTime, TimeDelta, Utc};
use entity::{PostMortemStatus, post_mortem};
use sea_orm::ActiveEnum;
use serde_json::json;

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

/// What publication decides from.
pub struct PublishFacts<'a> {
    pub status: PostMortemStatus,
    /// The readiness findings about the record as it stands in the publishing transaction.
    pub findings: &'a [Finding],
    /// The tenant's setting: days from publication to the effectiveness review.
    pub review_after_days: i32,
}

/// A publication the rules allow.
#[derive(Debug)]
pub struct Published {
    pub published_at: DateTime<Utc>,
    pub review_due_at: DateTime<Utc>,
    /// The blockers an ADMIN's override set aside (empty without an override).
    pub overridden: Vec<Finding>,
}

/// Decides a publication at `now`: only a DRAFT is published, and only when no blocking
/// finding remains, or when `overriding` (an ADMIN with a reason) sets aside every blocker
/// that may be overridden.
pub fn publish(
    facts: &PublishFacts,
    overriding: bool,
    now: DateTime<Utc>,
) -> Result<Published, Vec<FieldError>> {
    if facts.status != PostMortemStatus::Draft {
        return Err(vec![FieldError::new(
            "postMortemId",
            FieldErrorCode::Invalid,
            "the post-mortem is already published",
        )]);
    }
    let refusals = readiness::refusals(facts.findings, overriding);
    if !refusals.is_empty() {
        return Err(refusals.iter().map(|f| f.to_field_error()).collect());
    }
    let overridden = match overriding {
        true => readiness::refusals(facts.findings, false),
        false => Vec::new(),
    };
    Ok(Published {
        published_at: now,
        review_due_at: review_due_at(now, facts.review_after_days),
        overridden: overridden.into_iter().cloned().collect(),
    })
}

/// Decides taking a post-mortem back to DRAFT: only a PUBLISHED one (a reviewed one keeps
/// its review).
pub fn unpublish(status: PostMortemStatus) -> Result<(), FieldError> {
    match status {
        PostMortemStatus::Published => Ok(()),
        _ => Err(FieldError::new(
            "postMortemId",
            FieldErrorCode::Invalid,
            "only a PUBLISHED post-mortem can be unpublished",
        )),
    }
}

/// The audit diff of a publication, with the override and the blockers it set aside.
pub fn published_changes(
    old: &post_mortem::Model,
    new: &post_mortem::Model,
    override_reason: Option<&str>,
    published: &Published,
) -> Changes {
    let changes = status_changes(old, new)
        .diff("publishedAt", &old.published_at, &new.published_at)
        .diff("reviewDueAt", &old.review_due_at, &new.review_due_at);
    match override_reason {
        Some(reason) if !published.overridden.is_empty() => {
            changes.set("override", &overridden_json(reason, &published.overridden))
        }
        _ => changes,
    }
}

/// The audit diff of taking a post-mortem back to DRAFT, with the reason.
pub fn unpublished_changes(
    old: &post_mortem::Model,
    new: &post_mortem::Model,
    reason: &str,
) -> Changes {
    status_changes(old, new).set("reason", &reason)
}

/// The audit diff of scheduling (or clearing) the client meeting.
pub fn meeting_changes(old: &post_mortem::Model, new: &post_mortem::Model) -> Changes {
    Changes::default().diff("meetingAt", &old.meeting_at, &new.meeting_at)
}

/// The audit diff of editing the sections.
pub fn section_changes(old: &post_mortem::Model, new: &post_mortem::Model) -> Changes {
    Changes::default()
        .diff("impactSummary", &old.impact_summary, &new.impact_summary)
        .diff("wentWell", &old.went_well, &new.went_well)
        .diff("couldBeBetter", &old.could_be_better, &new.could_be_better)
        .diff("lessonsLearned", &old.lessons_learned, &new.lessons_learned)
}

fn status_changes(old: &post_mortem::Model, new: &post_mortem::Model) -> Changes {
    Changes::default().diff("status", &old.status.to_value(), &new.status.to_value())
}

/// The audit record of an override: the reason and each blocker it set aside, records named
/// by their uuid.
fn overridden_json(reason: &str, findings: &[Finding]) -> serde_json::Value {
    let findings: Vec<_> = findings
        .iter()
        .map(|f| {
            let path = f.target.path(|_, id| id.to_string());
            json!({ "code": f.code, "path": path, "message": f.message })
        })
        .collect();
    json!({ "reason": reason, "findings": findings })
}

/// A version conflict on the post-mortem the caller read at `read`.
pub fn conflict(read: i32) -> FieldError {
    FieldError::new(
        "version",
        FieldErrorCode::Conflict,
        format!(
            "the post-mortem was changed by someone else since version {read}; reload it and apply your edit again"
        ),
    )
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

    fn facts(status: PostMortemStatus, findings: &[Finding]) -> PublishFacts<'_> {
        PublishFacts {
            status,
            findings,
            review_after_days: 30,
        }
    }

    #[test]
    fn only_a_ready_draft_is_published_and_an_override_records_what_it_set_aside() {
        let now = Utc::now();
        let ready = readiness::check(&readiness::sample::ready());
        let published = publish(&facts(PostMortemStatus::Draft, &ready), false, now).unwrap();
        assert_eq!(published.review_due_at - now, TimeDelta::days(30));
        assert!(published.overridden.is_empty());
        let twice = publish(&facts(PostMortemStatus::Published, &ready), false, now);
        assert_eq!(twice.unwrap_err()[0].field, ["postMortemId"]);
        let mut empty = readiness::sample::ready();
        empty.post_mortem.impact_summary = String::new();
        let blocked = readiness::check(&empty);
        assert!(publish(&facts(PostMortemStatus::Draft, &blocked), false, now).is_err());
        let overridden = publish(&facts(PostMortemStatus::Draft, &blocked), true, now).unwrap();
        assert!(!overridden.overridden.is_empty());
    }

    #[test]
    fn only_a_published_post_mortem_is_unpublished() {
        assert!(unpublish(PostMortemStatus::Published).is_ok());
        assert!(unpublish(PostMortemStatus::Draft).is_err());
        assert!(unpublish(PostMortemStatus::Reviewed).is_err());
    }
}
