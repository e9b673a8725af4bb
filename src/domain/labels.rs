//! How stored values read in client-facing text.

use entity::{
    ImpactLevel, MeasureKind, MeasureStatus, RootCauseCategory, Severity, TimelineEventKind,
};

pub fn severity(value: Severity) -> &'static str {
    match value {
        Severity::Sev1 => "SEV1",
        Severity::Sev2 => "SEV2",
        Severity::Sev3 => "SEV3",
        Severity::Sev4 => "SEV4",
    }
}

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

pub fn impact_level(value: ImpactLevel) -> &'static str {
    match value {
        ImpactLevel::Degraded => "Degraded service",
        ImpactLevel::PartialOutage => "Partial outage",
        ImpactLevel::FullOutage => "Full outage",
    }
}

pub fn measure_kind(value: MeasureKind) -> &'static str {
    match value {
        MeasureKind::Technical => "Technical",
        MeasureKind::Process => "Process",
        MeasureKind::Monitoring => "Monitoring",
    }
}

pub fn measure_status(value: MeasureStatus) -> &'static str {
    match value {
        MeasureStatus::Planned => "Planned",
        MeasureStatus::InProgress => "In progress",
        MeasureStatus::Done => "Done",
        MeasureStatus::Cancelled => "Cancelled",
    }
}
