//! Liveness and readiness probes.

use super::AppState;
use crate::repo::{db, migrations};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The process is up.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// How long `/readyz` waits for the database before answering 503.
const READY_WITHIN: Duration = Duration::from_millis(800);

/// What `/readyz` remembers between probes: once every migration of this release has been
/// applied, it never asks again, since migrations are not taken back.
#[derive(Debug, Default)]
pub struct Readiness {
    migrated: AtomicBool,
}

/// The database answers within [`READY_WITHIN`], and holds every migration this release
/// knows. While some are pending (the server started with `--no-migrate` on a database an
/// older release migrated, or another node is migrating it) the answer is 503 with their
/// names.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if !db::ping(&state.db, READY_WITHIN).await {
        return unavailable(json!({ "status": "database unavailable" }));
    }
    if state.readiness.migrated.load(Ordering::Relaxed) {
        return (StatusCode::OK, Json(json!({ "status": "ok" })));
    }
    match tokio::time::timeout(READY_WITHIN, migrations::pending(&state.db)).await {
        Ok(Ok(pending)) if pending.is_empty() => {
            state.readiness.migrated.store(true, Ordering::Relaxed);
            (StatusCode::OK, Json(json!({ "status": "ok" })))
        }
        Ok(Ok(pending)) => unavailable(json!({
            "status": "migrations pending",
            "pending": pending,
        })),
        Ok(Err(error)) => {
            tracing::warn!(%error, "could not read which migrations are applied");
            unavailable(json!({ "status": "database unavailable" }))
        }
        Err(_) => unavailable(json!({ "status": "database unavailable" })),
    }
}

fn unavailable(body: Value) -> (StatusCode, Json<Value>) {
    (StatusCode::SERVICE_UNAVAILABLE, Json(body))
}
