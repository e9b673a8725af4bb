//! Roles bound to the manifest (`--require-trusted-documents`) may send nothing else, over
//! HTTP or the subscription socket, and what they send otherwise runs no SQL past
//! authentication.

use super::{ROLE, by_hash, by_id, code, relay_manifest, sha256, statements, world_trusting};
use crate::support::socket::Socket;
use reqwest::StatusCode;
use serde_json::json;

const OTHER: &str = "{ viewer { tenant { slug } } }";

#[tokio::test]
async fn a_client_bound_to_the_manifest_is_refused_free_text_but_runs_its_documents() {
    let world = world_trusting(&relay_manifest(&[ROLE]), vec![entity::Role::Client]).await;
    let app = &world.app;
    let free = json!({ "query": ROLE });
    // Authentication alone: what `{ __typename }` costs, which reads nothing else.
    let before = statements(app);
    app.post(Some(&world.a.client), json!({ "query": "{ __typename }" }))
        .await;
    let authentication = statements(app) - before;
    let before = statements(app);
    let (status, body) = app.post(Some(&world.a.client), free.clone()).await;
    // At most authentication's: on PostgreSQL the server keeps the user it just looked up.
    assert!(statements(app) - before <= authentication, "{body}");
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(code(&body), "TRUSTED_DOCUMENT_REQUIRED", "{body}");
    assert!(body.get("data").is_none(), "{body}");

    let (_, body) = app
        .post(Some(&world.a.client), by_id(ROLE, json!({})))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "CLIENT", "{body}");
    let (_, body) = app.post(Some(&world.a.viewer), free).await;
    assert_eq!(body["data"]["viewer"]["role"], "VIEWER", "{body}");
}

#[tokio::test]
async fn a_client_bound_to_the_manifest_may_neither_register_nor_run_registered_texts() {
    let world = world_trusting(&relay_manifest(&[ROLE]), vec![entity::Role::Client]).await;
    let app = &world.app;
    let hash = sha256(OTHER);
    let (_, body) = app
        .post(
            Some(&world.a.client),
            by_hash(&hash, json!({ "query": OTHER })),
        )
        .await;
    assert_eq!(code(&body), "TRUSTED_DOCUMENT_REQUIRED", "{body}");
    let (_, body) = app
        .post(Some(&world.a.viewer), by_hash(&hash, json!({})))
        .await;
    assert_eq!(
        code(&body),
        "PERSISTED_QUERY_NOT_FOUND",
        "the CLIENT registered nothing: {body}"
    );
    let (_, body) = app
        .post(
            Some(&world.a.viewer),
            by_hash(&hash, json!({ "query": OTHER })),
        )
        .await;
    assert_eq!(
        body["data"]["viewer"]["tenant"]["slug"], "tenant-a",
        "{body}"
    );
    let (_, body) = app
        .post(Some(&world.a.client), by_hash(&hash, json!({})))
        .await;
    assert_eq!(code(&body), "TRUSTED_DOCUMENT_REQUIRED", "{body}");
}

#[tokio::test]
async fn the_subscription_socket_binds_the_client_to_the_manifest_too() {
    let world = world_trusting(&relay_manifest(&[ROLE]), vec![entity::Role::Client]).await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.client).await;
    socket.subscribe("free", ROLE, json!({})).await;
    let refused = socket.message().await.expect("an error message");
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "free", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "TRUSTED_DOCUMENT_REQUIRED",
        "{refused}"
    );

    let subscribe =
        json!({ "id": "trusted", "type": "subscribe", "payload": by_id(ROLE, json!({})) });
    socket.send(subscribe).await;
    let next = socket.next_of("trusted").await;
    assert_eq!(next["data"]["viewer"]["role"], "CLIENT", "{next}");

    let mut viewer = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    viewer.subscribe("free", ROLE, json!({})).await;
    let next = viewer.next_of("free").await;
    assert_eq!(next["data"]["viewer"]["role"], "VIEWER", "{next}");
}
