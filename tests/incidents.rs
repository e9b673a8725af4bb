//! Incidents: numbering, validation, optimistic concurrency, filters and keyset pagination.

use crate::support::{TestApp, error_codes, spawn_app, user_error_codes};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { incident { id number reference version status resolvedAt } userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: IncidentUpdateInput!) { incidentUpdate(input: $input) { incident { id title version status } userErrors { field code message } } }";

pub async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.data(token, CREATE, json!({ "input": input })).await["incidentCreate"].clone()
}

pub fn incident(title: &str, started: &str) -> Value {
    json!({ "title": title, "severity": "SEV2", "startedAt": started })
}

async fn count(app: &TestApp, token: &str) -> i64 {
    app.data(token, "{ incidents { totalCount } }", json!({}))
        .await["incidents"]["totalCount"]
        .as_i64()
        .expect("count")
}

#[tokio::test]
async fn incidents_are_numbered_per_tenant_from_one() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    for expected in 1..=2 {
        let created = create(&app, &a.admin, incident("A", "2026-01-01T00:00:00Z")).await;
        assert_eq!(created["incident"]["number"], expected);
        assert_eq!(created["incident"]["reference"], format!("INC-{expected}"));
    }
    assert_eq!(
        create(&app, &b.admin, incident("B", "2026-01-01T00:00:00Z")).await["incident"]["reference"],
        "INC-1"
    );
    let by_reference = app
        .data(
            &a.admin,
            "{ incidentByReference(reference: \"inc-2\") { number } }",
            json!({}),
        )
        .await;
    assert_eq!(by_reference["incidentByReference"]["number"], 2);
}

#[tokio::test]
async fn concurrent_creations_get_unique_gap_free_numbers() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("busy").await;
    let creations = (0..24).map(|i| {
        create(
            &app,
            &tenant.admin,
            incident(&format!("Parallel {i}"), "2026-01-01T00:00:00Z"),
        )
    });
    let results = futures_util::future::join_all(creations).await;
    let mut numbers: Vec<i64> = results
        .iter()
        .map(|r| {
            r["incident"]["number"]
                .as_i64()
                .unwrap_or_else(|| panic!("{r}"))
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=24).collect::<Vec<_>>());
}

#[tokio::test]
async fn bad_incident_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let audit_before = app.audit_count(&tenant.admin).await;
    let cases = [
        (
            json!({ "title": "   ", "severity": "SEV2", "startedAt": "2026-01-01T00:00:00Z" }),
            "BLANK",
            "title",
        ),
        (
            json!({ "title": "x".repeat(201), "severity": "SEV2", "startedAt": "2026-01-01T00:00:00Z" }),
            "TOO_LONG",
            "title",
        ),
        (
            json!({ "title": "t", "summary": "s".repeat(10_001), "severity": "SEV2", "startedAt": "2026-01-01T00:00:00Z" }),
            "TOO_LONG",
            "summary",
        ),
        (
            json!({ "title": "t", "severity": "SEV2", "startedAt": "2026-01-02T00:00:00Z", "detectedAt": "2026-01-01T00:00:00Z" }),
            "OUT_OF_ORDER",
            "detectedAt",
        ),
        (
            json!({ "title": "t", "severity": "SEV2", "status": "RESOLVED", "startedAt": "2026-01-01T00:00:00Z" }),
            "INVALID",
            "resolvedAt",
        ),
        (
            json!({ "title": "t", "severity": "SEV2", "startedAt": "2026-01-01T00:00:00Z", "resolvedAt": "2026-01-02T00:00:00Z" }),
            "INVALID",
            "resolvedAt",
        ),
        (
            json!({ "title": "t", "severity": "SEV2", "startedAt": "2999-01-01T00:00:00Z" }),
            "INVALID",
            "startedAt",
        ),
        (
            json!({ "title": "t", "severity": "SEV2", "startedAt": "2026-01-01T00:00:00Z", "serviceIds": ["bm9wZQ"] }),
            "NOT_FOUND",
            "serviceIds",
        ),
    ];
    for (input, code, field) in cases {
        let payload = create(&app, &tenant.admin, input.clone()).await;
        assert_eq!(payload["incident"], Value::Null, "{input}");
        assert_eq!(user_error_codes(&payload), [code], "{input}: {payload}");
        assert_eq!(payload["userErrors"][0]["field"][0], field, "{input}");
    }
    let unknown_enum = app.gql(&tenant.admin, CREATE, json!({ "input": { "title": "t", "severity": "SEV9", "startedAt": "2026-01-01T00:00:00Z" } })).await;
    assert_eq!(error_codes(&unknown_enum), ["BAD_USER_INPUT"]);
    let bad_time = app
        .gql(
            &tenant.admin,
            CREATE,
            json!({ "input": { "title": "t", "severity": "SEV1", "startedAt": "yesterday" } }),
        )
        .await;
    assert_eq!(error_codes(&bad_time), ["BAD_USER_INPUT"]);
    assert_eq!(count(&app, &tenant.admin).await, 0);
    assert_eq!(app.audit_count(&tenant.admin).await, audit_before);
}

