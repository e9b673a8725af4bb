//! `incidentDelete`: an ADMIN removes an incident created by mistake, with its whole record,
//! while its post-mortem was never published.

use crate::support::record::{self, Record};
use crate::support::{TestApp, World, error_codes, user_error_codes};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const DELETE: &str = "mutation($input: IncidentDeleteInput!) { incidentDelete(input: $input) { deletedIncidentId userErrors { field code message } } }";

/// Every table that holds rows under an incident.
const RECORD_TABLES: [&str; 10] = [
    "incidents",
    "incident_services",
    "incident_signatures",
    "timeline_events",
    "root_causes",
    "root_cause_services",
    "client_impacts",
    "post_mortems",
    "prevention_measures",
    "measure_root_causes",
];

/// How many rows each of [`RECORD_TABLES`] holds, in every tenant.
async fn row_counts(app: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in RECORD_TABLES {
        let row = app
            .owner_db
            .query_one_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count rows")
            .expect("a row");
        counts.push((table, row.try_get::<i64>("", "n").expect("a count")));
    }
    counts
}

async fn delete(app: &TestApp, token: &str, id: &str, reason: &str) -> Value {
    let input = json!({ "input": { "id": id, "reason": reason } });
    app.gql(token, DELETE, input).await
}

/// A record with services on the incident and its root cause, so that every table under it
/// holds rows.
async fn full_record(world: &World) -> Record {
    let (app, admin) = (&world.app, &world.a.admin);
    let record = record::build(app, admin, 3).await;
    let service = json!([world.a.service_id]);
    let linked = app
        .data(
            admin,
            "mutation($i: ID!, $c: ID!, $s: [ID!]) { incidentUpdate(input: { id: $i, version: 1, serviceIds: $s }) { userErrors { code } } rootCauseUpdate(input: { id: $c, serviceIds: $s }) { userErrors { code } } }",
            json!({ "i": record.incident_id, "c": record.root_cause_id, "s": service }),
        )
        .await;
    assert_eq!(
        linked["incidentUpdate"]["userErrors"],
        json!([]),
        "{linked}"
    );
    assert_eq!(
        linked["rootCauseUpdate"]["userErrors"],
        json!([]),
        "{linked}"
    );
    record
}

#[tokio::test]
async fn deleting_an_unpublished_incident_removes_its_whole_record() {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let before = row_counts(app).await;
    let record = full_record(&world).await;
    let built = row_counts(app).await;
    for ((table, was), (_, now)) in before.iter().zip(&built) {
        assert!(now > was, "the record has rows in {table}");
    }
    let body = delete(
        app,
        admin,
        &record.incident_id,
        "  Opened twice for one outage ",
    )
    .await;
    let payload = &body["data"]["incidentDelete"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["deletedIncidentId"], record.incident_id.as_str());
    assert_eq!(
        row_counts(app).await,
        before,
        "nothing under the incident is left"
    );
    let ids = [
        &record.incident_id,
        &record.post_mortem_id,
        &record.root_cause_id,
        &record.measure_ids[0],
    ];
    for id in ids {
        let read = app
            .gql(
                admin,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_codes(&read), ["NOT_FOUND"], "{id} is gone: {read}");
    }
    let again = delete(app, admin, &record.incident_id, "twice").await;
    assert_eq!(error_codes(&again), ["NOT_FOUND"], "{again}");
}

#[tokio::test]
async fn the_deletion_is_audited_with_its_reason_and_written_as_an_event() {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let id = &world.a.incident_id;
    let body = delete(app, admin, id, "Opened by mistake").await;
    assert_eq!(
        body["data"]["incidentDelete"]["userErrors"],
        json!([]),
        "{body}"
    );
    let log = app
        .data(
            admin,
            "query($id: ID!) { auditLog(first: 1, filter: { entityId: $id }) { nodes { action entityType changes actor { id } } } }",
            json!({ "id": id }),
        )
        .await;
    let entry = &log["auditLog"]["nodes"][0];
    assert_eq!(entry["action"], "incident.delete");
    assert_eq!(entry["entityType"], "Incident");
    assert_eq!(entry["actor"]["id"], world.a.admin_id.as_str());
    let changes = &entry["changes"];
    assert_eq!(
        changes["reason"],
        json!({ "from": null, "to": "Opened by mistake" })
    );
    assert_eq!(
        changes["title"],
        json!({ "from": "Checkout failures", "to": null })
    );
    assert_eq!(changes["number"], json!({ "from": 1, "to": null }));
    let feed = app
        .data(
            admin,
            "{ events(filter: { types: [INCIDENT_DELETED] }) { nodes { subjectId changedFields subject { id } incident { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        feed["events"]["nodes"],
        json!([{ "subjectId": id, "changedFields": ["number", "title", "reason"], "subject": null, "incident": null }]),
    );
}

