//! Trusted documents and automatic persisted queries (DESIGN.md section 11): documents of a
//! Relay or an Apollo manifest named by `documentId` or `extensions.persistedQuery`, APQ's
//! round trip, roles bound to the manifest, over HTTP and the subscription socket, and the
//! manifests start-up refuses.

mod apq;
mod required;
mod startup;

use crate::support::{TestApp, World};
use debrief::config::{Config, TrustedDocumentSettings};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A query every role may run.
pub const ROLE: &str = "query Role { viewer { role } }";

/// A query of two operations: which one runs is the request's `operationName`.
pub const TWO: &str = "query Slug { viewer { tenant { slug } } } query Role { viewer { role } }";

/// A mutation, refused over GET.
pub const DEACTIVATE: &str =
    "mutation Deactivate($id: ID!) { userDeactivate(input: { id: $id }) { userErrors { code } } }";

/// The SHA-256 of `text` in lowercase hex, computed here rather than by the server.
pub fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A Relay manifest of `texts`, as relay-compiler writes one (`persistConfig` with SHA256).
pub fn relay_manifest(texts: &[&str]) -> Value {
    Value::Object(
        texts
            .iter()
            .map(|text| (sha256(text), Value::from(*text)))
            .collect(),
    )
}

/// An Apollo manifest of `(name, type, body)` operations, as
/// `@apollo/generate-persisted-query-manifest` writes one.
pub fn apollo_manifest(operations: &[(&str, &str, &str)]) -> Value {
    let operations: Vec<Value> = operations
        .iter()
        .map(|(name, r#type, body)| {
            json!({ "id": sha256(body), "name": name, "type": r#type, "body": body })
        })
        .collect();
    json!({ "format": "apollo-persisted-query-manifest", "version": 1, "operations": operations })
}

/// Writes `manifest` into `folder`; returns its path.
pub fn write(folder: &Path, manifest: &Value) -> PathBuf {
    let path = folder.join("manifest.json");
    std::fs::write(&path, manifest.to_string()).expect("write the manifest");
    path
}

/// A world whose server trusts `manifest` and binds `required` roles to it.
pub async fn world_trusting(manifest: &Value, required: Vec<entity::Role>) -> World {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = write(folder.path(), manifest);
    World::with(move |config| Config {
        trusted_documents: TrustedDocumentSettings {
            manifest: Some(path),
            required_roles: required,
        },
        ..config
    })
    .await
}

/// `{ "documentId": "sha256:<hash of text>" }` and `extra` fields.
pub fn by_id(text: &str, extra: Value) -> Value {
    let mut body = json!({ "documentId": format!("sha256:{}", sha256(text)) });
    merge(&mut body, extra);
    body
}

/// Apollo's `extensions.persistedQuery` naming `hash`, and `extra` fields.
pub fn by_hash(hash: &str, extra: Value) -> Value {
    let mut body =
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    merge(&mut body, extra);
    body
}

fn merge(body: &mut Value, extra: Value) {
    if let (Value::Object(body), Value::Object(extra)) = (body, extra) {
        body.extend(extra);
    }
}

/// The one error code of a refused request.
pub fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

/// GETs `/graphql` with `pairs` as `token`; the status, `Cache-Control` and body.
pub async fn get(
    app: &TestApp,
    token: &str,
    pairs: &[(&str, String)],
) -> (StatusCode, String, Value) {
    let response = app
        .http
        .get(format!("{}/graphql", app.url))
        .query(pairs)
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    let status = response.status();
    let cache = response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, cache, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn documents_of_a_relay_manifest_run_by_document_id_and_by_persisted_query_hash() {
    let world = world_trusting(&relay_manifest(&[ROLE, TWO]), vec![]).await;
    let app = &world.app;
    let (status, body) = app
        .post(Some(&world.a.viewer), by_id(ROLE, json!({})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "VIEWER", "{body}");
    let hashed = by_hash(&sha256(ROLE), json!({}));
    let (_, body) = app.post(Some(&world.a.client), hashed).await;
    assert_eq!(body["data"]["viewer"]["role"], "CLIENT", "{body}");
    let slug = by_id(TWO, json!({ "operationName": "Slug" }));
    let (_, body) = app.post(Some(&world.a.viewer), slug).await;
    assert_eq!(
        body["data"]["viewer"]["tenant"]["slug"], "tenant-a",
        "{body}"
    );
    // Hex digits in either case name the same document.
    let id = format!("sha256:{}", sha256(ROLE).to_uppercase());
    let (status, _, body) = get(app, &world.a.editor, &[("documentId", id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "EDITOR", "{body}");
}

#[tokio::test]
async fn documents_of_an_apollo_manifest_run_by_document_id_and_by_persisted_query_hash() {
    let manifest = apollo_manifest(&[
        ("Role", "query", ROLE),
        ("Deactivate", "mutation", DEACTIVATE),
    ]);
    let world = world_trusting(&manifest, vec![entity::Role::Client]).await;
    let app = &world.app;
    let (_, body) = app
        .post(Some(&world.a.client), by_id(ROLE, json!({})))
        .await;
    assert_eq!(body["data"]["viewer"]["role"], "CLIENT", "{body}");
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(ROLE) } });
    let pairs = [("extensions", extensions.to_string())];
    let (status, _, body) = get(app, &world.a.client, &pairs).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "CLIENT", "{body}");
}

#[tokio::test]
async fn an_unknown_document_id_is_persisted_query_not_found() {
    let world = world_trusting(&relay_manifest(&[ROLE]), vec![]).await;
    let unknown = json!({ "documentId": format!("sha256:{}", sha256("{ nothing }")) });
    let (status, body) = world.app.post(Some(&world.a.admin), unknown.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND", "{body}");
    assert_eq!(
        body["errors"][0]["message"], "PersistedQueryNotFound",
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
    let response = world
        .app
        .http
        .post(format!("{}/graphql", world.app.url))
        .header("accept", "application/graphql-response+json")
        .json(&unknown)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let malformed = json!({ "documentId": sha256(ROLE) });
    let (status, body) = world.app.post(Some(&world.a.admin), malformed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn a_mutation_named_by_id_is_refused_over_get() {
    let manifest = relay_manifest(&[DEACTIVATE]);
    let world = world_trusting(&manifest, vec![]).await;
    let pairs = [("documentId", format!("sha256:{}", sha256(DEACTIVATE)))];
    let before = statements(&world.app);
    let (status, _, body) = get(&world.app, &world.a.admin, &pairs).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(
        statements(&world.app),
        before,
        "refused before authentication"
    );
}

/// The SQL statements the app has run so far.
pub fn statements(app: &TestApp) -> u64 {
    app.statements.load(std::sync::atomic::Ordering::Relaxed)
}
