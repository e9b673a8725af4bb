//! `graphql-transport-ws` message by message: acknowledgement, the close codes, pings both
//! ways, operations completed from either side, and the per-socket limit.

use super::{EVENTS, quick_sockets, settle};
use crate::support::socket::Socket;
use crate::support::{World, error_codes};
use serde_json::json;
use std::time::{Duration, Instant};

async fn world() -> World {
    World::with(quick_sockets).await
}

#[tokio::test]
async fn a_query_sent_over_the_socket_answers_next_then_complete() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    socket
        .subscribe("q1", "{ viewer { role } }", json!({}))
        .await;
    let payload = socket.next_of("q1").await;
    assert_eq!(
        payload,
        json!({ "data": { "viewer": { "role": "VIEWER" } } })
    );
    let complete = socket.message().await.expect("complete");
    assert_eq!(complete, json!({ "id": "q1", "type": "complete" }));
}

#[tokio::test]
async fn an_operation_that_cannot_run_answers_one_error_message() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    socket
        .subscribe("bad", "subscription { nothing }", json!({}))
        .await;
    let error = socket.message().await.expect("error");
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "bad");
    assert!(error["payload"][0]["message"].is_string(), "{error}");
    socket
        .subscribe("syntax", "subscription {", json!({}))
        .await;
    let error = socket.message().await.expect("error");
    assert_eq!(
        (error["type"].as_str(), error["id"].as_str()),
        (Some("error"), Some("syntax"))
    );
    // Nothing follows an error: no complete.
    socket.expect_silence(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn a_socket_without_the_subprotocol_is_closed_with_4406() {
    let world = world().await;
    let mut socket = Socket::open_with(&world.app.ws_url(), None).await;
    assert_eq!(socket.closed().await.code, 4406);
}

#[tokio::test]
async fn invalid_messages_close_with_4400() {
    let world = world().await;
    for invalid in [
        "not json",
        r#"{"type":"nonsense"}"#,
        r#"{"type":"connection_ack"}"#,
        r#"{"type":"subscribe","id":"","payload":{"query":"{ viewer { role } }"}}"#,
        r#"{"type":"ping","payload":"text"}"#,
    ] {
        let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
        socket.send_text(invalid).await;
        assert_eq!(socket.closed().await.code, 4400, "{invalid}");
    }
}

#[tokio::test]
async fn subscribing_before_the_ack_closes_with_4401() {
    let world = world().await;
    let mut socket = Socket::open(&world.app.ws_url()).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    assert_eq!(socket.closed().await.code, 4401);
}

#[tokio::test]
async fn a_refused_token_closes_with_4403() {
    let world = world().await;
    for token in ["not-a-token", ""] {
        let mut socket = Socket::open(&world.app.ws_url()).await;
        socket.init(token).await;
        let closed = socket.closed().await;
        assert_eq!(closed.code, 4403, "{token:?}");
        assert!(closed.reason.starts_with("Forbidden"), "{closed:?}");
    }
    let mut socket = Socket::open(&world.app.ws_url()).await;
    socket.send(json!({ "type": "connection_init" })).await;
    assert_eq!(socket.closed().await.code, 4403);
}

#[tokio::test]
async fn no_connection_init_in_time_closes_with_4408() {
    let world = world().await;
    let opened = Instant::now();
    let mut socket = Socket::open(&world.app.ws_url()).await;
    assert_eq!(socket.closed().await.code, 4408);
    let waited = opened.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "closed after {waited:?}"
    );
}

#[tokio::test]
async fn a_duplicate_operation_id_closes_with_4409() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    let closed = socket.closed().await;
    assert_eq!(closed.code, 4409);
    assert_eq!(closed.reason, "Subscriber for 1 already exists");
}

#[tokio::test]
async fn a_second_connection_init_closes_with_4429() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    socket.init(&world.a.viewer).await;
    assert_eq!(socket.closed().await.code, 4429);
}

#[tokio::test]
async fn pings_are_answered_and_sent() {
    let world = world().await;
    let mut socket = Socket::open(&world.app.ws_url()).await;
    // Pings work before the acknowledgement too, and the payload comes back.
    socket
        .send(json!({ "type": "ping", "payload": { "n": 1 } }))
        .await;
    let pong = socket.message().await.expect("pong");
    assert_eq!(pong, json!({ "type": "pong", "payload": { "n": 1 } }));
    socket.init(&world.a.viewer).await;
    assert_eq!(
        socket.message().await.expect("ack")["type"],
        "connection_ack"
    );
    socket.answer_pings = false;
    let ping = socket.message().await.expect("the server's ping");
    assert_eq!(ping, json!({ "type": "ping" }));
}

#[tokio::test]
async fn a_client_that_never_answers_is_disconnected() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    socket.answer_pings = false;
    // Pings every second; silent for two intervals, the socket is dropped.
    let closed = socket.closed_within(Duration::from_secs(5)).await;
    assert_ne!(closed.code, 1000, "{closed:?}");
}

#[tokio::test]
async fn the_client_completes_an_operation_and_may_reuse_its_id() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    settle().await;
    socket.send(json!({ "id": "1", "type": "complete" })).await;
    settle().await;
    super::add_entry(
        &world.app,
        &world.a.editor,
        &world.a.incident_id,
        "after complete",
    )
    .await;
    socket.expect_silence(Duration::from_millis(600)).await;
    socket.subscribe("1", EVENTS, json!({})).await;
    settle().await;
    let entry = super::add_entry(&world.app, &world.a.editor, &world.a.incident_id, "again").await;
    let event = &socket.next_of("1").await["data"]["events"];
    assert_eq!(event["subjectId"], json!(entry));
}

#[tokio::test]
async fn at_most_fifty_operations_run_on_one_socket() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    for n in 0..50 {
        socket.subscribe(&n.to_string(), EVENTS, json!({})).await;
    }
    socket.subscribe("50", EVENTS, json!({})).await;
    let refused = socket.message().await.expect("error");
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "50");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");
    // Completing one makes room again.
    socket.send(json!({ "id": "0", "type": "complete" })).await;
    settle().await;
    socket
        .subscribe("51", "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(
        socket.next_of("51").await["data"]["viewer"]["role"],
        "VIEWER"
    );
}

#[tokio::test]
async fn subscriptions_over_http_are_refused_with_a_code() {
    let world = world().await;
    let (_, body) = world
        .app
        .post(
            Some(&world.a.viewer),
            json!({ "query": "subscription { events { id } }" }),
        )
        .await;
    assert!(!error_codes(&body).is_empty(), "{body}");
    assert!(
        body["data"].is_null() || body.get("data").is_none(),
        "{body}"
    );
}

#[tokio::test]
async fn an_id_may_be_reused_as_soon_as_its_complete_arrives() {
    let world = world().await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    for _ in 0..20 {
        socket
            .subscribe("q", "{ viewer { role } }", json!({}))
            .await;
        assert_eq!(
            socket.next_of("q").await["data"]["viewer"]["role"],
            "VIEWER"
        );
        let complete = socket.message().await.expect("complete, not a close");
        assert_eq!(complete, json!({ "id": "q", "type": "complete" }));
    }
}
