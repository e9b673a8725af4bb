//! HTTP transport: the router, the GraphQL-over-HTTP handler, the CSV report, health checks
//! and GraphiQL.

mod admission;
mod body;
mod cors;
mod documents;
mod graphiql;
mod graphql;
mod health;
mod negotiate;
mod observe;
mod prometheus;
mod reports;
mod respond;
mod server;
mod share;
mod subscriptions;
mod unsubscribe;

pub use cors::{CorsOrigins, validate as validate_origins};
pub use documents::{DocumentHash, Documents, Resolved, TrustedDocuments};
pub use graphiql::GraphiqlSettings;
pub use health::Readiness;
pub use prometheus::serve as serve_metrics;
pub use server::serve;

use crate::auth::Authenticator;
use crate::domain::rate_limit::Budgets;
use crate::graphql::DebriefSchema;
use crate::graphql::limits::{CostMeter, Pricing};
use crate::graphql::response::Completion;
use crate::live::Live;
use crate::telemetry::Metrics;
use crate::telemetry::traces::{self, REQUEST_TARGET};
use axum::Router;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, Request, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, OnResponse, TraceLayer};
use tracing::{Level, Span};

pub use body::MAX_BODY_BYTES;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: DebriefSchema,
    /// Puts executed responses in the spec's shape.
    pub completion: Arc<Completion>,
    /// Says what an operation refused as too complex costs.
    pub cost_meter: Arc<CostMeter>,
    /// Prices operations in rate-limit points.
    pub pricing: Arc<Pricing>,
    /// The rate-limit budgets requests are charged to.
    pub budgets: Budgets,
    pub authenticator: Authenticator,
    pub db: DatabaseConnection,
    /// Serve GraphiQL to browsers at `GET /graphql`, starting with these settings
    /// (development only; `None` turns it off).
    pub graphiql: Option<GraphiqlSettings>,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// How long DataLoaders gather keys into one batch.
    pub batch_window: Duration,
    /// Which web pages may call the API.
    pub cors: CorsOrigins,
    /// Live subscriptions, served at `/graphql/ws`.
    pub live: Live,
    /// What `/readyz` has learnt of the database's migrations.
    pub readiness: Arc<Readiness>,
    /// The trusted documents and the registered texts requests may name.
    pub documents: Arc<Documents>,
    /// Where requests are counted (recording nothing unless `--metrics-listen` is set).
    pub metrics: Metrics,
}

/// The application's router, with request ids, tracing and panic containment.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let mut routes = Router::new();
    if state.graphiql.is_some() {
        routes = routes.route("/graphiql/assets/{file}", get(graphiql::asset));
    }
    routes
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(subscriptions::upgrade))
        .route("/reports/metrics.csv", get(reports::metrics_csv))
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/share/{token}", get(share::page))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::unsubscribe).post(unsubscribe::unsubscribe),
        )
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.request_timeout,
            deadline,
        ))
        .layer(CatchPanicLayer::custom(respond::panic))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(answered),
        )
        .layer(CompressionLayer::new())
        .layer(cors::layer(state.cors))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// The span a request runs in: the OpenTelemetry SERVER span, continuing the caller's trace
/// when it sent a `traceparent`. The GraphQL handler records the operation's name and type.
fn request_span<B>(request: &Request<B>) -> Span {
    let headers = request.headers();
    let id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    // The route, never the path: share and unsubscribe paths hold tokens.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("", MatchedPath::as_str);
    let span = tracing::info_span!(
        target: REQUEST_TARGET,
        "request",
        otel.name = %format_args!("{} {route}", request.method()),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = %request.method(),
        http.route = route,
        http.response.status_code = tracing::field::Empty,
        request_id = %id,
        graphql.operation.name = tracing::field::Empty,
        graphql.operation.type = tracing::field::Empty,
    );
    traces::continue_trace(&span, headers);
    span
}

/// Records the answer's status on the request's span, and logs it.
fn answered<B>(response: &Response<B>, latency: Duration, span: &Span) {
    let status = response.status();
    span.record("http.response.status_code", status.as_u16());
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
    DefaultOnResponse::new()
        .level(Level::INFO)
        .on_response(response, latency, span);
}

/// Stops any request, from reading its body to executing it, once `limit` has passed: 408
/// when its body had not arrived, 503 UNAVAILABLE when it was being served.
async fn deadline(
    axum::extract::State(limit): axum::extract::State<Duration>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let progress = body::BodyProgress::default();
    request.extensions_mut().insert(progress.clone());
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) if progress.is_reading() => respond::body_timeout(limit),
        Err(_) => respond::timeout(limit),
    }
}
