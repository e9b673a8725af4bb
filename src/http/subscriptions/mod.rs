//! `GET /graphql/ws`: GraphQL over WebSocket with the `graphql-transport-ws` protocol, the
//! one the `graphql-ws` library (and so Apollo Client, urql and Relay) speaks.
//!
//! The protocol is handled here rather than by async-graphql's own WebSocket support, which
//! closes a refused `connection_init` with 1002 instead of 4403, has no initialisation
//! timeout, replaces an operation whose id is reused, never pings, and never notices that a
//! token expired.

mod operation;
mod protocol;
mod session;

use super::server::ConnectionSlot;
use super::{AppState, MAX_BODY_BYTES};
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::response::Response;
use futures_util::SinkExt;
use protocol::{Close, SUBPROTOCOL};

/// Buffers per socket: small, since a subscriber's messages are small and thousands of
/// sockets may idle on one server (a larger message takes more reads, not more memory).
const SOCKET_BUFFER_BYTES: usize = 1024;

/// Upgrades to a WebSocket and serves it; a client that did not offer
/// `graphql-transport-ws` is closed with 4406. The socket keeps its connection's place among
/// `--max-connections` while it is open.
pub async fn upgrade(
    State(state): State<AppState>,
    slot: Option<Extension<ConnectionSlot>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols([SUBPROTOCOL])
        .read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .on_failed_upgrade(|error| tracing::debug!(%error, "a WebSocket upgrade failed"))
        .on_upgrade(move |socket| async move {
            let _slot = slot;
            if socket.protocol().is_some_and(|p| p == SUBPROTOCOL) {
                let _counted = state.metrics.subscription_opened();
                session::serve(socket, state).await;
            } else {
                refuse(socket).await;
            }
        })
}

async fn refuse(mut socket: WebSocket) {
    let _ = socket.send(Close::SubprotocolNotAcceptable.frame()).await;
    let _ = socket.close().await;
}
