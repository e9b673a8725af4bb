//! Field errors follow the GraphQL spec: a field a role may not read is present and `null`,
//! with its error at its path; a non-null one makes its nearest nullable parent `null`.

use crate::client_channel::{SUBMIT, published};
use crate::support::{World, error_codes};
use serde_json::{Value, json};

/// One hidden field: what to select inside `incident`, where its `null` lands, and the
/// error's path below `incident`.
struct Hidden {
    selection: &'static str,
    pointer: &'static str,
    path: Value,
}

fn hidden(selection: &'static str, pointer: &'static str, path: Value) -> Hidden {
    Hidden {
        selection,
        pointer,
        path,
    }
}

/// Selects each field inside `incident(id)` beside `id`, as `token`; the field is `null`,
/// the rest survives, and every error is FORBIDDEN, the first at the field's path.
async fn assert_hidden(world: &World, token: &str, incident_id: &Value, fields: &[Hidden]) {
    for field in fields {
        let query = format!(
            "query($id: ID!) {{ incident(id: $id) {{ id {} reference }} }}",
            field.selection
        );
        let body = world
            .app
            .gql(token, &query, json!({ "id": incident_id }))
            .await;
        let codes = error_codes(&body);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == "FORBIDDEN"),
            "{}: {body}",
            field.selection
        );
        let mut path = vec![json!("incident")];
        path.extend(field.path.as_array().cloned().unwrap_or_default());
        assert_eq!(
            body["errors"][0]["path"],
            Value::Array(path),
            "{}: {body}",
            field.selection
        );
        assert_eq!(
            body.pointer(field.pointer),
            Some(&Value::Null),
            "{}: {body}",
            field.selection
        );
        let incident = &body["data"]["incident"];
        assert_eq!(incident["id"], *incident_id, "{body}");
        let keys: Vec<&String> = incident.as_object().expect("incident").keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("id"), "{body}");
        assert_eq!(keys.last().map(|k| k.as_str()), Some("reference"), "{body}");
    }
}

#[tokio::test]
async fn fields_a_client_may_not_read_are_present_and_null_with_a_forbidden_error() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    let thread = app.data(&world.a.client, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": "Who?" } })).await;
    let reply = "mutation($id: ID!) { feedbackReply(input: { feedbackId: $id, body: \"Us.\" }) { userErrors { code } } }";
    app.data(
        &world.a.editor,
        reply,
        json!({ "id": thread["feedbackSubmit"]["feedback"]["id"] }),
    )
    .await;
    let id = json!(record.incident_id);
    let fields = [
        hidden("summary", "/data/incident/summary", json!(["summary"])),
        hidden(
            "measures { title trackerUrl }",
            "/data/incident/measures/0/trackerUrl",
            json!(["measures", 0, "trackerUrl"]),
        ),
        hidden(
            "rootCauses { kind internalAnalysis }",
            "/data/incident/rootCauses/0/internalAnalysis",
            json!(["rootCauses", 0, "internalAnalysis"]),
        ),
        hidden(
            "postMortem { status lessonsLearned }",
            "/data/incident/postMortem/lessonsLearned",
            json!(["postMortem", "lessonsLearned"]),
        ),
        hidden(
            "timeline { nodes { body author { displayName } } }",
            "/data/incident/timeline/nodes/0/author",
            json!(["timeline", "nodes", 0, "author"]),
        ),
        hidden(
            "impacts { client { name contactEmail } }",
            "/data/incident/impacts/0/client/contactEmail",
            json!(["impacts", 0, "client", "contactEmail"]),
        ),
        hidden(
            "feedback { nodes { body author { displayName } } }",
            "/data/incident/feedback/nodes/0/author",
            json!(["feedback", "nodes", 0, "author"]),
        ),
        hidden(
            "feedback { nodes { replies { body author { displayName } } } }",
            "/data/incident/feedback/nodes/0/replies/0/author",
            json!(["feedback", "nodes", 0, "replies", 0, "author"]),
        ),
    ];
    assert_hidden(&world, &world.a.client, &id, &fields).await;
    // `Tenant.settings`, `Viewer.tenant` and `viewer` are all non-null: `data` becomes null.
    let body = app
        .gql(
            &world.a.client,
            "{ viewer { role tenant { name settings { coolingOffHours } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["viewer", "tenant", "settings"])
    );
    assert_eq!(body["data"], Value::Null, "{body}");
    let body = app
        .gql(
            &world.a.client,
            "{ viewer { client { name impacts { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    // `Client.impacts` is a non-null connection, so the client's own object becomes null.
    assert_eq!(
        body["data"],
        json!({ "viewer": { "client": null } }),
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["path"],
        json!(["viewer", "client", "impacts"])
    );
}

#[tokio::test]
async fn a_forbidden_non_null_field_nulls_its_nearest_nullable_parent() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    // `readiness` and `postMortem` are non-null: in a `nodes` list the item becomes null...
    let body = app
        .gql(
            &world.a.client,
            "query($ids: [ID!]!) { viewer { role } nodes(ids: $ids) { id ... on Incident { postMortem { readiness { ready } } } } }",
            json!({ "ids": [record.incident_id] }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["nodes", 0, "postMortem", "readiness"])
    );
    assert_eq!(
        body["data"],
        json!({ "viewer": { "role": "CLIENT" }, "nodes": [null] })
    );
    // ...and under the non-null `incident` root field, `data` itself.
    let body = app
        .gql(
            &world.a.client,
            "query($id: ID!) { incident(id: $id) { postMortem { readiness { ready } } } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(
        body["errors"][0]["path"],
        json!(["incident", "postMortem", "readiness"])
    );
    // Forbidden root connections are non-null as well.
    for (query, root) in [
        ("{ auditLog { totalCount } }", "auditLog"),
        ("{ users { totalCount } }", "users"),
        ("{ clients { totalCount } }", "clients"),
        ("{ services { totalCount } }", "services"),
    ] {
        let body = app.gql(&world.a.client, query, json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
        assert_eq!(body["errors"][0]["path"], json!([root]), "{body}");
        assert_eq!(body["data"], Value::Null, "{body}");
    }
}

#[tokio::test]
async fn fields_a_reporter_may_not_read_are_present_and_null_with_a_forbidden_error() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    let thread = app.data(&world.a.client, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "CONCERN", "body": "Again?" } })).await;
    assert!(
        thread["feedbackSubmit"]["feedback"]["id"].is_string(),
        "{thread}"
    );
    let id = json!(record.incident_id);
    let fields = [
        hidden("summary", "/data/incident/summary", json!(["summary"])),
        hidden(
            "feedback { nodes { kind body } }",
            "/data/incident/feedback/nodes/0/body",
            json!(["feedback", "nodes", 0, "body"]),
        ),
        hidden(
            "feedback { nodes { status author { displayName } } }",
            "/data/incident/feedback/nodes/0/author",
            json!(["feedback", "nodes", 0, "author"]),
        ),
    ];
    assert_hidden(&world, &world.a.reporter, &id, &fields).await;
}
