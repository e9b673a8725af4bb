//! Opaque Relay global ids: `base64url("<Type>:<uuid>")`.

use crate::error::{AppError, AppResult};
use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The object types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Tenant,
    Incident,
    User,
    Client,
    Service,
    AuditEntry,
    TimelineEvent,
    RootCause,
    ClientImpact,
    PostMortem,
    PreventionMeasure,
    Feedback,
    Event,
    WebhookEndpoint,
    WebhookDelivery,
    ShareLink,
    ApiToken,
}

impl NodeType {
    const ALL: [NodeType; 17] = [
        Self::Tenant,
        Self::Incident,
        Self::User,
        Self::Client,
        Self::Service,
        Self::AuditEntry,
        Self::TimelineEvent,
        Self::RootCause,
        Self::ClientImpact,
        Self::PostMortem,
        Self::PreventionMeasure,
        Self::Feedback,
        Self::Event,
        Self::WebhookEndpoint,
        Self::WebhookDelivery,
        Self::ShareLink,
        Self::ApiToken,
    ];

    /// The GraphQL type name, which is also the prefix inside the id.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tenant => "Tenant",
            Self::Incident => "Incident",
            Self::User => "User",
            Self::Client => "Client",
            Self::Service => "Service",
            Self::AuditEntry => "AuditEntry",
            Self::TimelineEvent => "TimelineEvent",
            Self::RootCause => "RootCause",
            Self::ClientImpact => "ClientImpact",
            Self::PostMortem => "PostMortem",
            Self::PreventionMeasure => "PreventionMeasure",
            Self::Feedback => "Feedback",
            Self::Event => "Event",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::WebhookDelivery => "WebhookDelivery",
            Self::ShareLink => "ShareLink",
            Self::ApiToken => "ApiToken",
        }
    }

    /// The type whose GraphQL name is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// What a NOT_FOUND error calls this type.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::Incident => "incident",
            Self::User => "user",
            Self::Client => "client",
            Self::Service => "service",
            Self::AuditEntry => "audit entry",
            Self::TimelineEvent => "timeline event",
            Self::RootCause => "root cause",
            Self::ClientImpact => "client impact",
            Self::PostMortem => "post-mortem",
            Self::PreventionMeasure => "prevention measure",
            Self::Feedback => "feedback",
            Self::Event => "event",
            Self::WebhookEndpoint => "webhook endpoint",
            Self::WebhookDelivery => "webhook delivery",
            Self::ShareLink => "share link",
            Self::ApiToken => "service token",
        }
    }
}

pub fn encode(node_type: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name())))
}

/// Splits a global id into its type and uuid. Anything malformed is NOT_FOUND, like an id
/// that does not exist, so probing reveals nothing.
pub fn decode_any(id: &ID) -> AppResult<(NodeType, Uuid)> {
    let not_found = || AppError::not_found("node");
    let bytes = URL_SAFE_NO_PAD
        .decode(id.as_str())
        .map_err(|_| not_found())?;
    let text = String::from_utf8(bytes).map_err(|_| not_found())?;
    let (name, uuid) = text.split_once(':').ok_or_else(not_found)?;
    let node_type = NodeType::from_name(name).ok_or_else(not_found)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| not_found())?;
    Ok((node_type, uuid))
}

/// The uuid of a global id that must be of `expected` type.
pub fn decode(id: &ID, expected: NodeType) -> AppResult<Uuid> {
    match decode_any(id) {
        Ok((node_type, uuid)) if node_type == expected => Ok(uuid),
        _ => Err(AppError::not_found(expected.noun())),
    }
}

/// The uuid of an id that narrows a list. A malformed id, or one of the wrong type, is the
/// caller's mistake (BAD_USER_INPUT); a well-formed id of another tenant simply matches nothing.
pub fn decode_filter(id: &ID, expected: Option<NodeType>, argument: &str) -> AppResult<Uuid> {
    match (decode_any(id), expected) {
        (Ok((_, uuid)), None) => Ok(uuid),
        (Ok((node_type, uuid)), Some(expected)) if node_type == expected => Ok(uuid),
        _ => Err(AppError::bad_input(format!(
            "`{argument}` is not a valid id{}",
            expected.map_or(String::new(), |t| format!(" of a {}", t.noun()))
        ))),
    }
}

/// Decodes a list of ids of one type, keeping positions for error paths.
pub fn decode_all(ids: &[ID], expected: NodeType) -> Result<Vec<Uuid>, usize> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| decode(id, expected).map_err(|_| i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let uuid = Uuid::now_v7();
        let id = encode(NodeType::Incident, uuid);
        assert_eq!(decode(&id, NodeType::Incident).unwrap(), uuid);
        assert!(decode(&id, NodeType::User).is_err());
        assert!(decode(&ID("garbage!".into()), NodeType::Incident).is_err());
    }
}
