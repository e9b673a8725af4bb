//! `metrics` against the hand-built history of `support/history`. Every expected value was
//! worked out by hand from that history's tables; the comments show the working.
//!
//! This file holds the query and the builders of expected figures; the tests are in
//! `history.rs` (every figure), `edges.rs` (buckets, offsets, empty ranges) and `access.rs`
//! (filters and roles).

mod access;
mod edges;
mod grouped;
mod history;

use crate::support::TestApp;
use serde_json::{Value, json};

pub const FOLLOW_THROUGH: &str = "committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete";

pub fn query() -> String {
    format!(
        "query($from: DateTime!, $to: DateTime!, $bucket: MetricsBucket, $client: ID, $service: ID) {{
          metrics(from: $from, to: $to, bucket: $bucket, clientId: $client, serviceId: $service) {{
            bucket total {{ ...figures }} series {{ ...figures }}
          }}
        }}
        fragment figures on MetricsPeriod {{
          start end
          followThrough {{ {FOLLOW_THROUGH} byKind {{ kind {FOLLOW_THROUGH} }} }}
          reviews {{ due held heldOnTime heldOnTimeRate overdue effective partiallyEffective notEffective recurrences }}
          incidents {{ count bySeverity {{ severity count }} postMortemDue
            timeToResolve {{ count meanHours medianHours p90Hours }}
            timeToPublish {{ count meanHours medianHours p90Hours }} }}
          feedback {{ received open answered medianFirstResponseHours answeredWithinSla answeredWithinSlaRate
            meanConfidenceAtPublication meanConfidenceAfterReview }}
        }}"
    )
}

pub async fn metrics(app: &TestApp, token: &str, variables: Value) -> Value {
    app.data(token, &query(), variables).await["metrics"].clone()
}

pub fn quarter() -> Value {
    json!({ "from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z", "bucket": "MONTH" })
}

/// Asserts `actual` equals `expected`, comparing numbers to 1e-9 and naming the first path
/// that differs.
pub fn assert_matches(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, value) in e {
                assert_matches(&a[key], value, &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: {actual} vs {expected}");
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                assert_matches(a, e, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().expect("number"), e.as_f64().expect("number"));
            assert!((a - e).abs() < 1e-9, "{path}: got {a}, expected {e}");
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

/// committed, completed, completedOnTime, overdue, cancelled, completionRate, onTimeRate,
/// medianDaysToComplete.
#[allow(clippy::too_many_arguments)]
pub fn ft(
    c: i64,
    d: i64,
    on_time: i64,
    late: i64,
    x: i64,
    rate: Value,
    on: Value,
    days: Value,
) -> Value {
    json!({ "committed": c, "completed": d, "completedOnTime": on_time, "overdue": late, "cancelled": x,
            "completionRate": rate, "onTimeRate": on, "medianDaysToComplete": days })
}

pub fn none() -> Value {
    ft(0, 0, 0, 0, 0, Value::Null, Value::Null, Value::Null)
}

pub fn follow_through(all: Value, technical: Value, process: Value, monitoring: Value) -> Value {
    let mut all = all;
    let kind = |kind: &str, mut figures: Value| {
        figures["kind"] = json!(kind);
        figures
    };
    all["byKind"] = json!([
        kind("TECHNICAL", technical),
        kind("PROCESS", process),
        kind("MONITORING", monitoring)
    ]);
    all
}

/// due, held, heldOnTime, heldOnTimeRate, overdue, effective, partially, not, recurrences.
#[allow(clippy::too_many_arguments)]
pub fn reviews(
    due: i64,
    held: i64,
    on_time: i64,
    rate: Value,
    late: i64,
    e: i64,
    p: i64,
    n: i64,
    rec: i64,
) -> Value {
    json!({ "due": due, "held": held, "heldOnTime": on_time, "heldOnTimeRate": rate, "overdue": late,
            "effective": e, "partiallyEffective": p, "notEffective": n, "recurrences": rec })
}

pub fn hours(count: i64, mean: Value, median: Value, p90: Value) -> Value {
    json!({ "count": count, "meanHours": mean, "medianHours": median, "p90Hours": p90 })
}

pub fn incidents(count: i64, sev: [i64; 4], resolve: Value, publish: Value, due: i64) -> Value {
    let by = ["SEV1", "SEV2", "SEV3", "SEV4"]
        .iter()
        .zip(sev)
        .map(|(s, c)| json!({ "severity": s, "count": c }))
        .collect::<Vec<_>>();
    json!({ "count": count, "bySeverity": by, "timeToResolve": resolve, "timeToPublish": publish, "postMortemDue": due })
}

/// received, open, answered, median response hours, within SLA, SLA rate, confidence
/// before and after the review.
#[allow(clippy::too_many_arguments)]
pub fn feedback(
    r: i64,
    open: i64,
    a: i64,
    median: Value,
    within: i64,
    rate: Value,
    before: Value,
    after: Value,
) -> Value {
    json!({ "received": r, "open": open, "answered": a, "medianFirstResponseHours": median,
            "answeredWithinSla": within, "answeredWithinSlaRate": rate,
            "meanConfidenceAtPublication": before, "meanConfidenceAfterReview": after })
}

pub fn period(start: &str, end: &str, ft: Value, rv: Value, inc: Value, fb: Value) -> Value {
    json!({ "start": start, "end": end, "followThrough": ft, "reviews": rv, "incidents": inc, "feedback": fb })
}

pub const NULL: Value = Value::Null;
