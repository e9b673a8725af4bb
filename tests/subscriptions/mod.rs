//! Live subscriptions (DESIGN.md section 10) over real WebSockets: the protocol message by
//! message, authentication for as long as the socket lives, the feed with nothing missed,
//! who sees what, and several servers on one database.

mod access;
mod cluster;
mod feed;
mod isolation;
mod protocol;

use crate::support::TestApp;
use crate::support::socket::Socket;
use serde_json::{Value, json};
use std::time::Duration;

/// `events` with the fields tests look at.
pub const EVENTS: &str = "subscription($filter: EventsFilter, $after: String) { events(filter: $filter, after: $after) { id type position cursor subjectId incident { id } } }";

/// Settings that keep socket tests quick: pings every second (a socket silent for two is
/// dropped), `connection_init` within 1 s.
pub fn quick_sockets(mut config: debrief::config::Config) -> debrief::config::Config {
    config.live.ping_interval = Duration::from_secs(1);
    config.live.init_timeout = Duration::from_secs(1);
    config
}

/// Opens a signed-in socket subscribed (as operation `id`) to `events` with `variables`,
/// and waits until the subscription is running, so that what happens next reaches it.
pub async fn subscribed(app: &TestApp, token: &str, id: &str, variables: Value) -> Socket {
    let mut socket = Socket::ready(&app.ws_url(), token).await;
    socket.subscribe(id, EVENTS, variables).await;
    settle().await;
    socket
}

/// Gives a subscription just sent the moment it takes to start.
pub async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Adds a timeline entry to `incident_id` as `token`; returns the entry's id.
pub async fn add_entry(app: &TestApp, token: &str, incident_id: &str, text: &str) -> String {
    let input = json!({ "incidentId": incident_id, "occurredAt": "2026-03-01T10:05:00Z", "body": text, "kind": "NOTE" });
    crate::support::record::mutate(
        app,
        token,
        crate::support::record::TIMELINE_CREATE,
        input,
        "timelineEventCreate",
        "timelineEvent",
    )
    .await
}
