//! Readiness checks: whether a post-mortem is fit to share with clients. It must be complete,
//! blameless, neither defensive nor self-flagellating, specific about prevention, and shared
//! once emotions have cooled (DESIGN.md section 5).
//!
//! The rules are pure: they read a [`Snapshot`] of the post-mortem and the tenant's settings
//! and return findings, so each one is unit-tested on its own. docs/READINESS.md lists every
//! rule with its code, severity and a before/after example.

mod completeness;
mod cooling_off;
mod language;
pub mod lists;
mod people;
#[cfg(test)]
mod phrase_table;
pub mod phrases;
mod prevention;
#[cfg(test)]
pub(crate) mod sample;

use super::{FieldError, FieldErrorCode};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    BlamelessPolicy, IncidentStatus, MeasureKind, MeasureStatus, PostMortemStatus, RootCauseKind,
    Visibility,
};
use serde::Serialize;
use uuid::Uuid;

/// Everything the checks read: the client-facing record, the tenant's settings and people,
/// and the current time.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub incident_status: IncidentStatus,
    pub resolved_at: Option<DateTime<Utc>>,
    pub post_mortem: PostMortemFacts,
    pub timeline: Vec<EventFacts>,
    pub root_causes: Vec<CauseFacts>,
    pub impacts: Vec<ImpactFacts>,
    pub measures: Vec<MeasureFacts>,
    pub settings: Settings,
    /// The tenant's users: their names and emails must not appear in client-facing text.
    pub people: Vec<Person>,
    /// Names of the tenant itself, its services and its clients: a person's name that is
    /// also a word of one of these is only matched as part of the full name.
    pub other_names: Vec<String>,
    pub now: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct PostMortemFacts {
    pub status: PostMortemStatus,
    pub impact_summary: String,
    pub went_well: String,
    pub could_be_better: String,
    pub meeting_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct EventFacts {
    pub id: Uuid,
    pub visibility: Visibility,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct CauseFacts {
    pub id: Uuid,
    pub kind: RootCauseKind,
    pub client_explanation: String,
}

#[derive(Debug, Clone)]
pub struct ImpactFacts {
    pub id: Uuid,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct MeasureFacts {
    pub id: Uuid,
    pub kind: MeasureKind,
    pub title: String,
    pub description: String,
    pub success_criterion: String,
    pub owner_team: String,
    pub due_on: Option<NaiveDate>,
    pub status: MeasureStatus,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub display_name: String,
    pub email: String,
}

/// The tenant's settings the checks depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    pub cooling_off_hours: i32,
    pub blameless_policy: BlamelessPolicy,
    pub terms: TenantTerms,
}

/// Phrases a tenant adds to the built-in lists.
#[derive(Debug, Clone, Default)]
pub struct TenantTerms {
    pub blame: Vec<String>,
    pub defensive: Vec<String>,
    pub self_flagellation: Vec<String>,
}

/// Whether a finding stops publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Blocker,
    Warning,
}

/// What a finding is about. docs/READINESS.md explains each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingCode {
    NoClientTimeline,
    NoRootCauseExplanation,
    NoImpactSummary,
    ImpactDescriptionMissing,
    NoImpactedClient,
    NoPreventionMeasure,
    IncidentNotResolved,
    PersonNamed,
    BlamingLanguage,
    DefensiveTone,
    SelfFlagellation,
    MeasureOwnerMissing,
    MeasureDueDateMissing,
    MeasureCriterionMissing,
    VagueMeasure,
    MeasurePastDue,
    MeasureKindMissing,
    MeetingTooSoon,
    MeetingBeforeSummary,
}

impl FindingCode {
    /// Whether an ADMIN may publish despite this blocker. An unresolved incident cannot be
    /// published at all: its review date and follow-through would have no resolution to
    /// count from.
    pub fn overridable(self) -> bool {
        self != FindingCode::IncidentNotResolved
    }
}

/// A list of the incident's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    TimelineEvent,
    RootCause,
    Impact,
    Measure,
}

impl Item {
    /// The incident's field that lists these records.
    pub fn list(self) -> &'static str {
        match self {
            Item::TimelineEvent => "timeline",
            Item::RootCause => "rootCauses",
            Item::Impact => "impacts",
            Item::Measure => "measures",
        }
    }
}

