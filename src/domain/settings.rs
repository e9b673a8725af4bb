//! The tenant's settings: applying changes, and what their audit entry records.

use super::changes::Changes;
use chrono::{DateTime, Utc};
use entity::BlamelessPolicy;
use entity::tenant::{self, ReadinessTerms};
use sea_orm::ActiveEnum;

/// New values for the tenant's settings; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct SettingsChanges {
    /// Hours after resolution before a client meeting should be held.
    pub cooling_off_hours: Option<i32>,
    /// Days after publication that the effectiveness review falls due.
    pub review_after_days: Option<i32>,
    /// Hours within which client feedback should get a first staff answer.
    pub feedback_answer_sla_hours: Option<i32>,
    /// Days after resolution by which a SEV1/SEV2 post-mortem should be published.
    pub post_mortem_due_days: Option<i32>,
    /// Whether blame findings warn or block publication.
    pub blameless_policy: Option<BlamelessPolicy>,
    /// Phrases added to the built-in blame list (replacing the tenant's earlier ones).
    pub blameless_terms: Option<Vec<String>>,
    /// Phrases added to the built-in defensive list.
    pub defensive_terms: Option<Vec<String>>,
    /// Phrases added to the built-in self-flagellation list.
    pub self_flagellation_terms: Option<Vec<String>>,
}

/// The tenant with `changes` applied at `now`. Ranges are checked at the edge.
pub fn apply(old: &tenant::Model, changes: SettingsChanges, now: DateTime<Utc>) -> tenant::Model {
    let terms = &old.readiness_terms;
    tenant::Model {
        cooling_off_hours: changes.cooling_off_hours.unwrap_or(old.cooling_off_hours),
        review_after_days: changes.review_after_days.unwrap_or(old.review_after_days),
        feedback_answer_sla_hours: changes
            .feedback_answer_sla_hours
            .unwrap_or(old.feedback_answer_sla_hours),
        post_mortem_due_days: changes
            .post_mortem_due_days
            .unwrap_or(old.post_mortem_due_days),
        blameless_policy: changes.blameless_policy.unwrap_or(old.blameless_policy),
        readiness_terms: ReadinessTerms {
            blame: changes
                .blameless_terms
                .unwrap_or_else(|| terms.blame.clone()),
            defensive: changes
                .defensive_terms
                .unwrap_or_else(|| terms.defensive.clone()),
            self_flagellation: changes
                .self_flagellation_terms
                .unwrap_or_else(|| terms.self_flagellation.clone()),
        },
        updated_at: now,
        ..old.clone()
    }
}

/// The audit diff of changed settings, each term list under its own API name.
pub fn changes(old: &tenant::Model, new: &tenant::Model) -> Changes {
    let old = Some(old);
    Changes::default()
        .field("coolingOffHours", old, new, |t| t.cooling_off_hours)
        .field("reviewAfterDays", old, new, |t| t.review_after_days)
        .field("feedbackAnswerSlaHours", old, new, |t| {
            t.feedback_answer_sla_hours
        })
        .field("postMortemDueDays", old, new, |t| t.post_mortem_due_days)
        .field("blamelessPolicy", old, new, |t| {
            t.blameless_policy.to_value()
        })
        .field("blamelessTerms", old, new, |t| {
            t.readiness_terms.blame.clone()
        })
        .field("defensiveTerms", old, new, |t| {
            t.readiness_terms.defensive.clone()
        })
        .field("selfFlagellationTerms", old, new, |t| {
            t.readiness_terms.self_flagellation.clone()
        })
}
