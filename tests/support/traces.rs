//! The test binary's one subscriber: logs when `RUST_LOG` is set, and every request and
//! statement span exported to memory, as `serve` exports them over OTLP.
//!
//! It is the global default rather than one test's thread default: which spans are enabled
//! is cached per call site for the whole process, and with tests on other threads making the
//! same spans a thread's own subscriber was seen to miss its request span.

use opentelemetry_sdk::trace::{InMemorySpanExporter, Sampler, SdkTracerProvider};
use std::sync::OnceLock;
use tracing_subscriber::layer::SubscriberExt;

static EXPORTED: OnceLock<InMemorySpanExporter> = OnceLock::new();

/// Installs the subscriber, once.
pub fn install() {
    exported();
}

/// The spans of every continued trace so far (each test picks its own by trace id).
pub fn exported() -> &'static InMemorySpanExporter {
    EXPORTED.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        // Only traces a request continues are kept: the other tests send no `traceparent`,
        // and their spans would only pile up in memory.
        let provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::AlwaysOff)))
            .with_simple_exporter(exporter.clone())
            .build();
        let logs = std::env::var_os("RUST_LOG").map(|_| debrief::telemetry::log_layer());
        let subscriber = tracing_subscriber::registry()
            .with(logs)
            .with(debrief::telemetry::traces::layer(&provider));
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        // The provider exports for as long as the tests run.
        std::mem::forget(provider);
        exporter
    })
}
