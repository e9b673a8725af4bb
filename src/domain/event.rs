//! Which events a change writes, and who may read them.

use entity::EventType;
use serde_json::{Map, Value};

/// Every kind of committed change, as its audit entry names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    TenantCreate,
    TenantSettingsUpdate,
    UserCreate,
    UserUpdate,
    UserDeactivate,
    ClientCreate,
    ClientUpdate,
    ServiceCreate,
    ServiceUpdate,
    IncidentCreate,
    IncidentUpdate,
    IncidentDelete,
    TimelineEventCreate,
    TimelineEventUpdate,
    TimelineEventDelete,
    RootCauseCreate,
    RootCauseUpdate,
    RootCauseDelete,
    ClientImpactCreate,
    ClientImpactUpdate,
    ClientImpactDelete,
    PostMortemUpdate,
    PostMortemScheduleMeeting,
    PostMortemPublish,
    PostMortemUnpublish,
    EffectivenessReviewRecord,
    MeasureCreate,
    MeasureUpdate,
    MeasureDelete,
    MeasureJudge,
    FeedbackSubmit,
    FeedbackReply,
    FeedbackClose,
    ConfidenceRate,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
    WebhookEndpointDelete,
    WebhookEndpointRotateSecret,
    WebhookEndpointDisable,
    WebhookTestSend,
    WebhookDeliveryRetry,
    ShareLinkCreate,
    ShareLinkRevoke,
    ApiTokenCreate,
    ApiTokenRevoke,
    NotificationPreferencesUpdate,
    NotificationUnsubscribe,
}

impl Action {
    /// The dotted verb of the audit entry, e.g. `incident.update`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenantCreate => "tenant.create",
            Self::TenantSettingsUpdate => "tenant.settings_update",
            Self::UserCreate => "user.create",
            Self::UserUpdate => "user.update",
            Self::UserDeactivate => "user.deactivate",
            Self::ClientCreate => "client.create",
            Self::ClientUpdate => "client.update",
            Self::ServiceCreate => "service.create",
            Self::ServiceUpdate => "service.update",
            Self::IncidentCreate => "incident.create",
            Self::IncidentUpdate => "incident.update",
            Self::IncidentDelete => "incident.delete",
            Self::TimelineEventCreate => "timeline_event.create",
            Self::TimelineEventUpdate => "timeline_event.update",
            Self::TimelineEventDelete => "timeline_event.delete",
            Self::RootCauseCreate => "root_cause.create",
            Self::RootCauseUpdate => "root_cause.update",
            Self::RootCauseDelete => "root_cause.delete",
            Self::ClientImpactCreate => "client_impact.create",
            Self::ClientImpactUpdate => "client_impact.update",
            Self::ClientImpactDelete => "client_impact.delete",
            Self::PostMortemUpdate => "post_mortem.update",
            Self::PostMortemScheduleMeeting => "post_mortem.schedule_meeting",
            Self::PostMortemPublish => "post_mortem.publish",
            Self::PostMortemUnpublish => "post_mortem.unpublish",
            Self::EffectivenessReviewRecord => "effectiveness_review.record",
            Self::MeasureCreate => "prevention_measure.create",
            Self::MeasureUpdate => "prevention_measure.update",
            Self::MeasureDelete => "prevention_measure.delete",
            Self::MeasureJudge => "prevention_measure.judge",
            Self::FeedbackSubmit => "feedback.submit",
            Self::FeedbackReply => "feedback.reply",
            Self::FeedbackClose => "feedback.close",
            Self::ConfidenceRate => "confidence.rate",
            Self::WebhookEndpointCreate => "webhook_endpoint.create",
            Self::WebhookEndpointUpdate => "webhook_endpoint.update",
            Self::WebhookEndpointDelete => "webhook_endpoint.delete",
            Self::WebhookEndpointRotateSecret => "webhook_endpoint.rotate_secret",
            Self::WebhookEndpointDisable => "webhook_endpoint.disable",
            Self::WebhookTestSend => "webhook_endpoint.send_test",
            Self::WebhookDeliveryRetry => "webhook_delivery.retry",
            Self::ShareLinkCreate => "share_link.create",
            Self::ShareLinkRevoke => "share_link.revoke",
            Self::ApiTokenCreate => "api_token.create",
            Self::ApiTokenRevoke => "api_token.revoke",
            Self::NotificationPreferencesUpdate => "notification_preferences.update",
            Self::NotificationUnsubscribe => "notification_preferences.unsubscribe",
        }
    }

    /// The events a change of this kind writes, given its audit diff
    /// (`{ field: { "from": …, "to": … } }`): one per change, plus one for a status it
    /// reached that integrations wait for (an incident RESOLVED, a measure DONE).
    pub fn events(self, changes: &Map<String, Value>) -> Vec<EventType> {
        use EventType as E;
        let main = match self {
            Self::TenantCreate
            | Self::TenantSettingsUpdate
            | Self::UserCreate
            | Self::UserUpdate
            | Self::UserDeactivate
            | Self::ClientCreate
            | Self::ClientUpdate
            | Self::ServiceCreate
            | Self::ServiceUpdate
            | Self::WebhookEndpointCreate
            | Self::WebhookEndpointUpdate
            | Self::WebhookEndpointDelete
            | Self::WebhookEndpointRotateSecret
            | Self::WebhookEndpointDisable
            | Self::ApiTokenCreate
            | Self::ApiTokenRevoke => E::DirectoryChanged,
            // Sending is not a change to the record, nor is handing a client a link to it:
            // audited, but no event.
            Self::WebhookTestSend
            | Self::WebhookDeliveryRetry
            | Self::ShareLinkCreate
            | Self::ShareLinkRevoke => return Vec::new(),
            // How one person wants to be told is theirs, not the record's: audited, no event.
            Self::NotificationPreferencesUpdate | Self::NotificationUnsubscribe => {
                return Vec::new();
            }
            Self::IncidentCreate => E::IncidentCreated,
            Self::IncidentUpdate => E::IncidentUpdated,
            Self::IncidentDelete => E::IncidentDeleted,
            Self::TimelineEventCreate => E::TimelineEventCreated,
            Self::TimelineEventUpdate => E::TimelineEventUpdated,
            Self::TimelineEventDelete => E::TimelineEventDeleted,
            Self::RootCauseCreate | Self::RootCauseUpdate | Self::RootCauseDelete => {
                E::RootCauseChanged
            }
            Self::ClientImpactCreate | Self::ClientImpactUpdate | Self::ClientImpactDelete => {
                E::ClientImpactChanged
            }
            Self::PostMortemUpdate => E::PostMortemUpdated,
            Self::PostMortemScheduleMeeting => E::MeetingScheduled,
            Self::PostMortemPublish => E::PostMortemPublished,
            Self::PostMortemUnpublish => E::PostMortemUnpublished,
            Self::EffectivenessReviewRecord => E::PostMortemReviewed,
            Self::MeasureCreate => E::MeasureCreated,
            Self::MeasureUpdate | Self::MeasureJudge => E::MeasureUpdated,
            Self::MeasureDelete => E::MeasureDeleted,
            Self::FeedbackSubmit => E::FeedbackSubmitted,
            Self::FeedbackReply => E::FeedbackReplied,
            Self::FeedbackClose => E::FeedbackClosed,
            Self::ConfidenceRate => E::ConfidenceRated,
        };
        let reached = match self {
            Self::IncidentUpdate if status_became(changes, "RESOLVED") => Some(E::IncidentResolved),
            Self::MeasureUpdate if status_became(changes, "DONE") => Some(E::MeasureCompleted),
            _ => None,
        };
        std::iter::once(main).chain(reached).collect()
    }
}

