//! The readiness report of a post-mortem: findings with a code, a severity and the path of
//! the object and field they are about. docs/READINESS.md lists every rule.

use crate::domain::readiness::{self, Finding, Item};
use crate::graphql::ids::{self, NodeType};
use async_graphql::{Enum, SimpleObject};
use uuid::Uuid;

/// What a readiness finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "readiness::FindingCode")]
pub enum ReadinessCode {
    /// No timeline entry is visible to clients (BLOCKER).
    NoClientTimeline,
    /// No ROOT_CAUSE has a client explanation (BLOCKER).
    NoRootCauseExplanation,
    /// The impact summary is empty (BLOCKER).
    NoImpactSummary,
    /// An impacted client has no description of what was affected (BLOCKER).
    ImpactDescriptionMissing,
    /// No client is recorded as impacted, so no client can read it (WARNING).
    NoImpactedClient,
    /// There is no prevention measure that is not cancelled (BLOCKER).
    NoPreventionMeasure,
    /// The incident is not resolved (BLOCKER that no override lifts).
    IncidentNotResolved,
    /// Client-facing text names one of the tenant's people (WARNING; BLOCKER under BLOCK).
    PersonNamed,
    /// Client-facing text uses blaming language (WARNING; BLOCKER under BLOCK).
    BlamingLanguage,
    /// Client-facing text sounds defensive or pushes blame onto others (WARNING).
    DefensiveTone,
    /// Client-facing text piles up guilt or apologies (WARNING).
    SelfFlagellation,
    /// A measure has no owner team (BLOCKER).
    MeasureOwnerMissing,
    /// A measure has no due date (BLOCKER).
    MeasureDueDateMissing,
    /// A measure has no success criterion (BLOCKER).
    MeasureCriterionMissing,
    /// A measure's title or criterion is vague (WARNING).
    VagueMeasure,
    /// An open measure is past its due date (WARNING).
    MeasurePastDue,
    /// No measure of one of the kinds TECHNICAL, PROCESS, MONITORING (WARNING).
    MeasureKindMissing,
    /// The client meeting is sooner than the cooling-off period after resolution (WARNING).
    MeetingTooSoon,
    /// The client meeting comes before the written summary is published (WARNING).
    MeetingBeforeSummary,
}

/// Whether a finding stops publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "readiness::Severity")]
pub enum FindingSeverity {
    /// `postMortemPublish` refuses until it is fixed (or an ADMIN overrides it).
    Blocker,
    /// Worth fixing; publication goes ahead.
    Warning,
}

/// One problem the readiness checks found.
#[derive(SimpleObject)]
pub struct ReadinessFinding {
    pub code: ReadinessCode,
    pub severity: FindingSeverity,
    /// The object and field, e.g. `rootCauses[<id>].clientExplanation` or `impactSummary`;
    /// records are named by their global id.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The offending words in context, for language findings.
    pub excerpt: Option<String>,
}

impl From<Finding> for ReadinessFinding {
    fn from(finding: Finding) -> Self {
        Self {
            code: finding.code.into(),
            severity: finding.severity.into(),
            path: finding.target.path(name_record),
            message: finding.message,
            excerpt: finding.excerpt,
        }
    }
}

/// Whether a post-mortem is fit to share with clients.
#[derive(SimpleObject)]
pub struct Readiness {
    /// True when no finding is a BLOCKER.
    pub ready: bool,
    /// Every finding: completeness, language and tone, prevention, cooling off.
    pub findings: Vec<ReadinessFinding>,
}

impl From<Vec<Finding>> for Readiness {
    fn from(findings: Vec<Finding>) -> Self {
        Self {
            ready: readiness::ready(&findings),
            findings: findings.into_iter().map(Into::into).collect(),
        }
    }
}

/// Names a record in a finding's path by its global id.
pub fn name_record(item: Item, id: Uuid) -> String {
    let node_type = match item {
        Item::TimelineEvent => NodeType::TimelineEvent,
        Item::RootCause => NodeType::RootCause,
        Item::Impact => NodeType::ClientImpact,
        Item::Measure => NodeType::PreventionMeasure,
    };
    ids::encode(node_type, id).to_string()
}
