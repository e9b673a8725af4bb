//! Commit-to-receiver latency of webhooks while the standard mix (Q0–Q5 in turn on every
//! connection) runs: a receiver on loopback registered as an endpoint of the server under
//! test, timing each delivery from the event's commit (`timestamp` in the body) to its
//! arrival. Targets (issue 16): p50 ≤ 250 ms, p99 ≤ 2 s.

use crate::drive::{self, Request, Run};
use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Arrival latencies of the deliveries, by `webhook-id` (a repeat keeps the first).
#[derive(Default)]
struct Arrivals {
    ids: std::collections::HashSet<String>,
    latencies: Vec<Duration>,
}

/// A receiver answering 204; returns its URL and what arrived.
async fn receiver() -> (String, Arc<Mutex<Arrivals>>) {
    let arrivals = Arc::new(Mutex::new(Arrivals::default()));
    let kept = arrivals.clone();
    let app = Router::new().fallback(move |body: Bytes| {
        let kept = kept.clone();
        async move {
            let now = chrono::Utc::now();
            let body: Value = serde_json::from_slice(&body).expect("a JSON body");
            let committed: chrono::DateTime<chrono::Utc> = body["timestamp"]
                .as_str()
                .expect("timestamp")
                .parse()
                .expect("RFC 3339");
            let mut arrivals = kept.lock().expect("arrivals");
            let id = body["data"]["id"].as_str().unwrap_or("test").to_owned();
            if arrivals.ids.insert(id) {
                arrivals
                    .latencies
                    .push((now - committed).to_std().unwrap_or_default());
            }
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, arrivals)
}

async fn call(
    http: &reqwest::Client,
    endpoint: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    let body = json!({ "query": query, "variables": variables });
    crate::ops::post(http, endpoint, token, &body).await["data"].clone()
}

/// Runs the mix for `duration` with an endpoint registered, waits for the deliveries, and
/// returns the mix's run and the delivery latencies (and how many never arrived).
pub async fn measure(
    requests: &[Request],
    connections: usize,
    duration: Duration,
) -> (Run, Run, usize) {
    let (endpoint, token) = (&requests[0].endpoint, &requests[0].token);
    let http = reqwest::Client::new();
    let (url, arrivals) = receiver().await;
    let created = call(&http, endpoint, token, "mutation($url: String!) { webhookEndpointCreate(input: { url: $url }) { webhookEndpoint { id } userErrors { message } } }", json!({ "url": url })).await;
    let id = created["webhookEndpointCreate"]["webhookEndpoint"]["id"].clone();
    assert!(id.is_string(), "{created}");
    let (mix, mutations) = drive::closed_loop_mix(requests, connections, duration).await;
    let expected = mutations + 1;
    for _ in 0..600 {
        if arrivals.lock().expect("arrivals").latencies.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    call(&http, endpoint, token, "mutation($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId } }", json!({ "id": id })).await;
    let latencies = std::mem::take(&mut arrivals.lock().expect("arrivals").latencies);
    let missing = expected.saturating_sub(latencies.len());
    let delivered = Run {
        latencies,
        elapsed: mix.elapsed,
    };
    (mix, delivered, missing)
}
