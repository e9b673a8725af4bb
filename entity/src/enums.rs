//! Enumerations stored as short strings, so both SQLite and PostgreSQL hold readable values.

use sea_orm::entity::prelude::*;

/// What a user may do within their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "EDITOR")]
    Editor,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
    #[sea_orm(string_value = "CLIENT")]
    Client,
    #[sea_orm(string_value = "REPORTER")]
    Reporter,
}

/// How serious an incident is; SEV1 is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Severity {
    #[sea_orm(string_value = "SEV1")]
    Sev1,
    #[sea_orm(string_value = "SEV2")]
    Sev2,
    #[sea_orm(string_value = "SEV3")]
    Sev3,
    #[sea_orm(string_value = "SEV4")]
    Sev4,
}

/// Where the response to an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum IncidentStatus {
    #[sea_orm(string_value = "INVESTIGATING")]
    Investigating,
    #[sea_orm(string_value = "IDENTIFIED")]
    Identified,
    #[sea_orm(string_value = "MONITORING")]
    Monitoring,
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
}

/// Whether blame findings warn or block publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum BlamelessPolicy {
    #[sea_orm(string_value = "WARN")]
    Warn,
    #[sea_orm(string_value = "BLOCK")]
    Block,
}

/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum TimelineEventKind {
    #[sea_orm(string_value = "STARTED")]
    Started,
    #[sea_orm(string_value = "DETECTED")]
    Detected,
    #[sea_orm(string_value = "RESPONSE_INITIATED")]
    ResponseInitiated,
    #[sea_orm(string_value = "CAUSE_IDENTIFIED")]
    CauseIdentified,
    #[sea_orm(string_value = "MITIGATED")]
    Mitigated,
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
    #[sea_orm(string_value = "CLIENT_NOTIFIED")]
    ClientNotified,
    #[sea_orm(string_value = "NOTE")]
    Note,
}

/// Who may read a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Visibility {
    #[sea_orm(string_value = "INTERNAL")]
    Internal,
    #[sea_orm(string_value = "CLIENT")]
    Client,
}

/// Whether a cause is the root cause or a contributing factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum RootCauseKind {
    #[sea_orm(string_value = "ROOT_CAUSE")]
    RootCause,
    #[sea_orm(string_value = "CONTRIBUTING_FACTOR")]
    ContributingFactor,
}

/// The kind of system or process that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum RootCauseCategory {
    #[sea_orm(string_value = "CODE_CHANGE")]
    CodeChange,
    #[sea_orm(string_value = "CONFIGURATION")]
    Configuration,
    #[sea_orm(string_value = "INFRASTRUCTURE")]
    Infrastructure,
    #[sea_orm(string_value = "CAPACITY")]
    Capacity,
    #[sea_orm(string_value = "THIRD_PARTY")]
    ThirdParty,
    #[sea_orm(string_value = "PROCESS")]
    Process,
    #[sea_orm(string_value = "MONITORING_GAP")]
    MonitoringGap,
    #[sea_orm(string_value = "SECURITY")]
    Security,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// How badly a client was affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ImpactLevel {
    #[sea_orm(string_value = "DEGRADED")]
    Degraded,
    #[sea_orm(string_value = "PARTIAL_OUTAGE")]
    PartialOutage,
    #[sea_orm(string_value = "FULL_OUTAGE")]
    FullOutage,
}

/// Where a post-mortem stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PostMortemStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    #[sea_orm(string_value = "REVIEWED")]
    Reviewed,
}

/// What a prevention measure changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MeasureKind {
    #[sea_orm(string_value = "TECHNICAL")]
    Technical,
    #[sea_orm(string_value = "PROCESS")]
    Process,
    #[sea_orm(string_value = "MONITORING")]
    Monitoring,
}

