//! The post-mortem record's reads: statement counts, visibility by role, other tenants.

use crate::support::record::{
    self, IMPACT_SET, MEASURE_CREATE, ROOT_CAUSE_CREATE, TIMELINE_CREATE,
};
use crate::support::{World, error_codes, spawn_app, spawn_app_with, user_error_codes};
use serde_json::{Value, json};

const Q1: &str = "query($id: ID!) { incident(id: $id) { id title services { name } timeline(first: 50) { totalCount nodes { id body kind } pageInfo { hasNextPage } } rootCauses { id kind clientExplanation services { name } } impacts { level description client { name } } measures { title status addresses { id } } postMortem { status impactSummary } feedback { totalCount nodes { body status } } } }";
const Q2: &str = "{ incidents(first: 20) { nodes { id title services { name } timeline(first: 50) { totalCount nodes { id body } } rootCauses { id services { name } } impacts { level client { name } } measures { title addresses { id } } postMortem { status } feedback { totalCount nodes { body } } } } }";

/// The statements Q1 and Q2 may take, whatever the page and list sizes: the caller's user, the
/// incidents, the timeline pages, then one per kind of list asked for, each for all its
/// parents at once (services, causes, impacts, measures, post-mortem, feedback and the two
/// totals; then the causes' services, the impacts' clients and the measures' addresses).
const STATEMENTS: u64 = 14;

