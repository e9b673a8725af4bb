//! Automatic persisted queries: the round trip Apollo Client's persisted-query link makes.

use super::{ROLE, by_hash, code, get, relay_manifest, sha256, world_trusting};
use crate::support::World;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_hash_alone_is_not_found_until_its_text_is_registered_and_then_runs() {
    let world = World::new().await;
    let (app, token) = (&world.app, &world.a.viewer);
    let hash = sha256(ROLE);
    let (status, body) = app.post(Some(token), by_hash(&hash, json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
    assert_eq!(
        body["errors"][0]["message"], "PersistedQueryNotFound",
        "{body}"
    );
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let pairs = [("extensions", extensions.to_string())];
    let (_, cache, body) = get(app, token, &pairs).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
    assert_eq!(cache, "private, no-cache, must-revalidate");

    let (status, body) = app
        .post(Some(token), by_hash(&hash, json!({ "query": ROLE })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "VIEWER", "{body}");

    let (_, body) = app
        .post(Some(&world.b.admin), by_hash(&hash, json!({})))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN", "{body}");
    let (status, _, body) = get(app, token, &pairs).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "VIEWER", "{body}");
}

#[tokio::test]
async fn a_text_sent_with_another_texts_hash_is_refused_and_not_registered() {
    let world = World::new().await;
    let (app, token) = (&world.app, &world.a.viewer);
    let wrong = sha256("{ viewer { tenant { slug } } }");
    let (status, body) = app
        .post(Some(token), by_hash(&wrong, json!({ "query": ROLE })))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("does not match"),
        "{body}"
    );
    let (_, body) = app.post(Some(token), by_hash(&wrong, json!({}))).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
}

#[tokio::test]
async fn a_trusted_document_needs_no_registration() {
    let world = world_trusting(&relay_manifest(&[ROLE]), vec![]).await;
    let (_, body) = world
        .app
        .post(Some(&world.a.admin), by_hash(&sha256(ROLE), json!({})))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN", "{body}");
}

#[tokio::test]
async fn a_mutation_named_by_its_registered_hash_is_refused_over_get() {
    let world = World::new().await;
    let (app, token) = (&world.app, &world.a.admin);
    let hash = sha256(super::DEACTIVATE);
    let register = by_hash(
        &hash,
        json!({ "query": super::DEACTIVATE, "variables": { "id": "x" } }),
    );
    app.post(Some(token), register).await;
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let (status, _, body) = get(app, token, &[("extensions", extensions.to_string())]).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
}
