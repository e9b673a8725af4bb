//! The load benchmark's ceiling (`benches/load/ceiling/`), a hand-written server for Q0,
//! must give Debrief's answer byte for byte, or its throughput is no ceiling for Debrief's.
//! It is a PostgreSQL reference (the targets are PostgreSQL's), so on SQLite there
//! is nothing to compare with.

#[path = "../benches/load/ceiling/mod.rs"]
mod reference;

use crate::support::database::is_postgres;
use crate::support::{SECRET, record, spawn_app_with};
use serde_json::json;

async fn answer(
    http: &reqwest::Client,
    endpoint: &str,
    token: &str,
    body: &serde_json::Value,
) -> String {
    let response = http
        .post(endpoint)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    response.text().await.expect("body")
}

#[tokio::test]
async fn the_ceiling_answers_q0_with_debriefs_bytes() {
    if !is_postgres() {
        return;
    }
    // The benchmark's servers run without budgets, so their answers carry no throttle status.
    let app = spawn_app_with(|config| debrief::config::Config {
        rate_limits: debrief::domain::rate_limit::Budgets {
            per_caller: None,
            per_tenant: None,
        },
        ..config
    })
    .await;
    let tenant = app.create_tenant("ceiling").await;
    let other = app.create_tenant("elsewhere").await;
    // Timelines longer than Q0's page of 10, one incident with the API's entries only, and
    // another tenant's incident that must not show.
    for children in [12, 0, 3] {
        record::build(&app, &tenant.admin, children).await;
    }
    record::build(&app, &other.admin, 2).await;
    let pool = app.owner_db.get_postgres_connection_pool().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = reference::router(pool, SECRET.as_bytes());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let q0 = json!({ "query": reference::Q0 });
    assert!(reference::answers(&q0));
    let debrief = answer(
        &app.http,
        &format!("{}/graphql", app.url),
        &tenant.admin,
        &q0,
    )
    .await;
    let ceiling = answer(
        &app.http,
        &format!("http://{address}/graphql"),
        &tenant.admin,
        &q0,
    )
    .await;
    let parsed: serde_json::Value = serde_json::from_str(&debrief).expect("JSON");
    let incidents = parsed["data"]["incidents"]["nodes"]
        .as_array()
        .expect("nodes");
    assert_eq!(incidents.len(), 3, "{debrief}");
    assert_eq!(
        incidents[2]["timeline"]["nodes"].as_array().map(Vec::len),
        Some(10)
    );
    assert_eq!(debrief, ceiling);
}
