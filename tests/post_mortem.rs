//! The post-mortem: sections, publication, the written summary, and follow-through rules.

use crate::support::record::{self, MEASURE_CREATE, TIMELINE_CREATE};
use crate::support::{error_codes, spawn_app, user_error_codes};
use serde_json::{Value, json};

const UPDATE: &str = "mutation($input: PostMortemUpdateInput!) { postMortemUpdate(input: $input) { postMortem { version impactSummary } userErrors { field code message } } }";
const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { postMortem { status publishedAt reviewDueAt } userErrors { field code message } } }";
const DOCUMENT: &str = "query($id: ID!, $format: DocumentFormat) { node(id: $id) { ... on PostMortem { document(format: $format) } } }";

async fn write_sections(
    app: &crate::support::TestApp,
    token: &str,
    id: &str,
    version: i64,
) -> Value {
    app.data(
        token,
        UPDATE,
        json!({ "input": { "postMortemId": id, "version": version, "impactSummary": "Card payments failed for two hours.", "wentWell": "We rolled back within an hour.", "couldBeBetter": "Our alerting missed the error rate.", "lessonsLearned": "SECRET lesson" } }),
    )
    .await
}

#[tokio::test]
async fn a_full_post_mortem_is_built_published_and_rendered_section_by_section() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 3).await;
    let script = json!({ "input": { "incidentId": record.incident_id, "occurredAt": "2026-03-01T10:30:00Z", "kind": "CLIENT_NOTIFIED", "body": "We told you <script>alert('x')</script> <img src=x onerror=alert(1)> about it.", "visibility": "CLIENT" } });
    app.data(&tenant.admin, TIMELINE_CREATE, script).await;
    let sections = write_sections(&app, &tenant.admin, &record.post_mortem_id, 2).await;
    assert_eq!(sections["postMortemUpdate"]["postMortem"]["version"], 3);
    let published = app
        .data(
            &tenant.admin,
            PUBLISH,
            json!({ "id": record.post_mortem_id }),
        )
        .await;
    let pm = &published["postMortemPublish"]["postMortem"];
    assert_eq!(pm["status"], "PUBLISHED", "{published}");
    let markdown = app
        .data(
            &tenant.admin,
            DOCUMENT,
            json!({ "id": record.post_mortem_id, "format": "MARKDOWN" }),
        )
        .await;
    let markdown = markdown["node"]["document"]
        .as_str()
        .expect("markdown")
        .to_owned();
    let headings = [
        "# INC-1: Checkout failures",
        "## 1. What happened",
        "## 2. Root cause",
        "## 3. Immediate impact",
        "## 4. What we did well",
        "## 5. What we could have done better",
        "## 6. Prevention measures",
        "## 7. Going forward",
        "## 8. Your questions",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| {
            markdown
                .find(h)
                .unwrap_or_else(|| panic!("{h} missing:\n{markdown}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order:\n{markdown}"
    );
    for expected in [
        "Public update 0",
        "**Configuration.** A connection limit was set too low (0).",
        "Contributing factors:",
        "Card payments failed for two hours.",
        "- **Client 00**: Full outage, from 2026-03-01 09:00 UTC to 2026-03-01 11:00 UTC (2 h). Checkout unavailable for client 0",
        "We rolled back within an hour.",
        "Our alerting missed the error rate.",
        "1. **Measure 0** (Technical). Owner: Payments SRE. Due: 2099-12-01. Status: Planned.",
        "3. **Measure 2** (Monitoring).",
        "We will review how well these measures worked on",
        "What questions or concerns do you have?",
    ] {
        assert!(
            markdown.contains(expected),
            "missing `{expected}`:\n{markdown}"
        );
    }
    assert!(
        !markdown.contains("SECRET"),
        "internal text leaked:\n{markdown}"
    );
    let html = app
        .data(
            &tenant.admin,
            DOCUMENT,
            json!({ "id": record.post_mortem_id, "format": "HTML" }),
        )
        .await;
    let html = html["node"]["document"].as_str().expect("html").to_owned();
    assert!(
        html.contains("<h2>1. What happened</h2>") && html.contains("<h2>8. Your questions</h2>"),
        "{html}"
    );
    assert!(
        !html.contains("<script") && !html.contains("onerror"),
        "unsafe HTML:\n{html}"
    );
    assert!(!html.contains("SECRET"));
    let again = app
        .data(
            &tenant.admin,
            DOCUMENT,
            json!({ "id": record.post_mortem_id, "format": "HTML" }),
        )
        .await;
    assert_eq!(
        again["node"]["document"].as_str(),
        Some(html.as_str()),
        "the same data renders the same bytes"
    );
}

#[tokio::test]
async fn only_a_resolved_incident_can_be_published() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let data = app
        .data(&tenant.admin, "mutation { incidentCreate(input: { title: \"Ongoing\", severity: SEV2, startedAt: \"2026-03-01T09:00:00Z\" }) { incident { postMortem { id } } } }", json!({}))
        .await;
    let id = data["incidentCreate"]["incident"]["postMortem"]["id"].clone();
    let refused = app.data(&tenant.admin, PUBLISH, json!({ "id": id })).await;
    let codes = user_error_codes(&refused["postMortemPublish"]);
    assert_eq!(codes[0], "INCIDENT_NOT_RESOLVED", "{refused}");
    assert_eq!(refused["postMortemPublish"]["postMortem"], Value::Null);
    let overriding = app
        .data(
            &tenant.admin,
            "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id, override: { reason: \"urgent\" } }) { postMortem { status } userErrors { field code findingPath } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        overriding["postMortemPublish"],
        json!({ "postMortem": null, "userErrors": [{ "field": ["postMortemId"], "code": "INCIDENT_NOT_RESOLVED", "findingPath": "incident.status" }] }),
        "no override publishes an unresolved incident"
    );
}

#[tokio::test]
async fn a_stale_post_mortem_version_is_a_conflict() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    write_sections(&app, &tenant.admin, &record.post_mortem_id, 2).await;
    let stale = app
        .data(&tenant.admin, UPDATE, json!({ "input": { "postMortemId": record.post_mortem_id, "version": 2, "impactSummary": "lost edit" } }))
        .await;
    assert_eq!(user_error_codes(&stale["postMortemUpdate"]), ["CONFLICT"]);
    let now = app
        .data(
            &tenant.admin,
            "query($id: ID!) { node(id: $id) { ... on PostMortem { impactSummary version } } }",
            json!({ "id": record.post_mortem_id }),
        )
        .await;
    assert_eq!(
        now["node"],
        json!({ "impactSummary": "Card payments failed for two hours.", "version": 3 })
    );
}