#[tokio::test]
async fn one_incident_and_a_page_of_incidents_cost_the_same_statements_whatever_the_list_sizes() {
    // A wide batch window keeps batches whole even when parallel tests starve this one of
    // CPU; the property under test is the number of batches, not their timing.
    let wide = |mut config: debrief::config::Config| {
        config.batch_window = std::time::Duration::from_millis(50);
        config
    };
    let small = spawn_app_with(wide).await;
    let large = spawn_app_with(wide).await;
    let (small_tenant, large_tenant) = (
        small.create_tenant("s").await,
        large.create_tenant("l").await,
    );
    let one = record::build(&small, &small_tenant.admin, 1).await;
    let many = record::build(&large, &large_tenant.admin, 50).await;
    for _ in 0..2 {
        record::build(&small, &small_tenant.admin, 1).await;
        record::build(&large, &large_tenant.admin, 3).await;
    }
    let q1_small = small
        .statements_for(&small_tenant.admin, Q1, json!({ "id": one.incident_id }))
        .await;
    let q1_large = large
        .statements_for(&large_tenant.admin, Q1, json!({ "id": many.incident_id }))
        .await;
    assert_eq!(
        q1_small, q1_large,
        "Q1 with 1 and with 50 children per list"
    );
    assert!(q1_small <= STATEMENTS, "Q1 took {q1_small} statements");
    let q2_small = small
        .statements_for(&small_tenant.admin, Q2, json!({}))
        .await;
    let q2_large = large
        .statements_for(&large_tenant.admin, Q2, json!({}))
        .await;
    assert_eq!(
        q2_small, q2_large,
        "Q2 over incidents with 1 and with 50 children per list"
    );
    assert!(q2_small <= STATEMENTS, "Q2 took {q2_small} statements");
    let data = large
        .data(&large_tenant.admin, Q1, json!({ "id": many.incident_id }))
        .await;
    assert_eq!(data["incident"]["timeline"]["totalCount"], 51);
    assert_eq!(
        data["incident"]["timeline"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(50)
    );
    assert_eq!(
        data["incident"]["timeline"]["pageInfo"]["hasNextPage"],
        true
    );
    assert_eq!(
        data["incident"]["measures"].as_array().map(Vec::len),
        Some(50)
    );
}

#[tokio::test]
async fn the_timeline_pages_in_time_order_and_filters_by_visibility() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 3).await;
    let query = "query($id: ID!, $after: String, $v: Visibility) { incident(id: $id) { timeline(first: 2, after: $after, visibility: $v) { totalCount nodes { body visibility } pageInfo { hasNextPage endCursor } } } }";
    let first = app
        .data(&tenant.admin, query, json!({ "id": record.incident_id }))
        .await;
    let timeline = &first["incident"]["timeline"];
    assert_eq!(timeline["totalCount"], 4);
    assert_eq!(
        timeline["nodes"],
        json!([{ "body": "Public update 0", "visibility": "CLIENT" }, { "body": "Public update 1", "visibility": "CLIENT" }])
    );
    let second = app
        .data(
            &tenant.admin,
            query,
            json!({ "id": record.incident_id, "after": timeline["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        second["incident"]["timeline"]["nodes"],
        json!([{ "body": "Public update 2", "visibility": "CLIENT" }, { "body": "SECRET internal note", "visibility": "INTERNAL" }])
    );
    assert_eq!(
        second["incident"]["timeline"]["pageInfo"]["hasNextPage"],
        false
    );
    let internal = app
        .data(
            &tenant.admin,
            query,
            json!({ "id": record.incident_id, "v": "INTERNAL" }),
        )
        .await;
    assert_eq!(internal["incident"]["timeline"]["totalCount"], 1);
}

#[tokio::test]
async fn a_reporter_reads_the_record_without_internal_text() {
    let world = World::new().await;
    let record = record::build(&world.app, &world.a.admin, 2).await;
    let app = &world.app;
    let body = app
        .gql(&world.a.reporter, "query($id: ID!) { incident(id: $id) { timeline { totalCount nodes { body } } rootCauses { clientExplanation } measures { title } postMortem { status } } }", json!({ "id": record.incident_id }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["incident"]["timeline"]["totalCount"], 2,
        "internal entries are not counted for a reporter"
    );
    assert!(!body.to_string().contains("SECRET"), "{body}");
    for field in [
        "rootCauses { internalAnalysis }",
        "postMortem { lessonsLearned }",
        "timeline { nodes { author { displayName } } }",
    ] {
        let query = format!("query($id: ID!) {{ incident(id: $id) {{ {field} }} }}");
        let body = app
            .gql(
                &world.a.reporter,
                &query,
                json!({ "id": record.incident_id }),
            )
            .await;
        assert!(
            error_codes(&body).contains(&"FORBIDDEN".to_owned()),
            "{field}: {body}"
        );
    }
    let internal = app
        .gql(&world.a.reporter, "query($id: ID!) { incident(id: $id) { timeline(visibility: INTERNAL) { totalCount } } }", json!({ "id": record.incident_id }))
        .await;
    assert_eq!(internal["data"]["incident"]["timeline"]["totalCount"], 0);
}

/// Every record mutation, as (query, variables built from a record of tenant A).
fn mutations(record: &record::Record) -> Vec<(&'static str, Value)> {
    let incident = &record.incident_id;
    vec![
        (
            TIMELINE_CREATE,
            json!({ "input": { "incidentId": incident, "occurredAt": "2026-03-01T10:00:00Z", "kind": "NOTE", "body": "x" } }),
        ),
        (
            ROOT_CAUSE_CREATE,
            json!({ "input": { "incidentId": incident, "kind": "ROOT_CAUSE", "category": "OTHER", "clientExplanation": "A queue filled up." } }),
        ),
        (
            MEASURE_CREATE,
            json!({ "input": { "incidentId": incident, "kind": "PROCESS", "title": "x", "ownerTeam": "SRE", "dueOn": "2099-01-01", "successCriterion": "A drill passes." } }),
        ),
        (
            IMPACT_SET,
            json!({ "input": { "incidentId": incident, "clientId": record.client_id, "level": "DEGRADED", "startedAt": "2026-03-01T09:00:00Z" } }),
        ),
        (
            "mutation($input: ClientImpactRemoveInput!) { clientImpactRemove(input: $input) { userErrors { code } } }",
            json!({ "input": { "incidentId": incident, "clientId": record.client_id } }),
        ),
        (
            "mutation($input: RootCauseUpdateInput!) { rootCauseUpdate(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": record.root_cause_id, "clientExplanation": "x" } }),
        ),
        (
            "mutation($input: RootCauseDeleteInput!) { rootCauseDelete(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": record.root_cause_id } }),
        ),
        (
            "mutation($input: PreventionMeasureUpdateInput!) { preventionMeasureUpdate(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": record.measure_ids[0], "title": "x" } }),
        ),
        (
            "mutation($input: PreventionMeasureDeleteInput!) { preventionMeasureDelete(input: $input) { userErrors { code } } }",
            json!({ "input": { "id": record.measure_ids[0] } }),
        ),
        (
            "mutation($input: PostMortemUpdateInput!) { postMortemUpdate(input: $input) { userErrors { code } } }",
            json!({ "input": { "postMortemId": record.post_mortem_id, "version": 2, "wentWell": "x" } }),
        ),
        (
            "mutation($input: PostMortemPublishInput!) { postMortemPublish(input: $input) { userErrors { code } } }",
            json!({ "input": { "postMortemId": record.post_mortem_id } }),
        ),
        (
            "mutation($input: PostMortemUnpublishInput!) { postMortemUnpublish(input: $input) { userErrors { code } } }",
            json!({ "input": { "postMortemId": record.post_mortem_id, "reason": "x" } }),
        ),
    ]
}

