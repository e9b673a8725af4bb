//! Incidents: numbering, validation, optimistic concurrency, filters and keyset pagination.

use crate::support::{TestApp, error_codes, spawn_app, user_error_codes};
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { incident { id number reference version status resolvedAt } userErrors { field code message } } }";
const UPDATE: &str = "mutation($input: IncidentUpdateInput!) { incidentUpdate(input: $input) { incident { id title version status } userErrors { field code message } } }";

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.data(token, CREATE, json!({ "input": input })).await["incidentCreate"].clone()
}

fn incident(title: &str, started: &str) -> Value {
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
    let audit_before = app.audit_count(tenant.id).await;
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
    assert_eq!(app.audit_count(tenant.id).await, audit_before);
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
async fn incidents_page_forwards_and_backwards_with_keyset_cursors() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    for i in 1..=5 {
        create(
            &app,
            &tenant.admin,
            incident(&format!("I{i}"), &format!("2026-01-0{i}T00:00:00Z")),
        )
        .await;
    }
    let query = "query($first: Int, $after: String, $last: Int, $before: String) { incidents(first: $first, after: $after, last: $last, before: $before, orderBy: { field: STARTED_AT, direction: ASC }) { totalCount nodes { title } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let titles = |page: &Value| {
        page["incidents"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let first = app.data(&tenant.admin, query, json!({ "first": 2 })).await;
    assert_eq!(titles(&first), ["I1", "I2"]);
    assert_eq!(first["incidents"]["totalCount"], 5);
    assert_eq!(first["incidents"]["pageInfo"]["hasNextPage"], true);
    let second = app
        .data(
            &tenant.admin,
            query,
            json!({ "first": 2, "after": first["incidents"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(titles(&second), ["I3", "I4"]);
    let third = app
        .data(
            &tenant.admin,
            query,
            json!({ "first": 2, "after": second["incidents"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(titles(&third), ["I5"]);
    assert_eq!(third["incidents"]["pageInfo"]["hasNextPage"], false);
    let back = app
        .data(
            &tenant.admin,
            query,
            json!({ "last": 2, "before": third["incidents"]["pageInfo"]["startCursor"] }),
        )
        .await;
    assert_eq!(titles(&back), ["I3", "I4"]);
    assert_eq!(back["incidents"]["pageInfo"]["hasPreviousPage"], true);
    let default_order = app
        .data(
            &tenant.admin,
            "{ incidents(first: 1) { nodes { number } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        default_order["incidents"]["nodes"][0]["number"], 5,
        "newest first by default"
    );
    let wrong_order = app
        .gql(
            &tenant.admin,
            "query($c: String!) { incidents(after: $c) { nodes { title } } }",
            json!({ "c": first["incidents"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        error_codes(&wrong_order),
        ["BAD_USER_INPUT"],
        "a cursor is bound to its order"
    );
}

#[tokio::test]
async fn incidents_filter_by_status_severity_service_and_start() {
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
    create(&app, &tenant.admin, json!({ "title": "old", "severity": "SEV1", "startedAt": "2025-06-01T00:00:00Z", "status": "RESOLVED", "resolvedAt": "2025-06-02T00:00:00Z" })).await;
    create(&app, &tenant.admin, json!({ "title": "payments", "severity": "SEV2", "startedAt": "2026-02-01T00:00:00Z", "serviceIds": [service] })).await;
    create(
        &app,
        &tenant.admin,
        json!({ "title": "minor", "severity": "SEV4", "startedAt": "2026-03-01T00:00:00Z" }),
    )
    .await;
    let titles = |filter: Value| {
        let app = &app;
        let token = tenant.admin.clone();
        async move {
            let data = app.data(&token, "query($f: IncidentFilter) { incidents(filter: $f) { totalCount nodes { title } } }", json!({ "f": filter })).await;
            data["incidents"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| n["title"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(json!({ "status": ["RESOLVED"] })).await, ["old"]);
    assert_eq!(
        titles(json!({ "severity": ["SEV2", "SEV4"] })).await,
        ["minor", "payments"]
    );
    assert_eq!(titles(json!({ "serviceId": service })).await, ["payments"]);
    assert_eq!(titles(json!({ "startedAfter": "2026-01-01T00:00:00Z", "startedBefore": "2026-03-01T00:00:00Z" })).await, ["payments"]);
}
