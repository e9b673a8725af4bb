//! Webhooks (DESIGN.md section 9) against a real receiver on loopback: what arrives, how it
//! is signed, how failures are retried, and who may manage endpoints.

mod crash;
mod delivery;
mod retries;
mod rotation;
mod safety;

use crate::support::TestApp;
use crate::support::receiver::Received;
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id url enabled eventTypes } secret userErrors { field code message } } }";
const ENDPOINT: &str = "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { id url enabled disabledAt disabledReason failingSince previousSecretExpiresAt eventTypes deliveries(first: 100) { totalCount edges { node { id type webhookId status nextAttemptAt event { id position } attempts { at statusCode durationMs responseExcerpt error } } } } } } }";
const FEED: &str = "query($after: String) { events(first: 100, after: $after) { edges { node { id type position } } pageInfo { endCursor hasNextPage } } }";

/// An endpoint the test registered: its id and secret.
pub struct Endpoint {
    pub id: String,
    pub secret: String,
}

/// Registers an endpoint for `url` (all event types unless `types` names some).
pub async fn create_endpoint(app: &TestApp, admin: &str, url: &str, types: &[&str]) -> Endpoint {
    let input = json!({ "url": url, "description": "test receiver", "eventTypes": types });
    let data = app.data(admin, CREATE, json!({ "input": input })).await;
    let payload = &data["webhookEndpointCreate"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    Endpoint {
        id: payload["webhookEndpoint"]["id"]
            .as_str()
            .expect("id")
            .to_owned(),
        secret: payload["secret"].as_str().expect("secret").to_owned(),
    }
}

/// The endpoint as ADMIN reads it, with its deliveries (newest first) and their attempts.
pub async fn endpoint(app: &TestApp, admin: &str, id: &str) -> Value {
    app.data(admin, ENDPOINT, json!({ "id": id })).await["node"].clone()
}

/// How many endpoints the tenant has, as ADMIN reads it.
pub async fn endpoint_count(app: &TestApp, admin: &str) -> Value {
    let listed = app
        .data(admin, "{ webhookEndpoints { totalCount } }", json!({}))
        .await;
    listed["webhookEndpoints"]["totalCount"].clone()
}

/// The position of the tenant's last event (0 before any).
pub async fn last_position(app: &TestApp, admin: &str) -> i64 {
    let feed = crate::support::whole_feed(app, admin, FEED).await;
    feed.last()
        .and_then(|e| e["position"].as_i64())
        .unwrap_or(0)
}

/// The tenant's events after position `mark`, oldest first.
pub async fn events_after(app: &TestApp, admin: &str, mark: i64) -> Vec<Value> {
    let feed = crate::support::whole_feed(app, admin, FEED).await;
    feed.into_iter()
        .filter(|e| e["position"].as_i64() > Some(mark))
        .collect()
}

/// The `webhook-id`s of `received`, in arrival order.
pub fn ids(received: &[Received]) -> Vec<String> {
    received.iter().map(|r| r.id().to_owned()).collect()
}
