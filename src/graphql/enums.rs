//! API enums. Stored enums are mirrored from the entity crate with `remote`, so the two can
//! never drift apart silently: a new variant fails to compile until it is added here.

use async_graphql::Enum;

/// What a user may do within their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Role")]
pub enum Role {
    /// Manages users, clients, services and settings; everything an EDITOR does; reads the audit log.
    Admin,
    /// Writes incidents and post-mortems, publishes and reviews them.
    Editor,
    /// Reads all of the tenant's internal data.
    Viewer,
    /// A client contact: reads published post-mortems that concern their client, sends feedback.
    Client,
    /// A reporting tool: reads metrics and incidents without internal text.
    Reporter,
}

/// How serious an incident is; SEV1 is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Severity")]
pub enum Severity {
    /// Critical: a major outage for many clients.
    #[graphql(name = "SEV1")]
    Sev1,
    /// Major: significant degradation or a partial outage.
    #[graphql(name = "SEV2")]
    Sev2,
    /// Minor: limited impact with a workaround.
    #[graphql(name = "SEV3")]
    Sev3,
    /// Low: cosmetic or negligible impact.
    #[graphql(name = "SEV4")]
    Sev4,
}

/// Where the response to an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::IncidentStatus")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

/// Whether blame findings warn or block publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::BlamelessPolicy")]
pub enum BlamelessPolicy {
    /// Blame findings are warnings.
    Warn,
    /// Blame findings block publication.
    Block,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::repo::Direction")]
pub enum OrderDirection {
    Asc,
    Desc,
}

/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::TimelineEventKind")]
pub enum TimelineEventKind {
    Started,
    Detected,
    ResponseInitiated,
    CauseIdentified,
    Mitigated,
    Resolved,
    ClientNotified,
    Note,
}

/// Who may read a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Visibility")]
pub enum Visibility {
    /// The provider's staff only.
    Internal,
    /// Also the clients the incident impacted, once the post-mortem is published.
    Client,
}

/// Whether a cause is the root cause or a contributing factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::RootCauseKind")]
pub enum RootCauseKind {
    RootCause,
    ContributingFactor,
}

/// The kind of system or process that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::RootCauseCategory")]
pub enum RootCauseCategory {
    CodeChange,
    Configuration,
    Infrastructure,
    Capacity,
    ThirdParty,
    Process,
    MonitoringGap,
    Security,
    Other,
}

/// How badly a client was affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ImpactLevel")]
pub enum ImpactLevel {
    Degraded,
    PartialOutage,
    FullOutage,
}

/// Where a post-mortem stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::PostMortemStatus")]
pub enum PostMortemStatus {
    /// Being written; clients cannot see it.
    Draft,
    /// Shared with the impacted clients.
    Published,
    /// Its 30-day effectiveness review is recorded.
    Reviewed,
}

/// What a prevention measure changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::MeasureKind")]
pub enum MeasureKind {
    Technical,
    Process,
    Monitoring,
}

/// Where a prevention measure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::MeasureStatus")]
pub enum MeasureStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

/// When a confidence rating was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::ConfidencePhase")]
pub enum ConfidencePhase {
    /// While the post-mortem was PUBLISHED, before its review.
    AtPublication,
    /// After the review (the post-mortem was REVIEWED).
    AfterReview,
}

/// The effectiveness review's verdict on a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::Effectiveness")]
pub enum Effectiveness {
    NotReviewed,
    Effective,
    PartiallyEffective,
    NotEffective,
}

/// A review's verdict on one measure: `Effectiveness` without NOT_REVIEWED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum VerdictEffectiveness {
    /// It prevented what it was meant to prevent.
    Effective,
    /// It helped, but not fully.
    PartiallyEffective,
    /// It did not help.
    NotEffective,
}

impl From<VerdictEffectiveness> for entity::Effectiveness {
    fn from(verdict: VerdictEffectiveness) -> Self {
        match verdict {
            VerdictEffectiveness::Effective => Self::Effective,
            VerdictEffectiveness::PartiallyEffective => Self::PartiallyEffective,
            VerdictEffectiveness::NotEffective => Self::NotEffective,
        }
    }
}

/// How a written document is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Default)]
pub enum DocumentFormat {
    /// CommonMark text.
    #[default]
    Markdown,
    /// Sanitised HTML rendered from the Markdown: a fragment to place in a page.
    Html,
    /// A whole HTML page around the sanitised fragment, with its charset, title and a print
    /// style sheet: ready to open, print or attach to an email.
    StandaloneHtml,
}

/// What a client's feedback is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::FeedbackKind")]
pub enum FeedbackKind {
    Question,
    Concern,
    Suggestion,
}

/// Where a feedback thread stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::FeedbackStatus")]
pub enum FeedbackStatus {
    /// Waiting for the provider.
    Open,
    /// The provider replied; the client may follow up.
    Answered,
    /// Finished.
    Closed,
}
