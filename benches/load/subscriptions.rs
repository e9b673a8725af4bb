//! Live subscriptions under load (issue 17), against release servers on one database:
//! - commit-to-subscriber latency across two servers: Q5 written on one at a fixed rate, the
//!   subscriber on the other, each message timed from its event's `occurredAt` (targets: p99
//!   ≤ 1 s on PostgreSQL, ≤ 200 ms on SQLite);
//! - 2,000 idle subscriptions on one server: the server's extra resident memory (target ≤ 100
//!   MiB) and the extra PostgreSQL connections (target exactly 1, the listener);
//! - Q5's closed-loop throughput with 200 live subscribers, against none, in alternating
//!   rounds (target ≥ 90 %): once with each subscriber following one incident (a staff app's
//!   incident page; one of them the incident Q5 writes to), once with all 200 following the
//!   whole feed, so that every write is sent 200 times. The subscribers only count what
//!   arrives, so the load generator, on the same two cores, takes as little as it can.

use crate::drive::{self, Request, Run};
use crate::server::Server;
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The rate of the latency measurement.
const WRITES_PER_SECOND: u32 = 50;
const IDLE_SUBSCRIPTIONS: usize = 2_000;
const LIVE_SUBSCRIBERS: usize = 200;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A socket to `endpoint`'s server, signed in and subscribed to `events` narrowed by
/// `filter` (JSON `null` for the whole feed).
async fn subscriber(endpoint: &str, token: &str, filter: Value) -> Socket {
    let url = endpoint.replacen("http", "ws", 1) + "/ws";
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("open a socket");
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket
        .send(Message::text(init.to_string()))
        .await
        .expect("init");
    let ack = socket.next().await.expect("ack").expect("ack");
    assert!(
        ack.to_text().expect("text").contains("connection_ack"),
        "{ack:?}"
    );
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($filter: EventsFilter) { events(filter: $filter) { occurredAt } }",
        "variables": { "filter": filter } } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .expect("subscribe");
    socket
}

