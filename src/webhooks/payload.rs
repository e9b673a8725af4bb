//! The messages Debrief sends: `{"type", "timestamp", "data"}` with ids only, never text. The
//! ids are the API's global ids, so a receiver can read the subject with its own token.

use crate::graphql::ids::{self, NodeType};
use crate::repo::webhooks::Message;
use chrono::{DateTime, SecondsFormat, Utc};
use entity::event;
use sea_orm::ActiveEnum;
use serde_json::json;
use uuid::Uuid;

/// The `type` of a test message.
pub const TEST_TYPE: &str = "webhook.test";

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The message for an event; its `webhook-id` is the event's global id.
pub fn event_message(event: &event::Model) -> Message {
    let id = ids::encode(NodeType::Event, event.id).0;
    let subject_id = match NodeType::from_name(&event.subject_type) {
        Some(node_type) => ids::encode(node_type, event.subject_id).0,
        None => event.subject_id.to_string(),
    };
    let message_type = event.event_type.to_value();
    let body = json!({
        "type": message_type,
        "timestamp": timestamp(event.occurred_at),
        "data": {
            "id": id,
            "position": event.position,
            "incidentId": event.incident_id.map(|i| ids::encode(NodeType::Incident, i).0),
            "subject": { "type": event.subject_type, "id": subject_id },
            "changedFields": event.changed_fields,
            "deadline": event.deadline.map(timestamp),
        }
    });
    Message {
        id,
        message_type,
        body: body.to_string(),
    }
}

/// A test message for the endpoint `endpoint_id`, with a `webhook-id` of its own.
pub fn test_message(endpoint_id: Uuid, at: DateTime<Utc>) -> Message {
    let id = format!("msg_test_{}", Uuid::now_v7().simple());
    let body = json!({
        "type": TEST_TYPE,
        "timestamp": timestamp(at),
        "data": { "endpointId": ids::encode(NodeType::WebhookEndpoint, endpoint_id).0 }
    });
    Message {
        id,
        message_type: TEST_TYPE.to_owned(),
        body: body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::webhook::PAYLOAD_MAX_BYTES;
    use entity::EventType;

    #[test]
    fn the_largest_event_fits_the_payload_limit() {
        let fields: Vec<String> = (0..200).map(|i| format!("someLongFieldName{i}")).collect();
        let event = event::Model {
            tenant_id: Uuid::now_v7(),
            id: Uuid::now_v7(),
            position: i64::MAX,
            event_type: EventType::PostMortemUnpublished,
            occurred_at: Utc::now(),
            actor_id: Some(Uuid::now_v7()),
            incident_id: Some(Uuid::now_v7()),
            subject_type: "PreventionMeasure".into(),
            subject_id: Uuid::now_v7(),
            changed_fields: json!(fields),
            deadline: Some(Utc::now()),
        };
        let message = event_message(&event);
        assert!(
            message.body.len() < PAYLOAD_MAX_BYTES,
            "{}",
            message.body.len()
        );
        let body: serde_json::Value = serde_json::from_str(&message.body).unwrap();
        assert_eq!(body["type"], "post_mortem.unpublished");
        assert_eq!(body["data"]["id"], message.id);
        assert!(body["data"].get("actor").is_none());
    }
}
