//! The cost of the operator's stack (issue 20): Q0 against a server with Prometheus metrics,
//! OpenTelemetry traces exported to a local collector that accepts and drops them, and
//! charged rate limits (budgets too large to refuse anything), beside the same server with
//! all of it off, on the same database. Runs alternate between the two, so drift in the
//! machine's speed falls on both alike.

use crate::drive;
use crate::server::Server;
use axum::routing::post;
use std::time::Duration;

/// Alternated pairs of runs.
const ROUNDS: usize = 3;

/// Measures Q0 with the stack off and on, `ROUNDS` times each, and prints one row per run and
/// the ratio of the totals.
pub async fn measure(url: &str, label: &str, size: u64, connections: usize, duration: Duration) {
    let collector = collector().await;
    let metrics_port = crate::server::free_port();
    let on_settings = [
        (
            "DEBRIEF_METRICS_LISTEN",
            format!("127.0.0.1:{metrics_port}"),
        ),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", collector),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".to_owned()),
        ("DEBRIEF_RATE_LIMIT_USER_POINTS", "1000000000".to_owned()),
        ("DEBRIEF_RATE_LIMIT_TENANT_POINTS", "1000000000".to_owned()),
    ];
    let off = Server::start(url, "full").await;
    let on = Server::start_with(url, "full", &on_settings).await;
    let http = reqwest::Client::new();
    let (q0_off, q0_on) = (q0(&http, &off).await, q0(&http, &on).await);
    let (mut total_off, mut total_on) = (0.0, 0.0);
    for round in 1..=ROUNDS {
        for (name, request, total) in [
            ("off", &q0_off, &mut total_off),
            ("on", &q0_on, &mut total_on),
        ] {
            let run = drive::closed_loop(request, connections, duration).await;
            *total += run.per_second();
            println!(
                "| {label} | {size} | S{round} Q0, metrics + traces + rate limits {name} | {:.0} | {:.1} | {:.1} | {:.1} | | |",
                run.per_second(),
                run.percentile_ms(50.0),
                run.percentile_ms(90.0),
                run.percentile_ms(99.0),
            );
        }
    }
    let scrape = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics")).await;
    let scraped = scrape.is_ok_and(|response| response.status().is_success());
    assert!(scraped, "the server with the stack on serves /metrics");
    eprintln!(
        "{label} {size}: Q0 with the stack on at {:.3} of its rate with the stack off",
        total_on / total_off
    );
}

/// Q0 as `server`'s admin sends it.
async fn q0(http: &reqwest::Client, server: &Server) -> drive::Request {
    let operations = crate::ops::operations(http, &server.endpoint, &server.token).await;
    operations
        .iter()
        .find(|operation| operation.name.starts_with("Q0"))
        .map(|operation| crate::request_for(server, operation))
        .expect("Q0")
}

/// An OTLP/HTTP collector on loopback that accepts every export and keeps nothing; its URL.
async fn collector() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the collector");
    let address = listener.local_addr().expect("the collector's address");
    let router = axum::Router::new().route("/v1/traces", post(|| async { "" }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{address}")
}