fn status_became(changes: &Map<String, Value>, status: &str) -> bool {
    changes
        .get("status")
        .and_then(|change| change.get("to"))
        .and_then(Value::as_str)
        == Some(status)
}

/// The only events a CLIENT user reads, and only about published post-mortems of incidents
/// that impacted their client (FEEDBACK_REPLIED: staff replies in their own threads).
pub const CLIENT_READABLE: [EventType; 4] = [
    EventType::PostMortemPublished,
    EventType::PostMortemReviewed,
    EventType::MeasureCompleted,
    EventType::FeedbackReplied,
];

/// Whether the scheduler, not a mutation, writes events of this type.
pub fn is_time_driven(event_type: EventType) -> bool {
    matches!(
        event_type,
        EventType::MeasureOverdue
            | EventType::ReviewDue
            | EventType::PostMortemDue
            | EventType::FeedbackOverdue
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn resolving_an_incident_writes_the_update_and_the_resolution() {
        let resolved = changes(json!({ "status": { "from": "MONITORING", "to": "RESOLVED" } }));
        assert_eq!(
            Action::IncidentUpdate.events(&resolved),
            [EventType::IncidentUpdated, EventType::IncidentResolved]
        );
        let retitled = changes(json!({ "title": { "from": "a", "to": "b" } }));
        assert_eq!(
            Action::IncidentUpdate.events(&retitled),
            [EventType::IncidentUpdated]
        );
    }

    #[test]
    fn finishing_a_measure_writes_the_update_and_the_completion() {
        let done = changes(json!({ "status": { "from": "IN_PROGRESS", "to": "DONE" } }));
        assert_eq!(
            Action::MeasureUpdate.events(&done),
            [EventType::MeasureUpdated, EventType::MeasureCompleted]
        );
    }

    #[test]
    fn clients_read_no_time_driven_event() {
        assert!(CLIENT_READABLE.iter().all(|t| !is_time_driven(*t)));
    }
}
