//! OpenTelemetry traces, exported over OTLP (HTTP, protobuf) when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. The SDK
//! reads the other standard variables itself (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
//! `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, …); the service is
//! called `debrief` unless `OTEL_SERVICE_NAME` says otherwise.
//!
//! Two kinds of span are exported and nothing else: each HTTP request's (target
//! [`REQUEST_TARGET`], made in `http::router`) and each SQL statement's (target
//! [`SQL_TARGET`], at DEBUG so that the log writer, at INFO, never sees them: a disabled
//! span costs one cached check). Variables are never a field of either.

use axum::http::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;

/// The target of the span every HTTP request runs in.
pub const REQUEST_TARGET: &str = "debrief::request";

/// The target of the span every SQL statement of a tenant runs in.
pub const SQL_TARGET: &str = "debrief::sql";

/// The service name when `OTEL_SERVICE_NAME` is not set.
const SERVICE_NAME: &str = "debrief";

/// Whether an OTLP endpoint is configured.
pub fn configured() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// A running exporter: spans are batched and sent from a thread of their own.
pub struct Exporting {
    provider: SdkTracerProvider,
}

impl Exporting {
    /// Builds the OTLP exporter from the standard variables.
    pub fn start() -> Result<Self, opentelemetry_otlp::ExporterBuildError> {
        use opentelemetry_otlp::WithExportConfig as _;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .build()?;
        let mut resource = opentelemetry_sdk::Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name(SERVICE_NAME);
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        Ok(Self { provider })
    }

    /// The layer that turns this process's request and statement spans into OTel spans.
    pub fn layer<S>(&self) -> impl Layer<S> + Send + Sync + use<S>
    where
        S: tracing::Subscriber + Send + Sync + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    {
        layer(&self.provider)
    }

    /// Sends what is buffered and stops the exporter's thread.
    pub async fn shutdown(self) {
        let provider = self.provider;
        // The SDK waits for its exporting thread: not on a runtime worker.
        let done = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        if let Ok(Err(error)) = done {
            eprintln!("flushing OpenTelemetry spans failed: {error}");
        }
    }
}

/// A layer exporting the request and statement spans to `provider`, and nothing else (tests
/// install it on an in-memory exporter).
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S> + Send + Sync + use<S>
where
    S: tracing::Subscriber + Send + Sync + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let exported = Targets::new()
        .with_target(REQUEST_TARGET, Level::INFO)
        .with_target(SQL_TARGET, Level::DEBUG);
    tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("debrief"))
        .with_location(false)
        .with_threads(false)
        .with_filter(exported)
}

/// Makes `span` (a request's, not yet entered) continue the trace of an incoming W3C
/// `traceparent`, if there is one. Without the OTel layer this does nothing.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&Headers(headers));
    // Fails only when no OTel layer is installed, or the span is disabled: then there is
    // no trace to continue.
    let _ = span.set_parent(parent);
}

/// Request headers as the propagator reads them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
