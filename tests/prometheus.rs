//! `GET /metrics` on `--metrics-listen`: after a known set of requests, every counter says
//! what was sent, and the duration is a histogram with buckets from 5 ms to 10 s.

use crate::support::receiver::Receiver;
use crate::support::{
    TestApp, error_codes, socket::Socket, spawn_app, spawn_app_with, spawn_delivering_app,
};
use crate::webhooks::create_endpoint;
use prometheus_parse::{Sample, Scrape, Value};
use reqwest::StatusCode;
use serde_json::json;

async fn app_with_metrics() -> TestApp {
    spawn_app_with(|config| debrief::config::Config {
        metrics_listen: Some("127.0.0.1:0".parse().expect("an address")),
        ..config
    })
    .await
}

async fn scrape(app: &TestApp) -> Scrape {
    let url = app.metrics_url.as_deref().expect("a metrics listener");
    let response = app.http.get(url).send().await.expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("the exposition");
    Scrape::parse(text.lines().map(|line| Ok(line.to_owned()))).expect("Prometheus text")
}

/// The value of the counter or gauge `name` whose labels include `labels`.
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let sample = find(scrape, name, labels)?;
    match sample.value {
        Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(v),
        _ => None,
    }
}

fn find<'a>(scrape: &'a Scrape, name: &str, labels: &[(&str, &str)]) -> Option<&'a Sample> {
    scrape.samples.iter().find(|sample| {
        sample.metric == name
            && labels
                .iter()
                .all(|(key, value)| sample.labels.get(key) == Some(*value))
    })
}

fn requests(scrape: &Scrape, ty: &str, outcome: &str) -> f64 {
    let labels = [
        ("operation_type", ty),
        ("operation_name", "other"),
        ("outcome", outcome),
    ];
    value(scrape, "debrief_graphql_requests_total", &labels).unwrap_or(0.0)
}

fn errors(scrape: &Scrape, code: &str) -> f64 {
    value(scrape, "debrief_graphql_errors_total", &[("code", code)]).unwrap_or(0.0)
}

