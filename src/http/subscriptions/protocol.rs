//! The messages and close codes of `graphql-transport-ws`, as the `graphql-ws` library's
//! PROTOCOL.md defines them.

use super::super::negotiate::{self, GraphQlParams};
use axum::extract::ws::{CloseFrame, Message};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};

/// The one subprotocol served.
pub const SUBPROTOCOL: &str = "graphql-transport-ws";

/// A message from the client. Anything else, including the server's own message types, is
/// an invalid message (4400).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Map<String, Value>>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Map<String, Value>>,
    },
    Pong {
        #[serde(default)]
        #[allow(dead_code)]
        // validated, then ignored: a pong only shows the client is there
        payload: Option<Map<String, Value>>,
    },
    Subscribe {
        id: String,
        #[serde(deserialize_with = "subscribe_payload")]
        payload: GraphQlParams,
    },
    Complete {
        id: String,
    },
}

/// What a `subscribe` message asks to run: the parameters of a GraphQL-over-HTTP request,
/// checked the same way (a document may be named by `documentId` or
/// `extensions.persistedQuery` here too).
fn subscribe_payload<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<GraphQlParams, D::Error> {
    let payload = Map::<String, Value>::deserialize(deserializer)?;
    negotiate::params(payload).map_err(serde::de::Error::custom)
}

impl ClientMessage {
    /// Reads a text frame; `None` for anything that is not a valid client message.
    pub fn parse(text: &str) -> Option<Self> {
        let message: Self = serde_json::from_str(text).ok()?;
        match &message {
            Self::Subscribe { id, .. } | Self::Complete { id } if id.is_empty() => None,
            _ => Some(message),
        }
    }
}

/// Why the server closes a socket, with the protocol's code for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Close {
    /// 4400: a message the protocol does not allow.
    InvalidMessage,
    /// 4401: `subscribe` before the connection was acknowledged.
    Unauthorized,
    /// 4403: the token was refused, has expired, or its user changed.
    Forbidden(String),
    /// 4406: the client did not offer `graphql-transport-ws`.
    SubprotocolNotAcceptable,
    /// 4408: no `connection_init` in time.
    InitTimeout,
    /// 4409: an operation id already running.
    DuplicateId(String),
    /// 4429: a second `connection_init`.
    TooManyInits,
    /// 1001: the server is shutting down.
    GoingAway,
    /// 1011: the server failed.
    InternalError,
    /// 1013: the server cannot take the socket now (the database is unreachable, or the
    /// user has too many sockets open); the client may retry later.
    TryAgainLater(&'static str),
}

impl Close {
    /// The code and reason sent.
    pub fn code_and_reason(&self) -> (u16, String) {
        match self {
            Self::InvalidMessage => (4400, "Invalid message received".into()),
            Self::Unauthorized => (4401, "Unauthorized".into()),
            Self::Forbidden(why) => (4403, format!("Forbidden: {}", short(why))),
            Self::SubprotocolNotAcceptable => (4406, "Subprotocol not acceptable".into()),
            Self::InitTimeout => (4408, "Connection initialisation timeout".into()),
            Self::DuplicateId(id) => (4409, format!("Subscriber for {} already exists", short(id))),
            Self::TooManyInits => (4429, "Too many initialisation requests".into()),
            Self::GoingAway => (1001, "The server is shutting down".into()),
            Self::InternalError => (1011, "Internal server error".into()),
            Self::TryAgainLater(why) => (1013, format!("Try again later: {why}")),
        }
    }

    /// The close frame.
    pub fn frame(&self) -> Message {
        let (code, reason) = self.code_and_reason();
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))
    }
}

/// The start of `text`, short enough for a close reason (which may hold at most 123 bytes).
fn short(text: &str) -> &str {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `connection_ack`.
pub fn ack() -> Message {
    text(json!({ "type": "connection_ack" }))
}

/// `ping`.
pub fn ping() -> Message {
    text(json!({ "type": "ping" }))
}

/// `pong`, echoing the ping's payload.
pub fn pong(payload: Option<Map<String, Value>>) -> Message {
    match payload {
        Some(payload) => text(json!({ "type": "pong", "payload": payload })),
        None => text(json!({ "type": "pong" })),
    }
}

/// A message about one operation, written straight to JSON (a subscription sends many).
#[derive(Serialize)]
struct About<'a, P: Serialize> {
    id: &'a str,
    r#type: &'static str,
    payload: P,
}

fn about(id: &str, r#type: &'static str, payload: impl Serialize) -> Message {
    match serde_json::to_string(&About {
        id,
        r#type,
        payload,
    }) {
        Ok(text) => Message::Text(text.into()),
        // Serializing a response cannot fail: it holds only JSON values and strings.
        Err(_) => text(json!({ "id": id, "type": r#type })),
    }
}

/// `next`: one execution result of operation `id`.
pub fn next(id: &str, payload: &async_graphql::Response) -> Message {
    about(id, "next", payload)
}

/// `error`: operation `id` was refused before it ran.
pub fn error(id: &str, errors: &[async_graphql::ServerError]) -> Message {
    about(id, "error", errors)
}

/// `complete`: operation `id` has nothing more to send.
pub fn complete(id: &str) -> Message {
    text(json!({ "id": id, "type": "complete" }))
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_valid_client_messages_parse() {
        assert!(ClientMessage::parse(r#"{"type":"connection_init"}"#).is_some());
        assert!(ClientMessage::parse(r#"{"type":"connection_init","payload":null}"#).is_some());
        assert!(ClientMessage::parse(r#"{"type":"ping","payload":{"a":1}}"#).is_some());
        assert!(ClientMessage::parse(r#"{"id":"1","type":"complete"}"#).is_some());
        let subscribe = r#"{"id":"1","type":"subscribe","payload":{"query":"{a}"}}"#;
        assert!(ClientMessage::parse(subscribe).is_some());
        let by_id = format!(
            r#"{{"id":"1","type":"subscribe","payload":{{"documentId":"sha256:{}"}}}}"#,
            "0".repeat(64)
        );
        assert!(ClientMessage::parse(&by_id).is_some());
        for invalid in [
            "",
            "[]",
            r#"{"type":"nonsense"}"#,
            r#"{"type":"connection_ack"}"#,
            r#"{"type":"next","id":"1","payload":{}}"#,
            r#"{"type":"ping","payload":"text"}"#,
            r#"{"type":"connection_init","payload":[1]}"#,
            r#"{"id":"","type":"complete"}"#,
            r#"{"id":1,"type":"complete"}"#,
            r#"{"id":"1","type":"subscribe","payload":{}}"#,
            r#"{"id":"1","type":"subscribe","payload":{"query":"{a}","variables":[]}}"#,
            r#"{"id":"1","type":"subscribe","payload":{"documentId":"sha256:0"}}"#,
        ] {
            assert!(ClientMessage::parse(invalid).is_none(), "{invalid}");
        }
    }

    #[test]
    fn close_reasons_fit_a_close_frame() {
        let long = "é".repeat(500);
        let (code, reason) = Close::DuplicateId(long).code_and_reason();
        assert_eq!(code, 4409);
        assert!(reason.len() <= 123, "{} bytes", reason.len());
    }
}
