//! Completeness: what every client post-mortem must contain before it is shared.

use super::{Finding, FindingCode, Item, Snapshot, Target};
use entity::{IncidentStatus, MeasureStatus, RootCauseKind, Visibility};

pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut blocker = |code, target, message: &str| {
        findings.push(Finding::blocker(code, target, message));
    };
    if s.incident_status != IncidentStatus::Resolved {
        blocker(
            FindingCode::IncidentNotResolved,
            Target::Incident("status"),
            "The incident is not resolved yet; publish once it is.",
        );
    }
    if !s
        .timeline
        .iter()
        .any(|e| e.visibility == Visibility::Client && !blank(&e.body))
    {
        blocker(
            FindingCode::NoClientTimeline,
            Target::List(Item::TimelineEvent),
            "No timeline entry is visible to clients; share at least what happened and when.",
        );
    }
    if !s
        .root_causes
        .iter()
        .any(|c| c.kind == RootCauseKind::RootCause && !blank(&c.client_explanation))
    {
        blocker(
            FindingCode::NoRootCauseExplanation,
            Target::List(Item::RootCause),
            "No ROOT_CAUSE has a client explanation; explain the cause in terms of systems and processes.",
        );
    }
    if blank(&s.post_mortem.impact_summary) {
        blocker(
            FindingCode::NoImpactSummary,
            Target::PostMortem("impactSummary"),
            "The impact summary is empty; say what was affected, for whom and for how long.",
        );
    }
    for impact in s.impacts.iter().filter(|i| blank(&i.description)) {
        blocker(
            FindingCode::ImpactDescriptionMissing,
            Target::Record {
                item: Item::Impact,
                id: impact.id,
                field: "description",
            },
            "This client's impact has no description of what was affected for them.",
        );
    }
    if !s
        .measures
        .iter()
        .any(|m| m.status != MeasureStatus::Cancelled)
    {
        blocker(
            FindingCode::NoPreventionMeasure,
            Target::List(Item::Measure),
            "There is no prevention measure; commit to at least one change that stops a recurrence.",
        );
    }
    if s.impacts.is_empty() {
        findings.push(Finding::warning(
            FindingCode::NoImpactedClient,
            Target::List(Item::Impact),
            "No client is recorded as impacted, so no client will be able to read it.",
        ));
    }
    findings
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, codes, id, path};
    use super::super::{Severity, check};
    use super::*;

    #[test]
    fn an_unresolved_incident_blocks() {
        let mut s = sample::ready();
        s.incident_status = IncidentStatus::Monitoring;
        assert_eq!(codes(&s), [FindingCode::IncidentNotResolved]);
        assert!(!FindingCode::IncidentNotResolved.overridable());
    }

    #[test]
    fn only_client_visible_non_blank_events_count_as_a_timeline() {
        let mut s = sample::ready();
        s.timeline[0].visibility = Visibility::Internal;
        assert_eq!(codes(&s), [FindingCode::NoClientTimeline]);
        s.timeline[0].visibility = Visibility::Client;
        s.timeline[0].body = "  \n".into();
        assert_eq!(codes(&s), [FindingCode::NoClientTimeline]);
    }

    #[test]
    fn a_contributing_factor_alone_does_not_explain_the_cause() {
        let mut s = sample::ready();
        s.root_causes[0].kind = RootCauseKind::ContributingFactor;
        assert_eq!(codes(&s), [FindingCode::NoRootCauseExplanation]);
        s.root_causes[0].kind = RootCauseKind::RootCause;
        s.root_causes[0].client_explanation = String::new();
        assert_eq!(codes(&s), [FindingCode::NoRootCauseExplanation]);
    }

    #[test]
    fn an_empty_impact_summary_blocks() {
        let mut s = sample::ready();
        s.post_mortem.impact_summary = " ".into();
        let findings = check(&s);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, FindingCode::NoImpactSummary);
        assert_eq!(path(&findings[0].target), "impactSummary");
    }

    #[test]
    fn each_impact_without_a_description_blocks_at_its_path() {
        let mut s = sample::ready();
        s.impacts[0].description = String::new();
        let findings = check(&s);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, FindingCode::ImpactDescriptionMissing);
        assert_eq!(
            path(&findings[0].target),
            format!("impacts[{}].description", id(3))
        );
    }

    #[test]
    fn no_impacted_client_is_a_warning() {
        let mut s = sample::ready();
        s.impacts.clear();
        let findings = check(&s);
        assert_eq!(codes(&s), [FindingCode::NoImpactedClient]);
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn cancelled_measures_do_not_count_as_prevention() {
        let mut s = sample::ready();
        for m in &mut s.measures {
            m.status = MeasureStatus::Cancelled;
        }
        assert_eq!(codes(&s), [FindingCode::NoPreventionMeasure]);
        s.measures.clear();
        assert_eq!(codes(&s), [FindingCode::NoPreventionMeasure]);
    }
}
