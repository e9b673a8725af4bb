//! A `graphql-transport-ws` client over a real WebSocket, for tests that speak the protocol
//! message by message.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for any one message.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// One socket to `/graphql/ws`.
pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Answer the server's pings (as the official client does).
    pub answer_pings: bool,
}

/// What [`Socket::drain`] read.
#[derive(Debug, Default)]
pub struct Drained {
    pub payloads: Vec<Value>,
    /// Every message's text, one after the other.
    pub raw: String,
    /// Whether the socket closed.
    pub closed: bool,
}

/// How a socket ended: the close code and reason the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
    pub reason: String,
}

impl Socket {
    /// Opens a socket offering `graphql-transport-ws`.
    pub async fn open(url: &str) -> Self {
        Self::open_with(url, Some("graphql-transport-ws")).await
    }

    /// Opens a socket offering `protocol` (none when `None`).
    pub async fn open_with(url: &str, protocol: Option<&str>) -> Self {
        let (stream, _) = tokio_tungstenite::connect_async(Self::request(url, protocol))
            .await
            .expect("open a WebSocket");
        Self {
            stream,
            answer_pings: true,
        }
    }

    fn request(url: &str, protocol: Option<&str>) -> Request {
        let mut request = url.into_client_request().expect("request");
        if let Some(protocol) = protocol {
            request.headers_mut().insert(
                "sec-websocket-protocol",
                HeaderValue::from_str(protocol).expect("header"),
            );
        }
        request
    }

    /// Opens a socket, sends `connection_init` with `token`, and waits for the ack.
    pub async fn ready(url: &str, token: &str) -> Self {
        Self::acknowledged(Self::open(url).await, token).await
    }

    /// Like [`Self::ready`], over a connection whose receive buffer is as small as the
    /// system allows, so that a test that stops reading soon makes the server wait.
    pub async fn ready_with_small_buffers(url: &str, token: &str) -> Self {
        let request = Self::request(url, Some("graphql-transport-ws"));
        let address = request.uri().authority().expect("host").as_str().to_owned();
        let address: std::net::SocketAddr = address.parse().expect("a loopback address");
        let tcp = tokio::net::TcpSocket::new_v4().expect("socket");
        tcp.set_recv_buffer_size(4096).expect("buffer size");
        let stream = tcp.connect(address).await.expect("connect");
        let (stream, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .expect("open a WebSocket");
        let socket = Self {
            stream,
            answer_pings: true,
        };
        Self::acknowledged(socket, token).await
    }

    async fn acknowledged(mut socket: Self, token: &str) -> Self {
        socket.init(token).await;
        let ack = socket.message().await.expect("connection_ack");
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        socket
    }

    /// Sends `connection_init` with `token`.
    pub async fn init(&mut self, token: &str) {
        let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
        self.send(init).await;
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    /// Sends a text frame as it is.
    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::text(text))
            .await
            .expect("send a message");
    }

    /// Subscribes operation `id` to `query` with `variables`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } });
        self.send(message).await;
    }

    /// The next protocol message (the server's pings answered and skipped when
    /// `answer_pings`), or how the socket closed.
    pub async fn message(&mut self) -> Result<Value, Closed> {
        self.message_within(PATIENCE).await
    }

    /// Like [`Self::message`], failing the test after `patience`.
    pub async fn message_within(&mut self, patience: Duration) -> Result<Value, Closed> {
        loop {
            let frame = tokio::time::timeout(patience, self.stream.next())
                .await
                .expect("a message in time");
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(frame))) => {
                    return Err(frame.map_or(
                        Closed {
                            code: u16::from(CloseCode::Status),
                            reason: String::new(),
                        },
                        |f| Closed {
                            code: u16::from(f.code),
                            reason: f.reason.to_string(),
                        },
                    ));
                }
                Some(Ok(_)) => continue,
                Some(Err(Error::ConnectionClosed | Error::AlreadyClosed)) | None => {
                    return Err(Closed {
                        code: 1006,
                        reason: "dropped".into(),
                    });
                }
                Some(Err(error)) => panic!("socket failed: {error}"),
            };
            let message: Value = serde_json::from_str(&text).expect("JSON message");
            if message["type"] == "ping" && self.answer_pings {
                self.send(json!({ "type": "pong" })).await;
                continue;
            }
            return Ok(message);
        }
    }

    /// Waits for the server to close the socket, skipping other messages.
    pub async fn closed(&mut self) -> Closed {
        self.closed_within(PATIENCE).await
    }

    /// Like [`Self::closed`], failing the test after `patience`.
    pub async fn closed_within(&mut self, patience: Duration) -> Closed {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if let Err(closed) = self.message_within(left).await {
                return closed;
            }
        }
    }

    /// The payload of the next `next` message of operation `id`; fails on anything else.
    pub async fn next_of(&mut self, id: &str) -> Value {
        let message = self.message().await.expect("a message, not a close");
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        message["payload"].clone()
    }

    /// The payloads of every `next` of operation `id` until nothing has come for `quiet`
    /// or the socket closed, with the raw text of all of them and whether it closed.
    pub async fn drain(&mut self, id: &str, quiet: Duration) -> Drained {
        let mut drained = Drained::default();
        loop {
            let frame = match tokio::time::timeout(quiet, self.stream.next()).await {
                Err(_) => return drained,
                Ok(frame) => frame,
            };
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_)) | Err(_)) | None => {
                    drained.closed = true;
                    return drained;
                }
                Some(Ok(_)) => continue,
            };
            let message: Value = serde_json::from_str(&text).expect("JSON message");
            if message["type"] == "ping" {
                self.send(json!({ "type": "pong" })).await;
                continue;
            }
            assert_eq!(
                (message["type"].as_str(), message["id"].as_str()),
                (Some("next"), Some(id)),
                "{message}"
            );
            drained.raw.push_str(&text);
            drained.payloads.push(message["payload"].clone());
        }
    }

    /// Expects no message for `quiet` (pings aside).
    pub async fn expect_silence(&mut self, quiet: Duration) {
        let deadline = tokio::time::Instant::now() + quiet;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return;
            }
            match tokio::time::timeout(left, self.stream.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Text(text)))) if is_ping(&text) => {
                    if self.answer_pings {
                        self.send(json!({ "type": "pong" })).await;
                    }
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
                Ok(other) => panic!("expected silence, got {other:?}"),
            }
        }
    }

    /// Closes the socket from the client's side.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

fn is_ping(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|m| m["type"] == "ping")
}
