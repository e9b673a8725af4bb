//! The ceiling (issue 21): the smallest server that gives Debrief's answers to Q0–Q2, byte
//! for byte, as a hand-written service would. axum, one sqlx pool, as few statements as the
//! answer needs, and serde writing the JSON straight from the rows. No GraphQL engine, no
//! ORM, no per-request transaction: what is left is the work any server must do for those
//! bytes. It verifies the bearer's signature as Debrief does, and reads the tenant from it.
//!
//! It connects as the database's owner and filters by tenant in its statements, as a
//! hand-written server would, instead of setting the tenant for row-level security in a
//! transaction. It answers only the operations it knows, by their text.

mod q0;

pub use q0::QUERY as Q0;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sqlx::PgPool;
use std::sync::Arc;
use uuid::Uuid;

struct Ceiling {
    pool: PgPool,
    key: DecodingKey,
    validation: Validation,
}

/// The claim the ceiling needs from a Debrief token.
#[derive(Deserialize)]
struct Claims {
    tid: Uuid,
}

/// A GraphQL request as the benchmark sends it.
#[derive(Deserialize)]
struct Body {
    query: String,
}

/// Whether the ceiling answers the request `body`.
pub fn answers(body: &serde_json::Value) -> bool {
    body["query"].as_str() == Some(q0::QUERY)
}

/// The ceiling's routes, on `pool`, for tokens signed with the HS256 `secret`.
pub fn router(pool: PgPool, secret: &[u8]) -> axum::Router {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_aud = false;
    let ceiling = Arc::new(Ceiling {
        pool,
        key: DecodingKey::from_secret(secret),
        validation,
    });
    axum::Router::new()
        .route("/graphql", axum::routing::post(graphql))
        .route("/readyz", axum::routing::get(|| async { "ready" }))
        .with_state(ceiling)
}

async fn graphql(
    State(ceiling): State<Arc<Ceiling>>,
    headers: HeaderMap,
    Json(body): Json<Body>,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let Some(token) = bearer.and_then(|token| {
        jsonwebtoken::decode::<Claims>(token, &ceiling.key, &ceiling.validation).ok()
    }) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let tenant_id = token.claims.tid;
    let answer = if body.query == q0::QUERY {
        q0::answer(&ceiling.pool, tenant_id).await
    } else {
        return (
            StatusCode::BAD_REQUEST,
            "not an operation the ceiling knows",
        )
            .into_response();
    };
    match answer {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
