//! Structured logs, OpenTelemetry traces and Prometheus metrics.
//!
//! Logs: `RUST_LOG` filters them; `DEBRIEF_LOG_FORMAT=json` switches to JSON lines. Traces
//! are exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set ([`traces`]). Metrics
//! are recorded through a [`Metrics`] handle and served by `--metrics-listen`.

pub mod metrics;
pub mod traces;

pub use metrics::{Metrics, OperationType, Outcome, operation_label};

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// What [`init`] installed that must be flushed before the process ends.
#[must_use = "call `shutdown` before the process exits, or the last spans are lost"]
pub struct Telemetry {
    traces: Option<traces::Exporting>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter.
    pub async fn shutdown(self) {
        if let Some(exporting) = self.traces {
            exporting.shutdown().await;
        }
    }
}

/// Installs the global subscriber: the log writer and, when `OTEL_EXPORTER_OTLP_ENDPOINT`
/// is set, the OTLP exporter. Later calls (as in tests) install nothing.
pub fn init() -> Telemetry {
    let exporting = if traces::configured() {
        match traces::Exporting::start() {
            Ok(exporting) => Some(exporting),
            Err(error) => {
                eprintln!("OpenTelemetry traces are off: {error}");
                None
            }
        }
    } else {
        None
    };
    let otel = exporting.as_ref().map(traces::Exporting::layer);
    let installed = tracing_subscriber::registry()
        .with(log_layer())
        .with(otel)
        .try_init()
        .is_ok();
    Telemetry {
        traces: exporting.filter(|_| installed),
    }
}

/// The log writer on stderr, filtered by `RUST_LOG` (per layer, so the trace exporter sees
/// the spans it asks for whatever the logs show).
pub fn log_layer<S>() -> Box<dyn Layer<S> + Send + Sync>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let json = std::env::var("DEBRIEF_LOG_FORMAT").is_ok_and(|f| f == "json");
    if json {
        layer.json().with_filter(filter).boxed()
    } else {
        layer.with_filter(filter).boxed()
    }
}