#[tokio::test]
async fn other_tenants_and_read_only_roles_cannot_change_the_record() {
    let world = World::new().await;
    let app = &world.app;
    let record = record::build(app, &world.a.admin, 1).await;
    let event = app
        .data(
            &world.a.admin,
            "query($id: ID!) { incident(id: $id) { timeline(first: 1) { nodes { id } } } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    let event_id = event["incident"]["timeline"]["nodes"][0]["id"].clone();
    let before = app.audit_count(&world.a.admin).await;
    let mut all = mutations(&record);
    all.push(("mutation($input: TimelineEventUpdateInput!) { timelineEventUpdate(input: $input) { userErrors { code } } }", json!({ "input": { "id": event_id, "body": "x" } })));
    all.push(("mutation($input: TimelineEventDeleteInput!) { timelineEventDelete(input: $input) { userErrors { code } } }", json!({ "input": { "id": event_id } })));
    for (query, variables) in &all {
        for (role, token) in world.b.tokens() {
            let expected = if role == "ADMIN" || role == "EDITOR" {
                "NOT_FOUND"
            } else {
                "FORBIDDEN"
            };
            let body = app.gql(token, query, variables.clone()).await;
            assert_eq!(
                error_codes(&body),
                [expected],
                "tenant B {role}: {query}: {body}"
            );
        }
        for (role, token) in [
            ("VIEWER", &world.a.viewer),
            ("REPORTER", &world.a.reporter),
            ("CLIENT", &world.a.client),
        ] {
            let body = app.gql(token, query, variables.clone()).await;
            assert_eq!(
                error_codes(&body),
                ["FORBIDDEN"],
                "tenant A {role}: {query}: {body}"
            );
        }
    }
    assert_eq!(
        app.audit_count(&world.a.admin).await,
        before,
        "nothing was written"
    );
    let ids = [
        record.incident_id.clone(),
        record.post_mortem_id.clone(),
        record.root_cause_id.clone(),
        record.measure_ids[0].clone(),
        event_id.as_str().unwrap_or_default().to_owned(),
    ];
    for id in ids {
        let body = app
            .gql(
                &world.b.admin,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    }
}

#[tokio::test]
async fn every_record_mutation_succeeds_for_an_editor_and_is_audited_once() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    for (query, variables) in mutations(&record) {
        let before = app.audit_count(&tenant.admin).await;
        let data = app.data(&tenant.admin, query, variables).await;
        let payload = data
            .as_object()
            .and_then(|d| d.values().next())
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            user_error_codes(&payload),
            Vec::<String>::new(),
            "{query}: {payload}"
        );
        assert_eq!(app.audit_count(&tenant.admin).await, before + 1, "{query}");
    }
}

#[tokio::test]
async fn a_later_page_costs_what_the_first_costs_and_no_statement_skips_rows() {
    let app = spawn_app_with(|mut config| {
        config.batch_window = std::time::Duration::from_millis(50);
        config
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    for _ in 0..7 {
        record::build(&app, &tenant.admin, 1).await;
    }
    let page = "query($after: String) { incidents(first: 2, after: $after) { pageInfo { endCursor } nodes { id title timeline(first: 50) { totalCount nodes { id } } rootCauses { id services { name } } impacts { client { name } } measures { title addresses { id } } postMortem { status } } } }";
    let first = app
        .sql_for(&tenant.admin, page, json!({ "after": null }))
        .await;
    let mut after = Value::Null;
    for _ in 0..2 {
        let data = app
            .data(&tenant.admin, page, json!({ "after": after }))
            .await;
        after = data["incidents"]["pageInfo"]["endCursor"].clone();
    }
    let third = app
        .sql_for(&tenant.admin, page, json!({ "after": after }))
        .await;
    assert_eq!(
        first.len(),
        third.len(),
        "page 3 runs as many statements as page 1"
    );
    for statement in first.iter().chain(&third) {
        let sql = statement.sql.to_uppercase();
        assert!(!sql.contains("OFFSET"), "keyset pages only: {sql}");
    }
    let data = app
        .data(&tenant.admin, page, json!({ "after": after }))
        .await;
    assert_eq!(data["incidents"]["nodes"].as_array().map(Vec::len), Some(2));
}