/// The object and field a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A field of the post-mortem, e.g. `impactSummary`.
    PostMortem(&'static str),
    /// A field of the incident, e.g. `incident.status`.
    Incident(&'static str),
    /// A whole list, e.g. `measures`.
    List(Item),
    /// A field of one record, e.g. `rootCauses[<id>].clientExplanation`.
    Record {
        item: Item,
        id: Uuid,
        field: &'static str,
    },
}

impl Target {
    /// The path of the target, naming records with `name` (the API's global ids).
    pub fn path(&self, name: impl Fn(Item, Uuid) -> String) -> String {
        match *self {
            Target::PostMortem(field) => field.to_owned(),
            Target::Incident(field) => format!("incident.{field}"),
            Target::List(item) => item.list().to_owned(),
            Target::Record { item, id, field } => {
                format!("{}[{}].{field}", item.list(), name(item, id))
            }
        }
    }
}

/// Names a record in a finding's path; the API layer names them by global id.
pub type NameRecord = fn(Item, Uuid) -> String;

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub target: Target,
    pub message: String,
    /// The offending words with some context, for language findings.
    pub excerpt: Option<String>,
}

impl Finding {
    fn new(
        code: FindingCode,
        severity: Severity,
        target: Target,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            target,
            message: message.into(),
            excerpt: None,
        }
    }

    fn blocker(code: FindingCode, target: Target, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Blocker, target, message)
    }

    fn warning(code: FindingCode, target: Target, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, target, message)
    }
}

/// Every finding about the snapshot, in a stable order: completeness, language, prevention,
/// cooling off.
pub fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings = completeness::check(snapshot);
    findings.extend(language::check(snapshot));
    findings.extend(prevention::check(snapshot));
    findings.extend(cooling_off::check(snapshot));
    findings
}

/// The findings about scheduling the client meeting only.
pub fn meeting_findings(snapshot: &Snapshot) -> Vec<Finding> {
    cooling_off::check(snapshot)
}

/// The findings that stop publication: every blocker, or when an ADMIN overrides, only the
/// blockers that cannot be overridden.
pub fn refusals(findings: &[Finding], overriding: bool) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Blocker)
        .filter(|f| !overriding || !f.code.overridable())
        .collect()
}

impl Finding {
    /// The finding as a refused publication's user error: on the input's `postMortemId`,
    /// with the finding's target beside it.
    pub fn to_field_error(&self) -> FieldError {
        FieldError {
            field: vec!["postMortemId".to_owned()],
            code: FieldErrorCode::NotReady(self.code),
            message: self.message.clone(),
            finding: Some(self.target),
        }
    }
}

/// Whether nothing in `findings` blocks publication.
pub fn ready(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity != Severity::Blocker)
}

#[cfg(test)]
mod tests {
    use super::sample::{self, codes};
    use super::*;

    #[test]
    fn an_override_lifts_every_blocker_but_an_unresolved_incident() {
        let mut s = sample::ready();
        s.post_mortem.impact_summary = String::new();
        let findings = check(&s);
        assert_eq!(refusals(&findings, false).len(), 1);
        assert!(refusals(&findings, true).is_empty());
        s.incident_status = IncidentStatus::Monitoring;
        let findings = check(&s);
        let kept: Vec<_> = refusals(&findings, true).iter().map(|f| f.code).collect();
        assert_eq!(kept, [FindingCode::IncidentNotResolved]);
        assert_eq!(codes(&s).len(), 2);
    }

    #[test]
    fn warnings_never_refuse_publication() {
        let mut s = sample::ready();
        s.post_mortem.went_well = "Nothing we could do.".into();
        let findings = check(&s);
        assert_eq!(findings.len(), 1);
        assert!(ready(&findings));
        assert!(refusals(&findings, false).is_empty());
    }

    #[test]
    fn a_refusal_is_on_the_input_and_names_the_finding_by_path_and_code() {
        let mut s = sample::ready();
        s.measures[0].owner_team = String::new();
        let findings = check(&s);
        let error = findings[0].to_field_error();
        assert_eq!(error.field, ["postMortemId"]);
        assert_eq!(
            error
                .finding
                .map(|t| t.path(|item, id| format!("{item:?}:{id}"))),
            Some(format!("measures[Measure:{}].ownerTeam", sample::id(4)))
        );
        assert_eq!(
            error.code,
            FieldErrorCode::NotReady(FindingCode::MeasureOwnerMissing)
        );
    }
}
