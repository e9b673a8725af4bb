//! The tenant's settings: applying changes, and what their audit entry records.

use super::changes::Changes;
use super::{FieldError, FieldErrorCode, text};
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
    /// The IANA zone client documents are written in.
    pub time_zone: Option<String>,
    /// How clients reach the provider, ending every client document.
    pub contact_line: Option<String>,
    /// The client portal documents link to; `Some(None)` removes it.
    pub portal_url: Option<Option<String>>,
}

/// Longest contact line.
pub const CONTACT_LINE_MAX: usize = 500;
/// Longest portal URL.
pub const PORTAL_URL_MAX: usize = 2000;

/// One line of visible text, e.g. "Questions? Write to support@acme.example or call +1 555 0100."
pub fn contact_line(field: &str, value: &str) -> Result<String, FieldError> {
    let line = text::bounded(field, value.trim(), CONTACT_LINE_MAX)?;
    text::visible(field, &line)
}

/// An absolute `https` (or `http`) URL without credentials, where clients read and ask.
pub fn portal_url(field: &str, value: &str) -> Result<String, FieldError> {
    let value = text::required(field, value, PORTAL_URL_MAX)?;
    let invalid = || {
        FieldError::new(
            field,
            FieldErrorCode::Invalid,
            format!("{field} must be an absolute http(s) URL without credentials"),
        )
    };
    let url = url::Url::parse(&value).map_err(|_| invalid())?;
    let plain = matches!(url.scheme(), "https" | "http")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(invalid());
    }
    // Parsing percent-encodes: the stored form is what must fit.
    text::bounded(field, url.as_str(), PORTAL_URL_MAX).map(|_| url.into())
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
        time_zone: changes.time_zone.unwrap_or_else(|| old.time_zone.clone()),
        contact_line: changes
            .contact_line
            .unwrap_or_else(|| old.contact_line.clone()),
        portal_url: changes.portal_url.unwrap_or_else(|| old.portal_url.clone()),
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
        .field("timeZone", old, new, |t| t.time_zone.clone())
        .field("contactLine", old, new, |t| t.contact_line.clone())
        .field("portalUrl", old, new, |t| t.portal_url.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portal_url_is_plain_http_or_https() {
        assert_eq!(
            portal_url("portalUrl", "https://portal.acme.example/incidents").unwrap(),
            "https://portal.acme.example/incidents"
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://acme.example",
            "https://user:pw@acme.example",
            "/relative",
            "",
            &format!("https://acme.example/{}", "é".repeat(1500)),
        ] {
            assert!(portal_url("portalUrl", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_contact_line_is_one_visible_line() {
        assert_eq!(
            contact_line("contactLine", "  Call us.  ").unwrap(),
            "Call us."
        );
        assert!(contact_line("contactLine", "two\nlines").is_err());
        assert!(contact_line("contactLine", &"x".repeat(501)).is_err());
    }
}
