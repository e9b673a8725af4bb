//! Liveness and readiness probes.

use super::AppState;
use crate::repo::db;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// The process is up.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// How long `/readyz` waits for the database before answering 503.
const READY_WITHIN: Duration = Duration::from_millis(800);

/// The database answers, within [`READY_WITHIN`].
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if db::ping(&state.db, READY_WITHIN).await {
        (StatusCode::OK, Json(json!({ "status": "ok" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "database unavailable" })),
        )
    }
}