#[tokio::test]
async fn an_update_with_a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let created = create(
        &app,
        &tenant.admin,
        incident("Original", "2026-01-01T00:00:00Z"),
    )
    .await;
    let id = created["incident"]["id"].clone();
    let first = app
        .data(
            &tenant.admin,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "title": "First edit" } }),
        )
        .await;
    assert_eq!(first["incidentUpdate"]["incident"]["version"], 2);
    let stale = app
        .data(
            &tenant.admin,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "title": "Lost edit" } }),
        )
        .await;
    assert_eq!(stale["incidentUpdate"]["incident"], Value::Null);
    assert_eq!(user_error_codes(&stale["incidentUpdate"]), ["CONFLICT"]);
    let now = app
        .data(
            &tenant.admin,
            "query($id: ID!) { incident(id: $id) { title version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["incident"],
        json!({ "title": "First edit", "version": 2 })
    );
}

#[tokio::test]
async fn resolving_needs_resolved_at_and_updates_are_audited() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let id = create(
        &app,
        &tenant.admin,
        incident("Outage", "2026-01-01T00:00:00Z"),
    )
    .await["incident"]["id"]
        .clone();
    let refused = app
        .data(
            &tenant.admin,
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "status": "RESOLVED" } }),
        )
        .await;
    assert_eq!(user_error_codes(&refused["incidentUpdate"]), ["INVALID"]);
    let resolved = app
        .data(&tenant.admin, UPDATE, json!({ "input": { "id": id, "version": 1, "status": "RESOLVED", "resolvedAt": "2026-01-01T05:00:00Z" } }))
        .await;
    assert_eq!(resolved["incidentUpdate"]["incident"]["status"], "RESOLVED");
    let log = app.data(&tenant.admin, "query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { action changes actor { displayName } } } }", json!({ "id": id })).await;
    let entries = log["auditLog"]["nodes"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "create and one update: {log}");
    assert_eq!(entries[0]["action"], "incident.update");
    assert_eq!(
        entries[0]["changes"]["status"],
        json!({ "from": "INVESTIGATING", "to": "RESOLVED" })
    );
    assert_eq!(entries[0]["actor"]["displayName"], "Admin of acme");
    assert_eq!(entries[1]["action"], "incident.create");
}

#[tokio::test]
async fn changing_services_is_audited_with_the_old_and_new_lists() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let service = app
        .data(
            &tenant.admin,
            "mutation { serviceCreate(input: { name: \"Payments\" }) { service { id } } }",
            json!({}),
        )
        .await["serviceCreate"]["service"]["id"]
        .clone();
    let id = create(
        &app,
        &tenant.admin,
        incident("Outage", "2026-01-01T00:00:00Z"),
    )
    .await["incident"]["id"]
        .clone();
    app.data(
        &tenant.admin,
        UPDATE,
        json!({ "input": { "id": id, "version": 1, "serviceIds": [service] } }),
    )
    .await;
    let log = app
        .data(&tenant.admin, "query($id: ID!) { auditLog(filter: { entityId: $id }, first: 1) { nodes { changes } } }", json!({ "id": id }))
        .await;
    let change = &log["auditLog"]["nodes"][0]["changes"]["serviceIds"];
    assert_eq!(change["from"], json!([]));
    assert_eq!(change["to"].as_array().map(Vec::len), Some(1));
}
