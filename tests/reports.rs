//! `GET /reports/metrics.csv`: the rows of `metrics(groupBy:)` as CSV, authenticated like
//! GraphQL, with formula-like names defused.

use crate::support::history::{self, History};
use crate::support::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ROWS: &str = "query($from: DateTime!, $to: DateTime!, $bucket: MetricsBucket, $groupBy: MetricsGroupBy) {
  metrics(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy) {
    rows { start end dimension dimensionId
      incidents { count bySeverity { severity count } postMortemDue
        timeToResolve { count meanHours medianHours p90Hours }
        timeToPublish { count meanHours medianHours p90Hours } }
      followThrough { committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete } }
  }
}";

/// The columns the file must have, in order, and where each is in a GraphQL row: the
/// contract, written out independently of the server's own table.
const COLUMNS: [(&str, &str); 26] = [
    ("start", "/start"),
    ("end", "/end"),
    ("dimension", "/dimension"),
    ("dimension_id", "/dimensionId"),
    ("incidents", "/incidents/count"),
    ("incidents_sev1", "/incidents/bySeverity/0/count"),
    ("incidents_sev2", "/incidents/bySeverity/1/count"),
    ("incidents_sev3", "/incidents/bySeverity/2/count"),
    ("incidents_sev4", "/incidents/bySeverity/3/count"),
    ("post_mortems_due", "/incidents/postMortemDue"),
    ("resolved", "/incidents/timeToResolve/count"),
    ("resolve_mean_hours", "/incidents/timeToResolve/meanHours"),
    (
        "resolve_median_hours",
        "/incidents/timeToResolve/medianHours",
    ),
    ("resolve_p90_hours", "/incidents/timeToResolve/p90Hours"),
    ("published", "/incidents/timeToPublish/count"),
    ("publish_mean_hours", "/incidents/timeToPublish/meanHours"),
    (
        "publish_median_hours",
        "/incidents/timeToPublish/medianHours",
    ),
    ("publish_p90_hours", "/incidents/timeToPublish/p90Hours"),
    ("measures_committed", "/followThrough/committed"),
    ("measures_completed", "/followThrough/completed"),
    (
        "measures_completed_on_time",
        "/followThrough/completedOnTime",
    ),
    ("measures_overdue", "/followThrough/overdue"),
    ("measures_cancelled", "/followThrough/cancelled"),
    ("completion_rate", "/followThrough/completionRate"),
    ("on_time_rate", "/followThrough/onTimeRate"),
    (
        "median_days_to_complete",
        "/followThrough/medianDaysToComplete",
    ),
];

const FROM: &str = "2026-07-01T00:00:00Z";
const TO: &str = "2026-10-01T00:00:00Z";

/// GETs the report with `query` as `token`; the status, headers and body.
async fn get(
    app: &TestApp,
    token: Option<&str>,
    query: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = app
        .http
        .get(format!("{}/reports/metrics.csv", app.url))
        .query(query);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("GET the report");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.expect("body"))
}

fn records(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    (headers, records)
}

/// A GraphQL value as the file must hold it.
fn expected_cell(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(text)) if text.starts_with(['=', '+', '-', '@']) => format!("'{text}"),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

/// Asserts the file for `group_by` (and `bucket`, when given) holds the GraphQL rows.
async fn assert_csv_is_graphql(app: &TestApp, token: &str, group_by: &str, bucket: Option<&str>) {
    let mut query = vec![("from", FROM), ("to", TO), ("groupBy", group_by)];
    query.extend(bucket.map(|b| ("bucket", b)));
    let (status, _, body) = get(app, Some(token), &query).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let variables = json!({ "from": FROM, "to": TO, "bucket": bucket, "groupBy": group_by });
    let data = app.data(token, ROWS, variables).await;
    let rows = data["metrics"]["rows"].as_array().expect("rows").clone();
    let (headers, records) = records(&body);
    assert_eq!(headers, COLUMNS.map(|(h, _)| h), "the header");
    assert_eq!(
        records.len(),
        rows.len(),
        "{group_by} {bucket:?}: one record per row"
    );
    assert!(!rows.is_empty(), "{group_by} {bucket:?}");
    for (i, (record, row)) in records.iter().zip(&rows).enumerate() {
        for ((header, pointer), cell) in COLUMNS.iter().zip(record) {
            let expected = expected_cell(row.pointer(pointer));
            assert_eq!(cell, &expected, "{group_by} {bucket:?} row {i} {header}");
        }
    }
}

