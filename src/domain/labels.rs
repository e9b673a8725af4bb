//! How stored values read in client-facing text.

use entity::{
    FeedbackKind, ImpactLevel, MeasureKind, MeasureStatus, RootCauseCategory, Severity,
    TimelineEventKind,
};

/// The severity as written in summaries.
pub fn severity(value: Severity) -> &'static str {
    match value {
        Severity::Sev1 => "SEV1",
        Severity::Sev2 => "SEV2",
        Severity::Sev3 => "SEV3",
        Severity::Sev4 => "SEV4",
    }
}

/// A timeline entry's kind as written in summaries.
pub fn event_kind(value: TimelineEventKind) -> &'static str {
    match value {
        TimelineEventKind::Started => "Started",
        TimelineEventKind::Detected => "Detected",
        TimelineEventKind::ResponseInitiated => "Response initiated",
        TimelineEventKind::CauseIdentified => "Cause identified",
        TimelineEventKind::Mitigated => "Mitigated",
        TimelineEventKind::Resolved => "Resolved",
        TimelineEventKind::ClientNotified => "Clients notified",
        TimelineEventKind::Note => "Note",
    }
}

/// A root cause category as written in summaries.
pub fn category(value: RootCauseCategory) -> &'static str {
    match value {
        RootCauseCategory::CodeChange => "Code change",
        RootCauseCategory::Configuration => "Configuration",
        RootCauseCategory::Infrastructure => "Infrastructure",
        RootCauseCategory::Capacity => "Capacity",
        RootCauseCategory::ThirdParty => "Third party",
        RootCauseCategory::Process => "Process",
        RootCauseCategory::MonitoringGap => "Monitoring gap",
        RootCauseCategory::Security => "Security",
        RootCauseCategory::Other => "Other",
    }
}

/// An impact level as written in summaries.
pub fn impact_level(value: ImpactLevel) -> &'static str {
    match value {
        ImpactLevel::Degraded => "Degraded service",
        ImpactLevel::PartialOutage => "Partial outage",
        ImpactLevel::FullOutage => "Full outage",
    }
}

/// A measure kind as written in summaries.
pub fn measure_kind(value: MeasureKind) -> &'static str {
    match value {
        MeasureKind::Technical => "Technical",
        MeasureKind::Process => "Process",
        MeasureKind::Monitoring => "Monitoring",
    }
}

/// A measure status as written in summaries.
pub fn measure_status(value: MeasureStatus) -> &'static str {
    match value {
        MeasureStatus::Planned => "Planned",
        MeasureStatus::InProgress => "In progress",
        MeasureStatus::Done => "Done",
        MeasureStatus::Cancelled => "Cancelled",
    }
}

/// A feedback kind as written in reports.
pub fn feedback_kind(value: FeedbackKind) -> &'static str {
    match value {
        FeedbackKind::Question => "Question",
        FeedbackKind::Concern => "Concern",
        FeedbackKind::Suggestion => "Suggestion",
    }
}