#[tokio::test]
async fn committed_due_dates_freeze_at_publication_and_published_measures_can_only_be_cancelled() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    let measure = record.measure_ids[0].clone();
    let read = "query($id: ID!) { node(id: $id) { ... on PreventionMeasure { dueOn committedDueOn status completedAt cancelReason } } }";
    assert_eq!(
        app.data(&tenant.admin, read, json!({ "id": measure }))
            .await["node"]["committedDueOn"],
        Value::Null
    );
    app.data(
        &tenant.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    assert_eq!(
        app.data(&tenant.admin, read, json!({ "id": measure }))
            .await["node"]["committedDueOn"],
        "2099-12-01"
    );
    let update = "mutation($input: PreventionMeasureUpdateInput!) { preventionMeasureUpdate(input: $input) { preventionMeasure { dueOn committedDueOn status completedAt } userErrors { field code } } }";
    let moved = app
        .data(
            &tenant.admin,
            update,
            json!({ "input": { "id": measure, "dueOn": "2027-01-15" } }),
        )
        .await;
    assert_eq!(
        moved["preventionMeasureUpdate"]["preventionMeasure"]["dueOn"],
        "2027-01-15"
    );
    assert_eq!(
        moved["preventionMeasureUpdate"]["preventionMeasure"]["committedDueOn"], "2099-12-01",
        "the commitment does not move"
    );
    let delete = app.data(&tenant.admin, "mutation($id: ID!) { preventionMeasureDelete(input: { id: $id }) { deletedPreventionMeasureId userErrors { code } } }", json!({ "id": measure })).await;
    assert_eq!(
        user_error_codes(&delete["preventionMeasureDelete"]),
        ["INVALID"]
    );
    let no_reason = app
        .data(
            &tenant.admin,
            update,
            json!({ "input": { "id": measure, "status": "CANCELLED" } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&no_reason["preventionMeasureUpdate"]),
        ["BLANK"]
    );
    let cancelled = app.data(&tenant.admin, update, json!({ "input": { "id": measure, "status": "CANCELLED", "cancelReason": "Superseded by the platform migration" } })).await;
    assert_eq!(
        cancelled["preventionMeasureUpdate"]["preventionMeasure"]["status"],
        "CANCELLED"
    );
    let unpublish = "mutation($id: ID!, $reason: String!) { postMortemUnpublish(input: { postMortemId: $id, reason: $reason }) { postMortem { status } userErrors { code } } }";
    let blank = app
        .data(
            &tenant.admin,
            unpublish,
            json!({ "id": record.post_mortem_id, "reason": " " }),
        )
        .await;
    assert_eq!(user_error_codes(&blank["postMortemUnpublish"]), ["BLANK"]);
    let draft = app
        .data(
            &tenant.admin,
            unpublish,
            json!({ "id": record.post_mortem_id, "reason": "Wrong client list" }),
        )
        .await;
    let delete_after = app.data(&tenant.admin, "mutation($id: ID!) { preventionMeasureDelete(input: { id: $id }) { userErrors { code } } }", json!({ "id": measure })).await;
    assert_eq!(
        user_error_codes(&delete_after["preventionMeasureDelete"]),
        ["INVALID"],
        "a committed measure survives unpublishing"
    );
    assert_eq!(
        draft["postMortemUnpublish"]["postMortem"]["status"],
        "DRAFT"
    );
    let log = app.data(&tenant.admin, "query($id: ID!) { auditLog(filter: { entityId: $id }, first: 1) { nodes { action changes } } }", json!({ "id": record.post_mortem_id })).await;
    assert_eq!(
        log["auditLog"]["nodes"][0]["action"],
        "post_mortem.unpublish"
    );
    assert_eq!(
        log["auditLog"]["nodes"][0]["changes"]["reason"]["to"],
        "Wrong client list"
    );
    app.data(
        &tenant.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    assert_eq!(
        app.data(&tenant.admin, read, json!({ "id": measure }))
            .await["node"]["committedDueOn"],
        "2099-12-01",
        "republishing keeps the first commitment"
    );
}

#[tokio::test]
async fn measures_move_planned_in_progress_done_and_record_completion() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    let update = "mutation($id: ID!, $status: MeasureStatus!) { preventionMeasureUpdate(input: { id: $id, status: $status }) { preventionMeasure { status completedAt } userErrors { field code } } }";
    let skip = app
        .data(
            &tenant.admin,
            update,
            json!({ "id": record.measure_ids[0], "status": "DONE" }),
        )
        .await;
    assert_eq!(
        user_error_codes(&skip["preventionMeasureUpdate"]),
        ["INVALID"]
    );
    app.data(
        &tenant.admin,
        update,
        json!({ "id": record.measure_ids[0], "status": "IN_PROGRESS" }),
    )
    .await;
    let done = app
        .data(
            &tenant.admin,
            update,
            json!({ "id": record.measure_ids[0], "status": "DONE" }),
        )
        .await;
    assert_eq!(
        done["preventionMeasureUpdate"]["preventionMeasure"]["status"],
        "DONE"
    );
    assert!(done["preventionMeasureUpdate"]["preventionMeasure"]["completedAt"].is_string());
}

#[tokio::test]
async fn bad_record_input_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    let before = app.audit_count(&tenant.admin).await;
    let early = app.data(&tenant.admin, TIMELINE_CREATE, json!({ "input": { "incidentId": record.incident_id, "occurredAt": "2026-02-28T00:00:00Z", "kind": "NOTE", "body": "too early" } })).await;
    assert_eq!(
        user_error_codes(&early["timelineEventCreate"]),
        ["OUT_OF_ORDER"]
    );
    let long = app.data(&tenant.admin, TIMELINE_CREATE, json!({ "input": { "incidentId": record.incident_id, "occurredAt": "2026-03-01T10:00:00Z", "kind": "NOTE", "body": "x".repeat(10_001) } })).await;
    assert_eq!(user_error_codes(&long["timelineEventCreate"]), ["TOO_LONG"]);
    let url = app.data(&tenant.admin, MEASURE_CREATE, json!({ "input": { "incidentId": record.incident_id, "kind": "TECHNICAL", "title": "t", "trackerUrl": "javascript:alert(1)" } })).await;
    assert_eq!(
        user_error_codes(&url["preventionMeasureCreate"]),
        ["INVALID"]
    );
    let window = app.data(&tenant.admin, record::IMPACT_SET, json!({ "input": { "incidentId": record.incident_id, "clientId": record.client_id, "level": "DEGRADED", "startedAt": "2026-03-01T10:00:00Z", "endedAt": "2026-03-01T09:00:00Z" } })).await;
    assert_eq!(
        user_error_codes(&window["clientImpactSet"]),
        ["OUT_OF_ORDER"]
    );
    let bad_date = app.gql(&tenant.admin, MEASURE_CREATE, json!({ "input": { "incidentId": record.incident_id, "kind": "TECHNICAL", "title": "t", "dueOn": "01/12/2026" } })).await;
    assert_eq!(error_codes(&bad_date), ["BAD_USER_INPUT"]);
    let ancient = app.gql(&tenant.admin, MEASURE_CREATE, json!({ "input": { "incidentId": record.incident_id, "kind": "TECHNICAL", "title": "t", "dueOn": "0999-01-01" } })).await;
    assert_eq!(
        error_codes(&ancient),
        ["BAD_USER_INPUT"],
        "dates outside 1970-9999"
    );
    assert_eq!(app.audit_count(&tenant.admin).await, before);
}

#[tokio::test]
async fn a_published_post_mortems_incident_stays_resolved() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    app.data(
        &tenant.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let reopen = "mutation($id: ID!) { incidentUpdate(input: { id: $id, version: 1, status: MONITORING, resolvedAt: null }) { incident { status } userErrors { field code } } }";
    let refused = app
        .data(&tenant.admin, reopen, json!({ "id": record.incident_id }))
        .await;
    assert_eq!(user_error_codes(&refused["incidentUpdate"]), ["INVALID"]);
    assert_eq!(
        refused["incidentUpdate"]["userErrors"][0]["field"],
        json!(["status"])
    );
}
