//! `metrics` over one year by month, through HTTP, on a tenant of 200,000 generated
//! incidents (with their measures, reviews and feedback), on SQLite and on PostgreSQL.
//!
//! The seeded databases are kept between runs: the SQLite file in the target folder, and
//! the PostgreSQL database `bench_metrics_<size>` (on `DEBRIEF_BENCH_DATABASE_URL`). Set
//! `DEBRIEF_BENCH_INCIDENTS` for another size; docs/BENCHMARKS.md records the figures.

// Benchmarks create, seed and inspect their databases directly: not a request path.
#![allow(clippy::disallowed_methods)]

#[path = "common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use debrief::repo::{db, identity};
use serde_json::json;
use std::time::{Duration, Instant};

const SLUG: &str = "volume";
const QUERY: &str = "query($from: DateTime!, $to: DateTime!) { metrics(from: $from, to: $to, bucket: MONTH) {
  total { ...figures } series { ...figures } }
} fragment figures on MetricsPeriod { start
  followThrough { committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete byKind { kind committed completionRate } }
  reviews { due held heldOnTime overdue effective partiallyEffective notEffective recurrences }
  incidents { count bySeverity { severity count } postMortemDue timeToResolve { meanHours medianHours p90Hours } timeToPublish { meanHours medianHours p90Hours } }
  feedback { received open answered medianFirstResponseHours answeredWithinSlaRate meanConfidenceAtPublication meanConfidenceAfterReview } }";

fn incidents() -> u64 {
    std::env::var("DEBRIEF_BENCH_INCIDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000)
}

/// A server on `url` with the volume tenant seeded, and an ADMIN token for it.
async fn prepare(url: &str) -> (String, String) {
    let connection = db::connect(url).await.expect("connect");
    debrief::repo::migrations::migrate(&connection, url)
        .await
        .expect("migrate");
    let size = incidents();
    if identity::tenant_by_slug(&connection, SLUG)
        .await
        .expect("lookup")
        .is_none()
    {
        let started = Instant::now();
        let seeding = db::connect(&common::seeding_url(url))
            .await
            .expect("connect to seed");
        let volume = debrief::seed::volume::Volume {
            incidents: size,
            // The metrics read no timeline; leaving it out keeps seeding 200,000 quick.
            timeline_events: 0,
        };
        debrief::seed::volume::seed(&seeding, SLUG, volume, |done| {
            if done % 20_000 == 0 || done == size {
                eprintln!("seeded {done}/{size} incidents ({:.0?})", started.elapsed());
            }
        })
        .await
        .expect("seed the volume tenant");
    }
    common::serve(connection, url, SLUG).await
}

fn metrics_over_a_year(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let http = reqwest::Client::new();
    let body = json!({ "query": QUERY, "variables": { "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" } });
    let mut group = c.benchmark_group(format!(
        "metrics_year_by_month_{}k_incidents",
        incidents() / 1000
    ));
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    let name = format!("bench-metrics-{}", incidents());
    for common::Target { backend: name, url } in runtime.block_on(common::targets(&name)) {
        let (endpoint, token) = runtime.block_on(prepare(&url));
        let run = || async {
            let response = http
                .post(&endpoint)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .expect("request");
            let value: serde_json::Value = response.json().await.expect("json");
            assert!(value["errors"].is_null(), "{value}");
            value
        };
        let sample = runtime.block_on(run());
        eprintln!(
            "{name}: {} incidents in 2026",
            sample["data"]["metrics"]["total"]["incidents"]["count"]
        );
        group.bench_function(name, |b| b.to_async(&runtime).iter(run));
    }
    group.finish();
}

criterion_group!(benches, metrics_over_a_year);
criterion_main!(benches);
