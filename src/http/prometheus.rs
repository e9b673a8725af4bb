//! `GET /metrics`: the Prometheus text exposition, served on the `--metrics-listen` address
//! and never on the API's, so that scraping needs no token and the API's clients see nothing.

use crate::repo::db;
use crate::telemetry::Metrics;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The media type of Prometheus' text format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What a scrape reads: the recorded series, and the pools whose connections it counts.
#[derive(Clone)]
struct Scrape {
    metrics: Metrics,
    pools: Arc<[(&'static str, DatabaseConnection)]>,
}

/// Serves `metrics` on `listener` until the process ends; each scrape first reads the
/// connections of `pools`, named by their `pool` label.
pub async fn serve(
    listener: TcpListener,
    metrics: Metrics,
    pools: Vec<(&'static str, DatabaseConnection)>,
) {
    let upkeep = metrics.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(UPKEEP_INTERVAL);
        loop {
            ticks.tick().await;
            upkeep.upkeep();
        }
    });
    let scrape = Scrape {
        metrics,
        pools: pools.into(),
    };
    let router = Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(scrape);
    if let Err(error) = axum::serve(listener, router).await {
        tracing::error!(%error, "the metrics listener stopped");
    }
}

async fn metrics_text(State(scrape): State<Scrape>) -> Response {
    for (name, pool) in scrape.pools.iter() {
        let usage = db::pool_usage(pool);
        scrape.metrics.pool(name, usage.idle, usage.in_use);
    }
    let Some(text) = scrape.metrics.render() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT));
    response
}