#[tokio::test]
async fn the_counters_equal_the_requests_sent_and_the_duration_is_a_histogram() {
    let app = app_with_metrics().await;
    let tenant = app.create_tenant("acme").await;
    let admin = Some(tenant.admin.as_str());
    for _ in 0..3 {
        let (status, _) = app
            .post(admin, json!({ "query": "query Me { viewer { role } }" }))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let create = "mutation { clientCreate(input: { name: \"Globex\" }) { client { id } } }";
    app.data(&tenant.admin, create, json!({})).await;
    let missing = "{ incident(id: \"SW5jaWRlbnQ6MDE5\") { id } }";
    let (_, body) = app.post(admin, json!({ "query": missing })).await;
    let execution_codes = error_codes(&body);
    assert_eq!(execution_codes, ["NOT_FOUND"], "{body}");
    for refused in ["{ viewer {", "{ noSuchField }"] {
        let (_, body) = app.post(admin, json!({ "query": refused })).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{refused}: {body}");
    }
    let (status, _) = app
        .post(
            Some("not-a-token"),
            json!({ "query": "{ viewer { role } }" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let scrape = scrape(&app).await;
    assert_eq!(requests(&scrape, "query", "ok"), 3.0);
    assert_eq!(requests(&scrape, "mutation", "ok"), 1.0);
    assert_eq!(requests(&scrape, "query", "error"), 1.0);
    assert_eq!(
        requests(&scrape, "query", "refused"),
        1.0,
        "the invalid one"
    );
    assert_eq!(
        requests(&scrape, "unknown", "refused"),
        2.0,
        "unparsed, unauthenticated"
    );
    assert_eq!(errors(&scrape, "NOT_FOUND"), 1.0);
    assert_eq!(errors(&scrape, "BAD_USER_INPUT"), 2.0);
    assert_eq!(errors(&scrape, "UNAUTHENTICATED"), 1.0);
    let total: f64 = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "debrief_graphql_requests_total")
        .filter_map(|s| match s.value {
            Value::Counter(v) => Some(v),
            _ => None,
        })
        .sum();
    assert_eq!(total, 8.0, "no request counted twice or missed");

    let histograms: Vec<&Sample> = scrape
        .samples
        .iter()
        .filter(|s| s.metric == "debrief_graphql_request_duration_seconds")
        .collect();
    assert!(!histograms.is_empty(), "a histogram, not a summary");
    let mut observed = 0.0;
    for histogram in &histograms {
        let Value::Histogram(buckets) = &histogram.value else {
            panic!("the duration is a histogram: {:?}", histogram.value);
        };
        let bounds: Vec<f64> = buckets.iter().map(|b| b.less_than).collect();
        let expected = [
            0.005,
            0.01,
            0.025,
            0.05,
            0.1,
            0.25,
            0.5,
            1.0,
            2.5,
            5.0,
            10.0,
            f64::INFINITY,
        ];
        assert_eq!(bounds, expected);
        observed += buckets.last().map_or(0.0, |b| b.count);
    }
    assert_eq!(observed, 8.0, "every request is in the histogram");
    let count: f64 = ["query", "mutation", "unknown"]
        .iter()
        .filter_map(|ty| {
            let labels = [("operation_type", *ty), ("operation_name", "other")];
            value(
                &scrape,
                "debrief_graphql_request_duration_seconds_count",
                &labels,
            )
        })
        .sum();
    assert_eq!(count, 8.0, "the histogram's count equals the requests");

    // The pool takes a connection back in a task of its own, a moment after the answer.
    let mut pool = pool_state(&scrape);
    for _ in 0..50 {
        if pool.1 == Some(0.0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        pool = pool_state(&self::scrape(&app).await);
    }
    let (idle, busy) = pool;
    assert!(
        idle.is_some_and(|n| n >= 1.0),
        "the pool's idle connections: {idle:?}"
    );
    assert_eq!(
        busy,
        Some(0.0),
        "no request holds a connection between requests"
    );
}

/// The API pool's idle and in-use connections.
fn pool_state(scrape: &Scrape) -> (Option<f64>, Option<f64>) {
    let state = |state| {
        value(
            scrape,
            "debrief_db_pool_connections",
            &[("pool", "api"), ("state", state)],
        )
    };
    (state("idle"), state("in_use"))
}

#[tokio::test]
async fn open_subscription_sockets_are_counted_until_they_close() {
    let app = app_with_metrics().await;
    let tenant = app.create_tenant("acme").await;
    let socket = Socket::ready(&app.ws_url(), &tenant.admin).await;
    let open = value(&scrape(&app).await, "debrief_subscriptions_active", &[]);
    assert_eq!(open, Some(1.0));
    drop(socket);
    let closed = eventually(&app, "debrief_subscriptions_active", &[], 0.0).await;
    assert_eq!(closed, Some(0.0));
}

/// Scrapes until `name` with `labels` reaches `wanted` (work in the background records it
/// just after its effect is visible), for at most a second.
async fn eventually(
    app: &TestApp,
    name: &str,
    labels: &[(&str, &str)],
    wanted: f64,
) -> Option<f64> {
    let mut seen = None;
    for _ in 0..50 {
        seen = value(&scrape(app).await, name, labels);
        if seen == Some(wanted) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    seen
}

#[tokio::test]
async fn webhook_attempts_are_counted_by_outcome() {
    let app = spawn_delivering_app(|config| debrief::config::Config {
        metrics_listen: Some("127.0.0.1:0".parse().expect("an address")),
        ..config
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(&app, &tenant.admin, &receiver.url, &["INCIDENT_CREATED"]).await;
    let send = "mutation($id: ID!) { webhookEndpointSendTest(input: { id: $id }) { webhookDelivery { id } } }";
    app.data(&tenant.admin, send, json!({ "id": endpoint.id }))
        .await;
    receiver.wait_for(1).await;
    let delivered = [("outcome", "delivered")];
    let counted = eventually(&app, "debrief_webhook_deliveries_total", &delivered, 1.0).await;
    assert_eq!(counted, Some(1.0));
}

#[tokio::test]
async fn without_a_metrics_listener_nothing_is_served() {
    let app = spawn_app().await;
    assert!(app.metrics_url.is_none());
    let response = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "never on the API's port"
    );
}

#[tokio::test]
async fn a_trusted_document_is_counted_under_its_manifest_name_and_free_text_as_other() {
    let text = "query TenantSlug { viewer { tenant { slug } } }";
    let folder = tempfile::tempdir().expect("a temporary folder");
    let manifest = crate::trusted_documents::apollo_manifest(&[("TenantSlug", "query", text)]);
    let path = crate::trusted_documents::write(folder.path(), &manifest);
    let app = spawn_app_with(move |config| debrief::config::Config {
        metrics_listen: Some("127.0.0.1:0".parse().expect("an address")),
        trusted_documents: debrief::config::TrustedDocumentSettings {
            manifest: Some(path),
            required_roles: Vec::new(),
        },
        ..config
    })
    .await;
    let tenant = app.create_tenant("labels").await;
    let trusted = crate::trusted_documents::by_id(text, json!({}));
    let free = json!({ "query": "query FreeText { viewer { role } }" });
    for body in [trusted, free] {
        let (status, answer) = app.post(Some(&tenant.admin), body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let scrape = scrape(&app).await;
    let labels = |name| {
        [
            ("operation_type", "query"),
            ("operation_name", name),
            ("outcome", "ok"),
        ]
    };
    let total = "debrief_graphql_requests_total";
    assert_eq!(value(&scrape, total, &labels("TenantSlug")), Some(1.0));
    assert_eq!(value(&scrape, total, &labels("other")), Some(1.0));
    assert!(find(&scrape, total, &[("operation_name", "FreeText")]).is_none());
}

#[tokio::test]
async fn a_request_over_budget_is_counted_as_refused_and_rate_limited() {
    let budget = debrief::domain::rate_limit::Budget {
        points: 1,
        window: std::time::Duration::from_secs(3_600),
    };
    let app = spawn_app_with(move |config| debrief::config::Config {
        metrics_listen: Some("127.0.0.1:0".parse().expect("an address")),
        rate_limits: debrief::domain::rate_limit::Budgets {
            per_caller: Some(budget),
            per_tenant: None,
        },
        ..config
    })
    .await;
    let tenant = app.create_tenant("refusals").await;
    for expected in [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS] {
        let query = json!({ "query": "{ viewer { role } }" });
        let (status, body) = app.post(Some(&tenant.admin), query).await;
        assert_eq!(status, expected, "{body}");
    }
    let scrape = scrape(&app).await;
    assert_eq!(value(&scrape, "debrief_rate_limited_total", &[]), Some(1.0));
    assert_eq!(errors(&scrape, "RATE_LIMITED"), 1.0);
    assert_eq!(requests(&scrape, "unknown", "refused"), 1.0);
    assert_eq!(requests(&scrape, "query", "ok"), 1.0);
}
