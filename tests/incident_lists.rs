//! Incident lists: keyset pagination in both directions, filters, and bad list arguments.

use crate::incidents::{create, incident};
use crate::support::{error_codes, spawn_app, user_error_codes};
use serde_json::{Value, json};

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

#[tokio::test]
async fn a_hand_made_cursor_of_the_wrong_kind_is_bad_input() {
    use base64::Engine;
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    create(&app, &tenant.admin, incident("One", "2026-01-01T00:00:00Z")).await;
    let page = app
        .data(
            &tenant.admin,
            "{ incidents(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let cursor = page["incidents"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor");
    let mut decoded: Value =
        serde_json::from_slice(&engine.decode(cursor).expect("base64")).expect("json");
    decoded["k"]["value"] = json!({ "Text": "x" });
    let forged = engine.encode(decoded.to_string());
    let body = app
        .gql(
            &tenant.admin,
            "query($c: String!) { incidents(after: $c) { totalCount } }",
            json!({ "c": forged }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn times_before_1970_and_malformed_filters_are_refused() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let payload = create(
        &app,
        &tenant.admin,
        incident("Ancient", "1960-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(user_error_codes(&payload), ["INVALID"]);
    for filter in [
        json!({ "serviceId": "not-an-id" }),
        json!({ "startedAfter": "1900-01-01T00:00:00Z" }),
    ] {
        let body = app
            .gql(
                &tenant.admin,
                "query($f: IncidentFilter) { incidents(filter: $f) { totalCount } }",
                json!({ "f": filter }),
            )
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{filter}: {body}");
    }
    let body = app
        .gql(
            &tenant.admin,
            "{ auditLog(filter: { actorId: \"bm9wZQ\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn a_timeline_pages_backwards_with_last_and_before() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let built = crate::support::record::build(&app, &tenant.admin, 5).await;
    let query = "query($id: ID!, $last: Int, $before: String) { incident(id: $id) { timeline(last: $last, before: $before) { totalCount nodes { id occurredAt } pageInfo { hasPreviousPage hasNextPage startCursor } } } }";
    let all = app
        .data(
            &tenant.admin,
            query,
            json!({ "id": built.incident_id, "last": 100 }),
        )
        .await;
    let everything: Vec<Value> = all["incident"]["timeline"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(everything.len(), 6, "five client entries and one internal");
    let last_two = app
        .data(
            &tenant.admin,
            query,
            json!({ "id": built.incident_id, "last": 2 }),
        )
        .await;
    let page = &last_two["incident"]["timeline"];
    assert_eq!(
        page["nodes"].as_array().cloned().unwrap_or_default(),
        everything[4..]
    );
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
    let before = app
        .data(
            &tenant.admin,
            query,
            json!({ "id": built.incident_id, "last": 3, "before": page["pageInfo"]["startCursor"] }),
        )
        .await;
    let earlier = &before["incident"]["timeline"];
    assert_eq!(
        earlier["nodes"].as_array().cloned().unwrap_or_default(),
        everything[1..4]
    );
    assert_eq!(earlier["totalCount"], 6);
}
