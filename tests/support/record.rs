//! Builds a post-mortem record through the API.

use super::TestApp;
use serde_json::{Value, json};

/// Ids of a record built by [`build`].
pub struct Record {
    pub incident_id: String,
    pub post_mortem_id: String,
    pub client_id: String,
    pub root_cause_id: String,
    pub measure_ids: Vec<String>,
}

/// Runs a mutation that must save, and returns the id of `object` in its payload.
pub async fn mutate(
    app: &TestApp,
    token: &str,
    query: &str,
    input: Value,
    field: &str,
    object: &str,
) -> String {
    let data = app.data(token, query, json!({ "input": input })).await;
    let payload = &data[field];
    assert_eq!(payload["userErrors"], json!([]), "{field}: {payload}");
    payload[object]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{field}: {payload}"))
        .to_owned()
}

pub const TIMELINE_CREATE: &str = "mutation($input: TimelineEventCreateInput!) { timelineEventCreate(input: $input) { timelineEvent { id } userErrors { field code message } } }";
pub const ROOT_CAUSE_CREATE: &str = "mutation($input: RootCauseCreateInput!) { rootCauseCreate(input: $input) { rootCause { id } userErrors { field code message } } }";
pub const IMPACT_SET: &str = "mutation($input: ClientImpactSetInput!) { clientImpactSet(input: $input) { clientImpact { id } userErrors { field code message } } }";
pub const POST_MORTEM_UPDATE: &str = "mutation($input: PostMortemUpdateInput!) { postMortemUpdate(input: $input) { postMortem { id } userErrors { field code message } } }";
pub const MEASURE_CREATE: &str = "mutation($input: PreventionMeasureCreateInput!) { preventionMeasureCreate(input: $input) { preventionMeasure { id } userErrors { field code message } } }";

/// A resolved incident with `children` client-visible timeline entries, root causes,
/// impacts (one per client) and measures, plus one internal entry, and an impact summary
/// (post-mortem version 2). With `children` ≥ 3 it passes every readiness check.
pub async fn build(app: &TestApp, token: &str, children: usize) -> Record {
    let incident = app
        .data(
            token,
            "mutation { incidentCreate(input: { title: \"Checkout failures\", summary: \"internal summary\", severity: SEV1, status: RESOLVED, startedAt: \"2026-03-01T09:00:00Z\", detectedAt: \"2026-03-01T09:05:00Z\", mitigatedAt: \"2026-03-01T10:00:00Z\", resolvedAt: \"2026-03-01T11:00:00Z\" }) { incident { id number postMortem { id } } } }",
            json!({}),
        )
        .await;
    let incident_id = incident["incidentCreate"]["incident"]["id"]
        .as_str()
        .expect("incident")
        .to_owned();
    let post_mortem_id = incident["incidentCreate"]["incident"]["postMortem"]["id"]
        .as_str()
        .expect("post-mortem")
        .to_owned();
    // Client names are unique per tenant: the first record's clients are plain `Client 00`…
    let number = incident["incidentCreate"]["incident"]["number"]
        .as_i64()
        .unwrap_or(1);
    let suffix = if number == 1 {
        String::new()
    } else {
        format!(" (INC-{number})")
    };
    let mut client_id = String::new();
    let mut root_cause_id = String::new();
    let mut measure_ids = Vec::new();
    let kinds = ["TECHNICAL", "PROCESS", "MONITORING"];
    for i in 0..children {
        let client = mutate(app, token, "mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { code } } }", json!({ "name": format!("Client {i:02}{suffix}") }), "clientCreate", "client").await;
        mutate(app, token, IMPACT_SET, json!({ "incidentId": incident_id, "clientId": client, "level": "FULL_OUTAGE", "description": format!("Checkout unavailable for client {i}"), "startedAt": "2026-03-01T09:00:00Z", "endedAt": "2026-03-01T11:00:00Z" }), "clientImpactSet", "clientImpact").await;
        mutate(app, token, TIMELINE_CREATE, json!({ "incidentId": incident_id, "occurredAt": format!("2026-03-01T09:{:02}:00Z", i % 60), "kind": "NOTE", "body": format!("Public update {i}"), "visibility": "CLIENT" }), "timelineEventCreate", "timelineEvent").await;
        let cause = mutate(app, token, ROOT_CAUSE_CREATE, json!({ "incidentId": incident_id, "kind": if i == 0 { "ROOT_CAUSE" } else { "CONTRIBUTING_FACTOR" }, "category": "CONFIGURATION", "internalAnalysis": format!("SECRET analysis {i}"), "clientExplanation": format!("A connection limit was set too low ({i}).") }), "rootCauseCreate", "rootCause").await;
        let measure = mutate(app, token, MEASURE_CREATE, json!({ "incidentId": incident_id, "kind": kinds[i % 3], "title": format!("Measure {i}"), "description": "Raise the limit and test it.", "successCriterion": "Load test at 2x peak passes", "ownerTeam": "Payments SRE", "dueOn": "2099-12-01", "addresses": [cause] }), "preventionMeasureCreate", "preventionMeasure").await;
        if i == 0 {
            client_id = client;
            root_cause_id = cause;
        }
        measure_ids.push(measure);
    }
    mutate(app, token, TIMELINE_CREATE, json!({ "incidentId": incident_id, "occurredAt": "2026-03-01T09:30:00Z", "kind": "NOTE", "body": "SECRET internal note", "visibility": "INTERNAL" }), "timelineEventCreate", "timelineEvent").await;
    mutate(app, token, POST_MORTEM_UPDATE, json!({ "postMortemId": post_mortem_id, "version": 1, "impactSummary": "Checkout was unavailable for two hours." }), "postMortemUpdate", "postMortem").await;
    Record {
        incident_id,
        post_mortem_id,
        client_id,
        root_cause_id,
        measure_ids,
    }
}
