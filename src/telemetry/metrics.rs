//! Prometheus metrics (docs/OPERATIONS.md, *Metrics*). Every series is recorded through a
//! [`Metrics`] handle that owns its own recorder, rather than a process-wide one: each
//! server built in a process (as the tests build many) counts only its own requests, and a
//! server without `--metrics-listen` records nothing at all.

use metrics::{
    SharedString, describe_counter, describe_gauge, describe_histogram, with_local_recorder,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};
use std::sync::Arc;
use std::time::Duration;

const REQUESTS: &str = "debrief_graphql_requests_total";
const DURATION: &str = "debrief_graphql_request_duration_seconds";
const ERRORS: &str = "debrief_graphql_errors_total";
const POOL: &str = "debrief_db_pool_connections";
const RATE_LIMITED: &str = "debrief_rate_limited_total";
const EVENTS_PENDING: &str = "debrief_events_pending";
const WEBHOOK_DELIVERIES: &str = "debrief_webhook_deliveries_total";
const SUBSCRIPTIONS: &str = "debrief_subscriptions_active";

/// The request duration histogram's upper bounds, in seconds: 5 ms to 10 s.
pub const DURATION_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The `operation_name` of every operation that is not a trusted document.
pub const OTHER_OPERATION: &str = "other";

/// The `operation_name` label of an operation: the name of the trusted document it ran, or
/// [`OTHER_OPERATION`], so that clients cannot grow the series by naming operations.
pub fn operation_label(trusted_name: Option<&str>) -> &str {
    trusted_name.unwrap_or(OTHER_OPERATION)
}

/// The `operation_type` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationType {
    /// A query.
    Query,
    /// A mutation.
    Mutation,
    /// A subscription.
    Subscription,
    /// The document did not parse, or names no operation it holds.
    Unknown,
}

impl OperationType {
    /// The label value (also the span attribute `graphql.operation.type`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Mutation => "mutation",
            Self::Subscription => "subscription",
            Self::Unknown => "unknown",
        }
    }
}

/// How a request ended: the `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The operation ran and its response has no error.
    Ok,
    /// The operation ran and its response has at least one error.
    Error,
    /// The operation never ran: its credentials, syntax, validation, variables or limits
    /// (or a spent budget) refused it.
    Refused,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Refused => "refused",
        }
    }
}

/// A cheap handle on this server's metrics; the default records nothing.
#[derive(Clone, Default)]
pub struct Metrics {
    recorder: Option<Arc<PrometheusRecorder>>,
}

impl Metrics {
    /// Metrics recorded for Prometheus, every series described and the duration a
    /// histogram with [`DURATION_BUCKETS`].
    pub fn prometheus() -> Self {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &DURATION_BUCKETS);
        // Only an empty list of buckets is refused, and this one has eleven.
        let recorder = builder
            .map(PrometheusBuilder::build_recorder)
            .unwrap_or_else(|_| unreachable!("the duration buckets are not empty"));
        with_local_recorder(&recorder, describe);
        Self {
            recorder: Some(Arc::new(recorder)),
        }
    }

    /// Whether anything is recorded.
    pub fn enabled(&self) -> bool {
        self.recorder.is_some()
    }

    fn record(&self, record: impl FnOnce()) {
        if let Some(recorder) = &self.recorder {
            with_local_recorder(recorder.as_ref(), record);
        }
    }

    /// Counts one GraphQL request that took `elapsed`.
    pub fn request(
        &self,
        operation_type: OperationType,
        operation_name: &str,
        outcome: Outcome,
        elapsed: Duration,
    ) {
        self.record(|| {
            let (ty, name) = (operation_type.as_str(), operation_value(operation_name));
            metrics::counter!(REQUESTS, "operation_type" => ty, "operation_name" => name.clone(), "outcome" => outcome.as_str())
                .increment(1);
            metrics::histogram!(DURATION, "operation_type" => ty, "operation_name" => name)
                .record(elapsed.as_secs_f64());
        });
    }

    /// Counts one error with `code` in a response.
    pub fn error(&self, code: &'static str) {
        self.record(|| metrics::counter!(ERRORS, "code" => code).increment(1));
    }

    /// Counts one request refused because its budget was spent.
    pub fn rate_limited(&self) {
        self.record(|| metrics::counter!(RATE_LIMITED).increment(1));
    }

    /// Sets how many webhook deliveries wait for a successful attempt.
    pub fn events_pending(&self, pending: u64) {
        self.record(|| metrics::gauge!(EVENTS_PENDING).set(pending as f64));
    }

    /// Counts one webhook attempt that ended in `outcome`.
    pub fn webhook_delivery(&self, outcome: &'static str) {
        self.record(|| metrics::counter!(WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1));
    }

    /// Counts a subscription socket as open until the returned guard is dropped.
    pub fn subscription_opened(&self) -> SubscriptionGuard {
        self.record(|| metrics::gauge!(SUBSCRIPTIONS).increment(1.0));
        SubscriptionGuard {
            metrics: self.clone(),
        }
    }

    /// Sets the connections of the pool `pool`, idle and in use.
    pub fn pool(&self, pool: &'static str, idle: u32, in_use: u32) {
        self.record(|| {
            metrics::gauge!(POOL, "pool" => pool, "state" => "idle").set(f64::from(idle));
            metrics::gauge!(POOL, "pool" => pool, "state" => "in_use").set(f64::from(in_use));
        });
    }

    /// The Prometheus text exposition of every series; `None` when nothing is recorded.
    pub fn render(&self) -> Option<String> {
        self.recorder
            .as_ref()
            .map(|recorder| recorder.handle().render())
    }

    /// Folds the histogram samples recorded since the last call into their buckets, so they
    /// do not pile up between scrapes.
    pub fn upkeep(&self) {
        if let Some(recorder) = &self.recorder {
            recorder.handle().run_upkeep();
        }
    }
}

/// Keeps a subscription socket counted in `debrief_subscriptions_active`.
pub struct SubscriptionGuard {
    metrics: Metrics,
}

impl Drop for SubscriptionGuard {
    fn drop(&mut self) {
        self.metrics
            .record(|| metrics::gauge!(SUBSCRIPTIONS).decrement(1.0));
    }
}

/// The help text of every series.
fn describe() {
    describe_counter!(
        REQUESTS,
        "GraphQL requests by operation type, trusted operation name and outcome (ok, error, refused)."
    );
    describe_histogram!(
        DURATION,
        metrics::Unit::Seconds,
        "Time from authenticating a GraphQL request to its answer."
    );
    describe_counter!(ERRORS, "Errors in GraphQL responses by extensions.code.");
    describe_gauge!(
        POOL,
        "Database connections per pool (api, worker) and state (idle, in_use), read at scrape time."
    );
    describe_counter!(
        RATE_LIMITED,
        "Requests refused because a rate-limit budget was spent."
    );
    describe_gauge!(
        EVENTS_PENDING,
        "Webhook deliveries waiting for a successful attempt, as the worker's last pass counted them."
    );
    describe_counter!(
        WEBHOOK_DELIVERIES,
        "Webhook attempts by outcome (delivered, retrying, gave_up, disabled)."
    );
    describe_gauge!(SUBSCRIPTIONS, "Open subscription sockets (/graphql/ws).");
}

/// `name` as a label value; the one value of untrusted operations without allocating.
fn operation_value(name: &str) -> SharedString {
    if name == OTHER_OPERATION {
        SharedString::from(OTHER_OPERATION)
    } else {
        SharedString::from_shared(Arc::from(name))
    }
}
