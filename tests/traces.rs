//! OpenTelemetry traces, exported to memory through the same layer `serve` installs
//! (`support::traces`): a request continues the caller's `traceparent` as a SERVER span carrying its
//! operation's name and type, its SQL statements are child spans, and no variable's value
//! is in any attribute.

use crate::support::{spawn_app, traces};
use opentelemetry::trace::{SpanId, SpanKind, TraceId};
use opentelemetry_sdk::trace::SpanData;
use reqwest::StatusCode;
use serde_json::json;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";
/// A value that appears only in the request's variables.
const SENTINEL: &str = "sentinel-7f3e9c";

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.as_str().into_owned())
}

fn every_text_of(span: &SpanData) -> Vec<String> {
    let mut texts = vec![span.name.to_string()];
    texts.extend(
        span.attributes
            .iter()
            .map(|kv| kv.value.as_str().into_owned()),
    );
    for event in span.events.iter() {
        texts.push(event.name.to_string());
        texts.extend(
            event
                .attributes
                .iter()
                .map(|kv| kv.value.as_str().into_owned()),
        );
    }
    texts
}

/// The spans of trace `trace_id`, once the request's own span has ended.
async fn trace(trace_id: TraceId) -> Vec<SpanData> {
    let ours = || -> Vec<SpanData> {
        let spans = traces::exported()
            .get_finished_spans()
            .expect("the exported spans");
        spans
            .into_iter()
            .filter(|span| span.span_context.trace_id() == trace_id)
            .collect()
    };
    for _ in 0..100 {
        let spans = ours();
        if spans.iter().any(|span| span.span_kind == SpanKind::Server) {
            return spans;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the request's span was never exported: {:?}", ours());
}

#[tokio::test]
async fn a_request_continues_the_callers_trace_and_records_no_variable() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;

    let query = "mutation AddClient($name: String!, $email: String) { \
                 clientCreate(input: { name: $name, contactEmail: $email }) { client { id } } }";
    let variables = json!({ "name": SENTINEL, "email": format!("{SENTINEL}@example.com") });
    let response = app
        .http
        .post(format!("{}/graphql", app.url))
        .bearer_auth(&tenant.admin)
        .header("traceparent", format!("00-{TRACE_ID}-{PARENT_ID}-01"))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert!(body.get("errors").is_none(), "{body}");

    let trace_id = TraceId::from_hex(TRACE_ID).expect("a trace id");
    let spans = trace(trace_id).await;
    let server = spans
        .iter()
        .find(|span| span.span_kind == SpanKind::Server)
        .expect("the request's span");
    assert_eq!(
        server.span_context.trace_id(),
        trace_id,
        "the caller's trace"
    );
    assert_eq!(
        server.parent_span_id,
        SpanId::from_hex(PARENT_ID).expect("a span id")
    );
    assert!(server.parent_span_is_remote);
    assert_eq!(server.name, "POST /graphql", "{:?}", server.attributes);
    assert_eq!(
        attribute(server, "graphql.operation.name").as_deref(),
        Some("AddClient"),
        "{:?}",
        server.attributes
    );
    assert_eq!(
        attribute(server, "graphql.operation.type").as_deref(),
        Some("mutation")
    );
    assert_eq!(
        attribute(server, "http.request.method").as_deref(),
        Some("POST")
    );
    assert_eq!(attribute(server, "http.route").as_deref(), Some("/graphql"));
    assert_eq!(
        attribute(server, "http.response.status_code").as_deref(),
        Some("200")
    );

    let statements: Vec<&SpanData> = spans
        .iter()
        .filter(|span| attribute(span, "db.query.text").is_some())
        .collect();
    assert!(!statements.is_empty(), "a span per statement");
    for statement in &statements {
        assert_eq!(statement.span_kind, SpanKind::Client);
        assert_eq!(
            statement.span_context.trace_id(),
            trace_id,
            "inside the request's trace"
        );
        let system = attribute(statement, "db.system");
        assert!(
            matches!(system.as_deref(), Some("postgresql" | "sqlite")),
            "{system:?}"
        );
    }
    assert!(
        statements
            .iter()
            .any(|s| s.parent_span_id == server.span_context.span_id()),
        "statements are children of the request's span"
    );

    let everything = traces::exported()
        .get_finished_spans()
        .expect("the exported spans");
    for span in &everything {
        for text in every_text_of(span) {
            assert!(
                !text.contains(SENTINEL),
                "a variable in span {}: {text}",
                span.name
            );
        }
    }
}
