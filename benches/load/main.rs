//! The load benchmark of issue 7: Q0–Q5 through real HTTP on loopback against the release
//! server, on SQLite and PostgreSQL, at two sizes. docs/BENCHMARKS.md records the figures
//! and how to run it:
//!
//! ```sh
//! cargo bench --bench load                        # S and L, 10 s per operation
//! DEBRIEF_LOAD_QUICK=1 cargo bench --bench load   # S only, 3 s per operation
//! ```
//!
//! Settings: `DEBRIEF_LOAD_SIZES` (incidents, comma-separated; default `2000,20000`),
//! `DEBRIEF_LOAD_SECONDS` (per operation), `DEBRIEF_LOAD_CONNECTIONS` (default 16),
//! `DEBRIEF_LOAD_BACKENDS` (`sqlite`, `postgres` or both, comma-separated),
//! `DEBRIEF_LOAD_OPERATIONS` (e.g. `Q0,Q2`, `O` for Q0 with the operator's stack on and off,
//! `W` for webhook latency under the mix, `S`
//! for live subscriptions; default all), `DEBRIEF_BENCH_DATABASE_URL` (the
//! PostgreSQL server), `DEBRIEF_LOAD_SQLITE_SYNCHRONOUS` (`full`, `normal` or both, measured
//! one after the other on the same database; default `full`). Seeded databases are kept.

// Benchmarks create, seed and inspect their databases directly: not a request path.
#![allow(clippy::disallowed_methods)]

mod ceiling;
mod ceiling_process;
#[path = "../common/mod.rs"]
mod common;
mod drive;
mod ops;
mod server;
mod stack;
mod subscriptions;
mod webhooks;

use debrief::repo::db;
use drive::Request;
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The rate of the latency check (p99 at a fixed rate).
const FIXED_RATE: u32 = 250;

struct Settings {
    sizes: Vec<u64>,
    seconds: u64,
    connections: usize,
    backends: Option<Vec<String>>,
    operations: Option<Vec<String>>,
    sqlite_synchronous: Vec<String>,
}

impl Settings {
    fn measures(&self, filter: &Option<Vec<String>>, name: &str) -> bool {
        filter
            .as_ref()
            .is_none_or(|wanted| wanted.iter().any(|w| name.starts_with(w.as_str())))
    }
}

fn settings() -> Settings {
    let var = |name: &str| std::env::var(name).ok();
    let quick = var("DEBRIEF_LOAD_QUICK").is_some();
    let sizes = var("DEBRIEF_LOAD_SIZES")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| {
            if quick {
                vec![2_000]
            } else {
                vec![2_000, 20_000]
            }
        });
    Settings {
        sizes,
        seconds: var("DEBRIEF_LOAD_SECONDS")
            .and_then(|s| s.parse().ok())
            .unwrap_or(if quick { 3 } else { 10 }),
        connections: var("DEBRIEF_LOAD_CONNECTIONS")
            .and_then(|s| s.parse().ok())
            .unwrap_or(16),
        backends: var("DEBRIEF_LOAD_BACKENDS").map(|s| list(&s)),
        operations: var("DEBRIEF_LOAD_OPERATIONS").map(|s| list(&s)),
        sqlite_synchronous: list(&var("DEBRIEF_LOAD_SQLITE_SYNCHRONOUS").unwrap_or("full".into())),
    }
}