/// Reads `socket` until it ends, counting what arrives, answering pings.
async fn count(mut socket: Socket, arrived: Arc<AtomicU64>) {
    while let Some(Ok(frame)) = socket.next().await {
        let Ok(text) = frame.to_text() else { continue };
        if text.starts_with(r#"{"type":"ping""#) {
            let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
        } else {
            arrived.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Reads `socket` until it ends, timing each event from its commit, answering pings.
async fn listen(mut socket: Socket, latencies: Arc<Mutex<Vec<Duration>>>) {
    while let Some(Ok(frame)) = socket.next().await {
        let Ok(text) = frame.to_text() else { continue };
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        if message["type"] == "ping" {
            let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
            continue;
        }
        let Some(occurred) = message["payload"]["data"]["events"]["occurredAt"].as_str() else {
            continue;
        };
        let committed: chrono::DateTime<chrono::Utc> = occurred.parse().expect("RFC 3339");
        let latency = (chrono::Utc::now() - committed)
            .to_std()
            .unwrap_or_default();
        latencies.lock().expect("latencies").push(latency);
    }
}

/// Subscribers of `endpoint`, one per filter, each read by a task of its own, and how many
/// messages they received.
async fn listening(
    endpoint: &str,
    token: &str,
    filters: &[Value],
) -> (Vec<tokio::task::JoinHandle<()>>, Arc<AtomicU64>) {
    let arrived = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    for filter in filters {
        let socket = subscriber(endpoint, token, filter.clone()).await;
        readers.push(tokio::spawn(count(socket, arrived.clone())));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    (readers, arrived)
}

/// One filter per subscriber: each on an incident of its own, the first on the one `write`
/// goes to; or all on the whole feed.
async fn subscriber_filters(write: &Request, per_incident: bool) -> Vec<Value> {
    if !per_incident {
        return vec![Value::Null; LIVE_SUBSCRIBERS];
    }
    let body: Value = serde_json::from_slice(&write.body).expect("Q5's body");
    let written = body["variables"]["input"]["incidentId"].clone();
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut after = Value::Null;
    while ids.len() < LIVE_SUBSCRIBERS - 1 {
        let page = json!({ "query": "query($after: String) { incidents(first: 100, after: $after) { nodes { id } pageInfo { endCursor } } }", "variables": { "after": after } });
        let page = crate::ops::post(&http, &write.endpoint, &write.token, &page).await;
        let incidents = &page["data"]["incidents"];
        let nodes = incidents["nodes"].as_array().expect("incidents");
        ids.extend(nodes.iter().map(|node| node["id"].clone()));
        after = incidents["pageInfo"]["endCursor"].clone();
    }
    ids.truncate(LIVE_SUBSCRIBERS - 1);
    std::iter::once(written)
        .chain(ids)
        .map(|id| json!({ "incidentId": id }))
        .collect()
}

/// The three measurements, printed as rows of the load table. `write` is Q5.
pub async fn measure(
    label: &str,
    database_url: &str,
    synchronous: &str,
    write: &Request,
    connections: usize,
    duration: Duration,
) {
    across_servers(label, database_url, synchronous, write, duration).await;
    idle(label, database_url, synchronous, write, connections).await;
    for (scenario, per_incident) in [("one incident each", true), ("the whole feed", false)] {
        let filters = subscriber_filters(write, per_incident).await;
        for round in 1..=2 {
            let none = drive::closed_loop(write, connections, duration).await;
            let (readers, arrived) = listening(&write.endpoint, &write.token, &filters).await;
            let live = drive::closed_loop(write, connections, duration).await;
            tokio::time::sleep(Duration::from_secs(1)).await;
            readers.iter().for_each(|r| r.abort());
            println!(
                "| {label} | | T{round} Q5 with {LIVE_SUBSCRIBERS} live subscribers on {scenario}: {:.0} req/s against {:.0} with none ({:.0} %), {} messages | {:.0} | {:.1} | {:.1} | {:.1} | | |",
                live.per_second(),
                none.per_second(),
                100.0 * live.per_second() / none.per_second(),
                arrived.load(Ordering::Relaxed),
                live.per_second(),
                live.percentile_ms(50.0),
                live.percentile_ms(90.0),
                live.percentile_ms(99.0),
            );
        }
    }
}

/// Q5 on the measured server at a fixed rate; one subscriber on a second server.
async fn across_servers(
    label: &str,
    database_url: &str,
    synchronous: &str,
    write: &Request,
    duration: Duration,
) {
    let other = Server::start(database_url, synchronous).await;
    let filter = json!({ "types": ["TIMELINE_EVENT_CREATED"] });
    let socket = subscriber(&other.endpoint, &other.token, filter).await;
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let reader = tokio::spawn(listen(socket, latencies.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let writes = drive::fixed_rate(write, WRITES_PER_SECOND, duration).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    reader.abort();
    let received = Run {
        latencies: std::mem::take(&mut latencies.lock().expect("latencies")),
        elapsed: writes.elapsed,
    };
    println!(
        "| {label} | | L commit-to-subscriber across two servers, Q5 at {WRITES_PER_SECOND}/s | | {:.1} | {:.1} | {:.1} | {} of {} received | |",
        received.percentile_ms(50.0),
        received.percentile_ms(90.0),
        received.percentile_ms(99.0),
        received.latencies.len(),
        writes.latencies.len(),
    );
}

/// Opens the idle subscriptions on a server of their own and reads what they cost it. The
/// server is fresh, so its allocator has no freed memory of earlier runs to reuse, and a
/// second of Q5 opens its whole pool first, so the connections counted after are what the
/// subscriptions add.
async fn idle(
    label: &str,
    database_url: &str,
    synchronous: &str,
    write: &Request,
    connections: usize,
) {
    let server = Server::start(database_url, synchronous).await;
    let write = Request {
        endpoint: server.endpoint.clone(),
        ..write.clone()
    };
    drive::closed_loop(&write, connections, Duration::from_secs(1)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let connections_before = database_connections(database_url).await;
    let memory_before = server.resident_memory_mib();
    let sockets = idle_sockets(&write).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let memory = server.resident_memory_mib() - memory_before;
    let per_socket = memory * 1024.0 / IDLE_SUBSCRIPTIONS as f64;
    let connections = database_connections(database_url)
        .await
        .map(|after| after - connections_before.unwrap_or(0));
    println!(
        "| {label} | | I {IDLE_SUBSCRIPTIONS} idle subscriptions, one per socket: +{memory:.1} MiB resident ({per_socket:.0} KiB a socket), {} extra database connections | | | | | | |",
        connections.map_or("(SQLite: no)".to_owned(), |n| format!("+{n}")),
    );
    drop(sockets);
}

/// [`IDLE_SUBSCRIPTIONS`] sockets, each subscribed to events that never come.
async fn idle_sockets(write: &Request) -> Vec<Socket> {
    let filter = json!({ "types": ["REVIEW_DUE"] });
    let mut sockets = Vec::with_capacity(IDLE_SUBSCRIPTIONS);
    for _ in 0..IDLE_SUBSCRIPTIONS {
        sockets.push(subscriber(&write.endpoint, &write.token, filter.clone()).await);
    }
    sockets
}

/// The connections to the database on PostgreSQL (`None` on SQLite).
async fn database_connections(database_url: &str) -> Option<i64> {
    if !database_url.starts_with("postgres") {
        return None;
    }
    let connection = debrief::repo::db::connect(database_url)
        .await
        .expect("connect");
    let sql = "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
    let row = connection
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("count")
        .expect("row");
    Some(row.try_get::<i64>("", "n").expect("count"))
}