/// Where a prevention measure stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MeasureStatus {
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// The effectiveness review's verdict on a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum Effectiveness {
    #[sea_orm(string_value = "NOT_REVIEWED")]
    NotReviewed,
    #[sea_orm(string_value = "EFFECTIVE")]
    Effective,
    #[sea_orm(string_value = "PARTIALLY_EFFECTIVE")]
    PartiallyEffective,
    #[sea_orm(string_value = "NOT_EFFECTIVE")]
    NotEffective,
}

/// When a client gave a confidence rating: decided by the post-mortem's state at the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ConfidencePhase {
    /// The post-mortem was PUBLISHED: the client has read the written summary.
    #[sea_orm(string_value = "AT_PUBLICATION")]
    AtPublication,
    /// The post-mortem was REVIEWED: the client has read what was implemented.
    #[sea_orm(string_value = "AFTER_REVIEW")]
    AfterReview,
}

/// What a client's feedback is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FeedbackKind {
    #[sea_orm(string_value = "QUESTION")]
    Question,
    #[sea_orm(string_value = "CONCERN")]
    Concern,
    #[sea_orm(string_value = "SUGGESTION")]
    Suggestion,
}

/// Where a feedback thread stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum FeedbackStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "ANSWERED")]
    Answered,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// What an event says happened, stored under its webhook wire name (`post_mortem.published`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))")]
pub enum EventType {
    #[sea_orm(string_value = "incident.created")]
    IncidentCreated,
    #[sea_orm(string_value = "incident.updated")]
    IncidentUpdated,
    #[sea_orm(string_value = "incident.resolved")]
    IncidentResolved,
    #[sea_orm(string_value = "incident.deleted")]
    IncidentDeleted,
    #[sea_orm(string_value = "timeline_event.created")]
    TimelineEventCreated,
    #[sea_orm(string_value = "timeline_event.updated")]
    TimelineEventUpdated,
    #[sea_orm(string_value = "timeline_event.deleted")]
    TimelineEventDeleted,
    #[sea_orm(string_value = "root_cause.changed")]
    RootCauseChanged,
    #[sea_orm(string_value = "client_impact.changed")]
    ClientImpactChanged,
    #[sea_orm(string_value = "post_mortem.updated")]
    PostMortemUpdated,
    #[sea_orm(string_value = "meeting.scheduled")]
    MeetingScheduled,
    #[sea_orm(string_value = "post_mortem.published")]
    PostMortemPublished,
    #[sea_orm(string_value = "post_mortem.unpublished")]
    PostMortemUnpublished,
    #[sea_orm(string_value = "post_mortem.reviewed")]
    PostMortemReviewed,
    #[sea_orm(string_value = "measure.created")]
    MeasureCreated,
    #[sea_orm(string_value = "measure.updated")]
    MeasureUpdated,
    #[sea_orm(string_value = "measure.completed")]
    MeasureCompleted,
    #[sea_orm(string_value = "measure.deleted")]
    MeasureDeleted,
    #[sea_orm(string_value = "feedback.submitted")]
    FeedbackSubmitted,
    #[sea_orm(string_value = "feedback.replied")]
    FeedbackReplied,
    #[sea_orm(string_value = "feedback.closed")]
    FeedbackClosed,
    #[sea_orm(string_value = "confidence.rated")]
    ConfidenceRated,
    #[sea_orm(string_value = "directory.changed")]
    DirectoryChanged,
    #[sea_orm(string_value = "measure.overdue")]
    MeasureOverdue,
    #[sea_orm(string_value = "review.due")]
    ReviewDue,
    #[sea_orm(string_value = "post_mortem.due")]
    PostMortemDue,
    #[sea_orm(string_value = "feedback.overdue")]
    FeedbackOverdue,
}

/// Where one webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DeliveryStatus {
    /// Not attempted yet, or queued again by hand.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// The endpoint answered 2xx.
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    /// The last attempt failed; another is scheduled.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// No attempt is scheduled any more: the schedule ran out, the endpoint answered 410
    /// Gone, or the body was over the size limit.
    #[sea_orm(string_value = "GAVE_UP")]
    GaveUp,
}