async fn service_token(app: &TestApp, h: &History) -> String {
    let expires = (chrono::Utc::now() + chrono::TimeDelta::days(7)).to_rfc3339();
    let input = json!({ "name": "BI", "role": "REPORTER", "expiresAt": expires });
    let data = app
        .data(
            &h.admin,
            "mutation($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) { token apiToken { id } } }",
            json!({ "input": input }),
        )
        .await;
    data["apiTokenCreate"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

#[tokio::test]
async fn the_csv_holds_the_graphql_rows_for_every_dimension_and_period() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let token = service_token(&app, &h).await;
    for group_by in ["CLIENT", "SERVICE", "SEVERITY", "KIND"] {
        for bucket in [None, Some("MONTH"), Some("WEEK")] {
            assert_csv_is_graphql(&app, &token, group_by, bucket).await;
        }
    }
    let (_, headers, body) = get(
        &app,
        Some(&h.reporter),
        &[("from", FROM), ("to", TO), ("groupBy", "SEVERITY")],
    )
    .await;
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"debrief-metrics-severity-2026-07-01-2026-10-01.csv\""
    );
    // SEV1 over the quarter: three incidents, resolved in 4, 6 and 4 hours.
    let (_, by_severity) = records(&body);
    assert_eq!(
        by_severity[0][..5],
        [
            "2026-07-01T00:00:00.000000Z",
            "2026-10-01T00:00:00.000000Z",
            "SEV1",
            "",
            "3"
        ]
    );
    assert_eq!(by_severity[0][12], "4.0");
}

#[tokio::test]
async fn names_that_look_like_formulas_are_defused() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let rename = |query: &'static str, id: &str, name: &str| {
        let (admin, variables) = (h.admin.clone(), json!({ "id": id, "name": name }));
        let app = &app;
        async move {
            let data = app.data(&admin, query, variables).await;
            let payload = data.as_object().and_then(|d| d.values().next()).cloned();
            assert_eq!(payload.expect("payload")["userErrors"], json!([]));
        }
    };
    rename(
        "mutation($id: ID!, $name: String!) { clientUpdate(input: { id: $id, name: $name }) { userErrors { code } } }",
        &h.acme,
        "=HYPERLINK(\"http://evil.example\")",
    )
    .await;
    rename(
        "mutation($id: ID!, $name: String!) { serviceUpdate(input: { id: $id, name: $name }) { userErrors { code } } }",
        &h.search,
        "@Search",
    )
    .await;
    let (_, _, clients) = get(
        &app,
        Some(&h.reporter),
        &[("from", FROM), ("to", TO), ("groupBy", "CLIENT")],
    )
    .await;
    let (_, by_client) = records(&clients);
    let names: Vec<&str> = by_client.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, ["'=HYPERLINK(\"http://evil.example\")", "Bolt"]);
    let (_, _, services) = get(
        &app,
        Some(&h.reporter),
        &[("from", FROM), ("to", TO), ("groupBy", "SERVICE")],
    )
    .await;
    let (_, by_service) = records(&services);
    let names: Vec<&str> = by_service.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(names, ["'@Search", "Payments"]);
    assert_csv_is_graphql(&app, &h.reporter, "CLIENT", None).await;
}

#[tokio::test]
async fn the_report_is_authenticated_and_for_readers_of_metrics() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let query = [("from", FROM), ("to", TO), ("groupBy", "KIND")];
    let (status, headers, body) = get(&app, None, &query).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(headers["www-authenticate"], "Bearer");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    let (status, _, _) = get(&app, Some("dbt_tampered"), &query).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for token in [&h.admin, &h.reporter] {
        let (status, _, body) = get(&app, Some(token), &query).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _, body) = get(&app, Some(&h.client), &query).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("metrics"), "{body}");
    let token = service_token(&app, &h).await;
    let (status, _, _) = get(&app, Some(&token), &query).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_plain_explanation() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    for (query, says) in [
        (vec![("from", FROM), ("to", TO)], "`groupBy` is required"),
        (vec![("to", TO), ("groupBy", "KIND")], "`from` is required"),
        (
            vec![("from", "yesterday"), ("to", TO), ("groupBy", "KIND")],
            "RFC 3339",
        ),
        (
            vec![("from", FROM), ("to", TO), ("groupBy", "TEAM")],
            "CLIENT, SERVICE, SEVERITY, KIND",
        ),
        (
            vec![
                ("from", FROM),
                ("to", TO),
                ("groupBy", "KIND"),
                ("bucket", "DAY"),
            ],
            "WEEK, MONTH",
        ),
        (
            vec![
                ("from", FROM),
                ("to", TO),
                ("groupBy", "KIND"),
                ("group_by", "KIND"),
            ],
            "unknown parameter `group_by`",
        ),
        (
            vec![
                ("from", FROM),
                ("from", FROM),
                ("to", TO),
                ("groupBy", "KIND"),
            ],
            "more than once",
        ),
        (
            vec![("from", TO), ("to", FROM), ("groupBy", "KIND")],
            "`from` must be earlier than `to`",
        ),
    ] {
        let (status, headers, body) = get(&app, Some(&h.reporter), &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}: {body}");
        assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
        assert!(body.contains(says), "{query:?}: {body}");
    }
    // An offset's `+` sent unencoded arrives as a space, and is read as `+`.
    let url = format!(
        "{}/reports/metrics.csv?from=2026-07-01T02:00:00+02:00&to={TO}&groupBy=KIND",
        app.url
    );
    let response = app
        .http
        .get(url)
        .bearer_auth(&h.reporter)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
}
