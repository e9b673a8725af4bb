//! The operations measured, Q0–Q5, with what each needs from the seeded data.

use serde_json::{Value, json};

/// The nested record Q1–Q3 read for each incident.
const RECORD: &str = "id title severity status startedAt resolvedAt \
    timeline(first: 50) { totalCount nodes { id occurredAt kind body visibility } } \
    rootCauses { id kind category clientExplanation services { name } } \
    impacts { level description client { name } } \
    measures { id title status dueOn addresses { id } } \
    postMortem { status impactSummary publishedAt } \
    feedback { nodes { kind body status } }";

/// The body of every entry Q5 writes, by which the benchmark removes them afterwards.
pub const WRITTEN_BODY: &str = "Load test update.";

/// One operation: its name, and the request body to send.
pub struct Operation {
    pub name: &'static str,
    pub body: Value,
    /// Whether it writes (its payload must then have no user errors).
    pub mutation: bool,
}

/// Q0–Q5 for the seeded tenant: Q1 reads the first incident of the default order, Q5 writes
/// to the last, and Q3 starts from the cursor that ends page 49.
pub async fn operations(http: &reqwest::Client, endpoint: &str, token: &str) -> Vec<Operation> {
    let ends = json!({ "query": "{ first: incidents(first: 1) { nodes { id } } last: incidents(last: 1) { nodes { id } } }" });
    let ends = post(http, endpoint, token, &ends).await;
    let incident = ends["data"]["first"]["nodes"][0]["id"].clone();
    // Q5 writes to the last incident, which no read here looks at, so runs stay comparable.
    let written = ends["data"]["last"]["nodes"][0]["id"].clone();
    let page_50 = cursor_before_page(http, endpoint, token, 50).await;
    let page = |after: Value| {
        json!({
            "query": format!("query($after: String) {{ incidents(first: 20, after: $after) {{ nodes {{ {RECORD} }} }} }}"),
            "variables": { "after": after },
        })
    };
    vec![
        Operation {
            name: "Q0 incidents(first: 20) + 10 events",
            // The ceiling answers this very text.
            body: json!({ "query": crate::ceiling::Q0 }),
            mutation: false,
        },
        Operation {
            name: "Q1 one incident, whole record",
            body: json!({
                "query": format!("query($id: ID!) {{ incident(id: $id) {{ {RECORD} }} }}"),
                "variables": { "id": incident },
            }),
            mutation: false,
        },
        Operation {
            name: "Q2 incidents(first: 20), whole records",
            body: page(Value::Null),
            mutation: false,
        },
        Operation {
            name: "Q3 Q2 at page 50 (cursor)",
            body: page(page_50),
            mutation: false,
        },
        Operation {
            name: "Q4 metrics, 2026 by month",
            body: json!({
                "query": "query($from: DateTime!, $to: DateTime!) { metrics(from: $from, to: $to, bucket: MONTH) { total { followThrough { committed completionRate onTimeRate medianDaysToComplete } reviews { due held } incidents { count timeToResolve { medianHours p90Hours } } feedback { received medianFirstResponseHours } } series { start incidents { count } followThrough { committed completed } } } }",
                "variables": { "from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z" },
            }),
            mutation: false,
        },
        Operation {
            name: "Q5 timelineEventCreate",
            body: json!({
                "query": "mutation($input: TimelineEventCreateInput!) { timelineEventCreate(input: $input) { timelineEvent { id } userErrors { code } } }",
                "variables": { "input": { "incidentId": written, "occurredAt": chrono::Utc::now().to_rfc3339(), "kind": "NOTE", "body": WRITTEN_BODY, "visibility": "INTERNAL" } },
            }),
            mutation: true,
        },
    ]
}

/// The `endCursor` after `page - 1` pages of 20, walked through the cursors.
async fn cursor_before_page(
    http: &reqwest::Client,
    endpoint: &str,
    token: &str,
    page: usize,
) -> Value {
    let mut after = Value::Null;
    for _ in 1..page {
        let body = json!({
            "query": "query($after: String) { incidents(first: 20, after: $after) { pageInfo { endCursor } } }",
            "variables": { "after": after },
        });
        after =
            post(http, endpoint, token, &body).await["data"]["incidents"]["pageInfo"]["endCursor"]
                .clone();
    }
    assert!(after.is_string(), "fewer than {page} pages");
    after
}

/// POSTs `body` and returns the answer, which must hold no errors.
pub async fn post(http: &reqwest::Client, endpoint: &str, token: &str, body: &Value) -> Value {
    let response: Value = http
        .post(endpoint)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert!(response.get("errors").is_none(), "{response}");
    response
}