/// Runs every selected operation against a server on `url`, printing one row each.
async fn measure(
    settings: &Settings,
    url: &str,
    label: &str,
    synchronous: &str,
    size: u64,
    duration: Duration,
) {
    let statements = statement_counts(url).await;
    let server = server::Server::start(url, synchronous).await;
    let ceiling = match url.starts_with("postgres") {
        true => Some(ceiling_process::Ceiling::start(url).await),
        false => None,
    };
    let http = reqwest::Client::new();
    let operations = ops::operations(&http, &server.endpoint, &server.token).await;
    for (operation, statements) in operations.iter().zip(statements) {
        if !settings.measures(&settings.operations, operation.name) {
            continue;
        }
        let request = request_for(&server, operation);
        let cpu_before = server.cpu_time();
        let run = drive::closed_loop(&request, settings.connections, duration).await;
        let cpu = server.cpu_time() - cpu_before;
        println!(
            "| {} | {size} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {statements} | {:.2} |",
            label,
            operation.name,
            run.per_second(),
            run.percentile_ms(50.0),
            run.percentile_ms(90.0),
            run.percentile_ms(99.0),
            cpu.as_secs_f64() * 1000.0 / run.latencies.len().max(1) as f64,
        );
        if let Some(ceiling) = &ceiling
            && ceiling::answers(&operation.body)
        {
            let on_ceiling = Request {
                endpoint: ceiling.endpoint.clone(),
                ..request.clone()
            };
            same_answer(&http, &request, &on_ceiling).await;
            let cpu_before = ceiling.cpu_time();
            let reference = drive::closed_loop(&on_ceiling, settings.connections, duration).await;
            let cpu = ceiling.cpu_time() - cpu_before;
            println!(
                "| {label} | {size} | {} on the ceiling (Debrief ÷ ceiling {:.2}) | {:.0} | {:.1} | {:.1} | {:.1} | | {:.2} |",
                &operation.name[..2],
                run.per_second() / reference.per_second(),
                reference.per_second(),
                reference.percentile_ms(50.0),
                reference.percentile_ms(90.0),
                reference.percentile_ms(99.0),
                cpu.as_secs_f64() * 1000.0 / reference.latencies.len().max(1) as f64,
            );
        }
        if operation.name.starts_with("Q0") {
            let paced = drive::fixed_rate(&request, FIXED_RATE, duration).await;
            println!(
                "| {} | {size} | Q0 at a fixed {FIXED_RATE} req/s | {:.0} | {:.1} | {:.1} | {:.1} | {statements} | |",
                label,
                paced.per_second(),
                paced.percentile_ms(50.0),
                paced.percentile_ms(90.0),
                paced.percentile_ms(99.0),
            );
        }
    }
    if settings.measures(&settings.operations, "W") {
        let requests: Vec<Request> = operations
            .iter()
            .map(|operation| request_for(&server, operation))
            .collect();
        // Two rounds, without and with an endpoint in turn, so both see the same machine.
        for round in 1..=2 {
            let (quiet, _) =
                drive::closed_loop_mix(&requests, settings.connections, duration).await;
            let (mix, delivered, missing) =
                webhooks::measure(&requests, settings.connections, duration).await;
            for (run, endpoints) in [
                (&quiet, "no webhook endpoint"),
                (&mix, "one webhook endpoint"),
            ] {
                println!(
                    "| {label} | {size} | M{round} the Q0–Q5 mix, {endpoints} | {:.0} | {:.1} | {:.1} | {:.1} | | |",
                    run.per_second(),
                    run.percentile_ms(50.0),
                    run.percentile_ms(90.0),
                    run.percentile_ms(99.0),
                );
            }
            println!(
                "| {label} | {size} | W{round} commit-to-receiver during that mix ({:.0} deliveries/s) | | {:.1} | {:.1} | {:.1} | {} delivered, {missing} missing | |",
                delivered.per_second(),
                delivered.percentile_ms(50.0),
                delivered.percentile_ms(90.0),
                delivered.percentile_ms(99.0),
                delivered.latencies.len(),
            );
        }
    }
    if settings.measures(&settings.operations, "S") {
        let write = operations
            .iter()
            .find(|operation| operation.name.starts_with("Q5"))
            .map(|operation| request_for(&server, operation))
            .expect("Q5");
        subscriptions::measure(
            label,
            url,
            synchronous,
            &write,
            settings.connections,
            duration,
        )
        .await;
    }
    eprintln!(
        "{} {size}: server peak resident memory {:.0} MiB",
        label,
        server.peak_memory_mib()
    );
}

/// `operation`, sent to `server` as its admin.
fn request_for(server: &server::Server, operation: &ops::Operation) -> Request {
    Request {
        endpoint: server.endpoint.clone(),
        token: server.token.clone(),
        body: Arc::new(serde_json::to_vec(&operation.body).expect("body")),
        mutation: operation.mutation,
    }
}

/// Panics unless Debrief and the ceiling answer `debrief` and `ceiling` with the same bytes.
async fn same_answer(http: &reqwest::Client, debrief: &Request, ceiling: &Request) {
    let mut answers = Vec::new();
    for request in [debrief, ceiling] {
        answers.push(request.answer(http).await.1);
    }
    assert_eq!(
        String::from_utf8_lossy(&answers[0]),
        String::from_utf8_lossy(&answers[1]),
        "the ceiling's answer differs from Debrief's"
    );
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_owned()).collect()
}

fn main() {
    ceiling_process::serve_if_asked();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run(settings()));
}

async fn run(settings: Settings) {
    let duration = Duration::from_secs(settings.seconds);
    println!(
        "| database | incidents | operation | req/s | p50 ms | p90 ms | p99 ms | SQL statements | server CPU ms/req |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for &size in &settings.sizes {
        for target in common::targets(&format!("bench-load-{size}")).await {
            if !settings.measures(&settings.backends, target.backend) {
                continue;
            }
            server::seed(&target.url, size).await;
            let modes = if target.backend == "sqlite" {
                settings.sqlite_synchronous.clone()
            } else {
                vec!["full".to_owned()]
            };
            if settings.measures(&settings.operations, "O") {
                let (backend, connections) = (target.backend, settings.connections);
                stack::measure(&target.url, backend, size, connections, duration).await;
            }
            for mode in &modes {
                let label = if target.backend == "sqlite" {
                    format!("sqlite (synchronous={mode})")
                } else {
                    target.backend.to_owned()
                };
                measure(&settings, &target.url, &label, mode, size, duration).await;
            }
            forget_writes(&target.url).await;
        }
    }
}

/// Removes what Q5 wrote, so the next run measures the same data.
async fn forget_writes(url: &str) {
    let connection = db::connect(url).await.expect("connect");
    connection
        .execute_unprepared(&format!(
            "DELETE FROM timeline_events WHERE body = '{}'",
            ops::WRITTEN_BODY
        ))
        .await
        .expect("remove Q5's entries");
}

/// SQL statements per request of each operation, counted by an in-process server on the same
/// database (authentication included).
async fn statement_counts(url: &str) -> Vec<u64> {
    let mut connection = db::connect(url).await.expect("connect");
    let counter = Arc::new(AtomicU64::new(0));
    let count = counter.clone();
    connection.set_metric_callback(move |_| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    let (endpoint, token) = common::serve(connection, url, server::SLUG).await;
    let http = reqwest::Client::new();
    let mut counts = Vec::new();
    for operation in ops::operations(&http, &endpoint, &token).await {
        let before = counter.load(Ordering::SeqCst);
        let response: serde_json::Value = http
            .post(&endpoint)
            .bearer_auth(&token)
            .json(&operation.body)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        assert!(response.get("errors").is_none(), "{response}");
        counts.push(counter.load(Ordering::SeqCst) - before);
    }
    counts
}