#[tokio::test]
async fn an_incident_published_once_cannot_be_deleted_even_after_unpublishing() {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let record = record::build(app, admin, 3).await;
    let publish = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }";
    let published = app
        .data(admin, publish, json!({ "id": record.post_mortem_id }))
        .await;
    assert_eq!(published["postMortemPublish"]["userErrors"], json!([]));
    let audit_before = app.audit_count(admin).await;
    let refused = delete(app, admin, &record.incident_id, "mistake").await;
    let payload = &refused["data"]["incidentDelete"];
    assert_eq!(user_error_codes(payload), ["PUBLISHED"], "{refused}");
    assert_eq!(payload["userErrors"][0]["field"], json!(["id"]));
    assert_eq!(payload["deletedIncidentId"], Value::Null);
    let unpublish = "mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: \"Corrections\" }) { userErrors { code } } }";
    app.data(admin, unpublish, json!({ "id": record.post_mortem_id }))
        .await;
    let still = delete(app, admin, &record.incident_id, "mistake").await;
    assert_eq!(
        user_error_codes(&still["data"]["incidentDelete"]),
        ["PUBLISHED"],
        "{still}"
    );
    assert_eq!(
        app.audit_count(admin).await,
        audit_before + 1,
        "only the unpublication"
    );
    let read = app
        .data(
            admin,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    assert_eq!(read["node"]["id"], record.incident_id.as_str());
}

#[tokio::test]
async fn only_an_admin_deletes_and_only_in_their_own_tenant() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    for token in [&a.editor, &a.viewer, &a.reporter, &a.client] {
        let body = delete(app, token, &a.incident_id, "mistake").await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    }
    let body = delete(app, &world.b.admin, &a.incident_id, "mistake").await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    for (reason, code) in [(" ".to_owned(), "BLANK"), ("x".repeat(2_001), "TOO_LONG")] {
        let body = delete(app, &a.admin, &a.incident_id, &reason).await;
        assert_eq!(
            user_error_codes(&body["data"]["incidentDelete"]),
            [code],
            "{body}"
        );
    }
    let read = app
        .data(
            &a.admin,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": a.incident_id }),
        )
        .await;
    assert_eq!(
        read["node"]["id"],
        a.incident_id.as_str(),
        "nothing was deleted"
    );
}

#[tokio::test]
async fn a_deleted_incident_leaves_the_metrics() {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let record = full_record(&world).await;
    let query = "{ metrics(from: \"2026-01-01T00:00:00Z\", to: \"2026-04-01T00:00:00Z\") { total { incidents { count bySeverity { severity count } timeToResolve { count } } } } }";
    let count = |data: &Value| data["metrics"]["total"]["incidents"]["count"].as_i64();
    let resolved =
        |data: &Value| data["metrics"]["total"]["incidents"]["timeToResolve"]["count"].as_i64();
    let before = app.data(admin, query, json!({})).await;
    assert_eq!(
        (count(&before), resolved(&before)),
        (Some(2), Some(1)),
        "{before}"
    );
    let body = delete(app, admin, &record.incident_id, "test data").await;
    assert_eq!(
        body["data"]["incidentDelete"]["userErrors"],
        json!([]),
        "{body}"
    );
    let after = app.data(admin, query, json!({})).await;
    assert_eq!(
        (count(&after), resolved(&after)),
        (Some(1), Some(0)),
        "{after}"
    );
    let sev1 = |data: &Value| {
        data["metrics"]["total"]["incidents"]["bySeverity"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["severity"] == "SEV1"))
            .and_then(|r| r["count"].as_i64())
    };
    assert_eq!((sev1(&before), sev1(&after)), (Some(1), Some(0)));
}
