//! The client channel: what a CLIENT sees of a published post-mortem, and their feedback.

use crate::support::record::{self, Record};
use crate::support::{TestApp, World, decode_uuid, error_codes, user_error_codes};
use serde_json::{Value, json};

const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }";
const UNPUBLISH: &str = "mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: \"corrections\" }) { userErrors { code } } }";
pub(crate) const SUBMIT: &str = "mutation($input: FeedbackSubmitInput!) { feedbackSubmit(input: $input) { feedback { id status body confidence } userErrors { field code } } }";
const REPLY: &str = "mutation($id: ID!, $body: String!) { feedbackReply(input: { feedbackId: $id, body: $body }) { reply { fromStaff } feedback { status firstResponseAt } userErrors { code } } }";

/// Tenant A's impacted client gets the world's `client` token; a second CLIENT user belongs to
/// the bystander client. Returns the record and the bystander's token.
pub(crate) async fn published(world: &World) -> (Record, String) {
    let app = &world.app;
    let record = record::build(app, &world.a.admin, 1).await;
    let rebind = "mutation($id: ID!, $c: ID!) { userUpdate(input: { id: $id, clientId: $c }) { userErrors { code } } }";
    let viewer = app
        .data(&world.a.client, "{ viewer { user { id } } }", json!({}))
        .await;
    app.data(
        &world.a.admin,
        rebind,
        json!({ "id": viewer["viewer"]["user"]["id"], "c": record.client_id }),
    )
    .await;
    let bystander = app
        .data(&world.a.admin, "mutation($c: ID!) { userCreate(input: { email: \"c@bystander.example\", displayName: \"B\", role: CLIENT, clientId: $c }) { user { id } } }", json!({ "c": world.a.other_client_id }))
        .await;
    let bystander_id = decode_uuid(bystander["userCreate"]["user"]["id"].as_str().expect("id"));
    let tenant_id = decode_uuid(&world.a.tenant_node_id);
    let third = app
        .data(
            &world.a.admin,
            "mutation { clientCreate(input: { name: \"Third Co\" }) { client { id } } }",
            json!({}),
        )
        .await;
    let third_impact = json!({ "input": { "incidentId": record.incident_id, "clientId": third["clientCreate"]["client"]["id"], "level": "DEGRADED", "description": "SECRET other client's impact", "startedAt": "2026-03-01T09:00:00Z" } });
    app.data(&world.a.admin, record::IMPACT_SET, third_impact)
        .await;
    let internal_cause = json!({ "input": { "incidentId": record.incident_id, "kind": "CONTRIBUTING_FACTOR", "category": "SECURITY", "internalAnalysis": "SECRET internal-only cause" } });
    app.data(&world.a.admin, record::ROOT_CAUSE_CREATE, internal_cause)
        .await;
    app.data(
        &world.a.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    (record, app.token(tenant_id, bystander_id))
}

/// Every field docs/CLIENT_ACCESS.md lists as readable by a CLIENT.
const EVERYTHING: &str = "query($id: ID!) { viewer { role user { id email displayName } client { id name } tenant { id name slug } } incident(id: $id) { id number reference title severity status startedAt detectedAt mitigatedAt resolvedAt version createdAt updatedAt services { name } timeline { totalCount nodes { id occurredAt kind body visibility createdAt updatedAt } } rootCauses { id kind category clientExplanation services { name } } impacts { id level description startedAt endedAt duration durationSeconds client { id name } } measures { id kind title description successCriterion ownerTeam dueOn committedDueOn status completedAt cancelReason effectiveness effectivenessNote addresses { id clientExplanation } } postMortem { id status impactSummary wentWell couldBeBetter meetingAt publishedAt reviewDueAt reviewOverdue review { summary } version document followUpReport } feedback { totalCount nodes { id kind body confidence status overdue firstResponseAt replies { body fromStaff at } } } } }";

#[tokio::test]
async fn a_client_of_the_impacted_client_sees_the_published_post_mortem_and_nothing_internal() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let body = world
        .app
        .gql(
            &world.a.client,
            EVERYTHING,
            json!({ "id": record.incident_id }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let incident = &body["data"]["incident"];
    assert_eq!(incident["timeline"]["totalCount"], 1, "only CLIENT entries");
    assert_eq!(
        incident["rootCauses"].as_array().map(Vec::len),
        Some(1),
        "a cause without a client explanation stays internal"
    );
    assert_eq!(
        incident["impacts"].as_array().map(Vec::len),
        Some(1),
        "only their own impact"
    );
    assert!(
        incident["impacts"][0]["client"]["name"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Client 00")
    );
    assert_eq!(incident["postMortem"]["status"], "PUBLISHED");
    let text = body.to_string();
    assert!(
        !text.contains("SECRET"),
        "internal or other clients' text leaked: {text}"
    );
    assert!(
        !text.contains("Third Co") && !text.contains("Bystander"),
        "another client's name leaked"
    );
    let list = world
        .app
        .data(
            &world.a.client,
            "{ incidents { totalCount nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["incidents"]["totalCount"], 1);
}

#[tokio::test]
async fn fields_a_client_may_not_read_answer_forbidden_not_null() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let thread = world.app.data(&world.a.client, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": "Who?" } })).await;
    world
        .app
        .data(
            &world.a.editor,
            REPLY,
            json!({ "id": thread["feedbackSubmit"]["feedback"]["id"], "body": "Us." }),
        )
        .await;
    for field in [
        "summary",
        "rootCauses { internalAnalysis }",
        "postMortem { lessonsLearned }",
        "postMortem { readiness { ready } }",
        "timeline { nodes { author { displayName } } }",
        "impacts { client { contactEmail } }",
        "measures { trackerUrl }",
        "feedback { nodes { author { displayName } } }",
        "feedback { nodes { replies { author { displayName } } } }",
    ] {
        let query = format!("query($id: ID!) {{ incident(id: $id) {{ {field} }} }}");
        let body = world
            .app
            .gql(&world.a.client, &query, json!({ "id": record.incident_id }))
            .await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{field}: {body}");
    }
    for query in [
        "{ auditLog { totalCount } }",
        "{ users { totalCount } }",
        "{ clients { totalCount } }",
    ] {
        let body = world.app.gql(&world.a.client, query, json!({})).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}");
    }
}

#[tokio::test]
async fn everyone_else_gets_not_found_through_every_path() {
    let world = World::new().await;
    let (record, bystander) = published(&world).await;
    let app = &world.app;
    let internal = app.data(&world.a.admin, "query($id: ID!) { incident(id: $id) { timeline(visibility: INTERNAL) { nodes { id } } impacts { id client { name } } } }", json!({ "id": record.incident_id })).await;
    let internal_event = internal["incident"]["timeline"]["nodes"][0]["id"].clone();
    let other_impact = internal["incident"]["impacts"]
        .as_array()
        .and_then(|list| list.iter().find(|i| i["client"]["name"] == "Third Co"))
        .map(|i| i["id"].clone())
        .unwrap_or_default();
    let thread = app.data(&world.a.client, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": "Why?" } })).await;
    let thread_id = thread["feedbackSubmit"]["feedback"]["id"].clone();
    // The impacted client's own contact cannot reach internal entries or the other impact.
    for id in [&internal_event, &other_impact] {
        let body = app
            .gql(
                &world.a.client,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "{id}");
    }
    let every_id = [
        record.incident_id.clone(),
        record.post_mortem_id.clone(),
        record.root_cause_id.clone(),
        record.measure_ids[0].clone(),
    ]
    .into_iter()
    .map(Value::from)
    .chain([internal_event, other_impact, thread_id])
    .collect::<Vec<_>>();
    for (who, token) in [
        ("bystander client", bystander.as_str()),
        ("tenant B client", world.b.client.as_str()),
    ] {
        for id in &every_id {
            let body = app
                .gql(
                    token,
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(error_codes(&body), ["NOT_FOUND"], "{who}: {id}");
        }
        let body = app
            .gql(
                token,
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": every_id }),
            )
            .await;
        assert_eq!(error_codes(&body).len(), every_id.len(), "{who}: nodes");
        let body = app
            .gql(
                token,
                "query($id: ID!) { incident(id: $id) { id } }",
                json!({ "id": record.incident_id }),
            )
            .await;
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "{who}: incident");
        let body = app
            .gql(
                token,
                "{ incidentByReference(reference: \"INC-2\") { id } }",
                json!({}),
            )
            .await;
        assert_eq!(
            error_codes(&body),
            ["NOT_FOUND"],
            "{who}: incidentByReference"
        );
        let list = app
            .data(token, "{ incidents { totalCount } }", json!({}))
            .await;
        assert_eq!(list["incidents"]["totalCount"], 0, "{who}: incidents");
    }
}

#[tokio::test]
async fn a_draft_is_invisible_to_clients_until_published_and_again_once_unpublished() {
    let world = World::new().await;
    let app = &world.app;
    let record = record::build(app, &world.a.admin, 1).await;
    let viewer = app
        .data(&world.a.client, "{ viewer { user { id } } }", json!({}))
        .await;
    app.data(&world.a.admin, "mutation($id: ID!, $c: ID!) { userUpdate(input: { id: $id, clientId: $c }) { userErrors { code } } }", json!({ "id": viewer["viewer"]["user"]["id"], "c": record.client_id })).await;
    assert!(
        !visible(app, &world.a.client, &record.incident_id).await,
        "a draft is invisible"
    );
    app.data(
        &world.a.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    assert!(
        visible(app, &world.a.client, &record.incident_id).await,
        "published and impacted: visible"
    );
    app.data(
        &world.a.admin,
        UNPUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    assert!(
        !visible(app, &world.a.client, &record.incident_id).await,
        "unpublished: invisible again"
    );
}

#[tokio::test]
async fn a_feedback_thread_goes_open_answered_open_closed() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    let submitted = app.data(&world.a.client, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "CONCERN", "body": "Will this happen again?", "confidence": 2 } })).await;
    let thread = &submitted["feedbackSubmit"]["feedback"];
    assert_eq!(thread["status"], "OPEN");
    assert_eq!(thread["confidence"], 2);
    let id = thread["id"].clone();
    let answered = app
        .data(
            &world.a.editor,
            REPLY,
            json!({ "id": id, "body": "Here is what we changed." }),
        )
        .await;
    assert_eq!(answered["feedbackReply"]["feedback"]["status"], "ANSWERED");
    assert!(answered["feedbackReply"]["feedback"]["firstResponseAt"].is_string());
    assert_eq!(answered["feedbackReply"]["reply"]["fromStaff"], true);
    let first_response = answered["feedbackReply"]["feedback"]["firstResponseAt"].clone();
    let followed = app
        .data(
            &world.a.client,
            REPLY,
            json!({ "id": id, "body": "And the monitoring?" }),
        )
        .await;
    assert_eq!(followed["feedbackReply"]["feedback"]["status"], "OPEN");
    let again = app
        .data(
            &world.a.admin,
            REPLY,
            json!({ "id": id, "body": "An alert now pages us." }),
        )
        .await;
    assert_eq!(
        again["feedbackReply"]["feedback"]["firstResponseAt"], first_response,
        "the first response time stays"
    );
    let viewer_reply = app
        .gql(&world.a.viewer, REPLY, json!({ "id": id, "body": "" }))
        .await;
    assert_eq!(error_codes(&viewer_reply), ["FORBIDDEN"]);
    let closed = app.data(&world.a.client, "mutation($id: ID!) { feedbackClose(input: { feedbackId: $id }) { feedback { status closedAt } userErrors { code } } }", json!({ "id": id })).await;
    let twice = app.data(&world.a.client, "mutation($id: ID!) { feedbackClose(input: { feedbackId: $id }) { userErrors { code } } }", json!({ "id": id })).await;
    assert_eq!(
        user_error_codes(&twice["feedbackClose"]),
        ["INVALID"],
        "already closed"
    );
    assert_eq!(closed["feedbackClose"]["feedback"]["status"], "CLOSED");
    let late = app
        .data(
            &world.a.client,
            REPLY,
            json!({ "id": id, "body": "one more" }),
        )
        .await;
    assert_eq!(user_error_codes(&late["feedbackReply"]), ["INVALID"]);
    let thread = app
        .data(
            &world.a.admin,
            "query($id: ID!) { node(id: $id) { ... on Feedback { replies { fromStaff body } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(thread["node"]["replies"].as_array().map(Vec::len), Some(3));
    let staff_list = app
        .data(
            &world.a.viewer,
            "query($id: ID!) { incident(id: $id) { feedback { totalCount } } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    assert_eq!(staff_list["incident"]["feedback"]["totalCount"], 1);
    let reporter = app
        .gql(
            &world.a.reporter,
            "query($id: ID!) { incident(id: $id) { feedback { totalCount nodes { body } } } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    assert_eq!(
        error_codes(&reporter),
        ["FORBIDDEN"],
        "reporters do not read feedback bodies: {reporter}"
    );
    let log = app
        .data(
            &world.a.admin,
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { action } } }",
            json!({ "id": id }),
        )
        .await;
    let actions: Vec<_> = log["auditLog"]["nodes"]
        .as_array()
        .map(|n| {
            n.iter()
                .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        actions,
        [
            "feedback.close",
            "feedback.reply",
            "feedback.reply",
            "feedback.reply",
            "feedback.submit"
        ]
    );
}

#[tokio::test]
async fn feedback_is_overdue_while_open_past_the_sla_without_a_staff_reply() {
    let world = World::new().await;
    let (record, _) = published(&world).await;
    let app = &world.app;
    let submitted = app.data(&world.a.client, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": "When?" } })).await;
    let id = submitted["feedbackSubmit"]["feedback"]["id"].clone();
    assert_eq!(
        overdue(app, &world.a.admin, &id).await,
        false,
        "within the 48-hour SLA"
    );
    use sea_orm::ConnectionTrait;
    let past = (chrono::Utc::now() - chrono::TimeDelta::hours(49)).to_rfc3339();
    let statement = sea_orm::Statement::from_sql_and_values(
        app.db.get_database_backend(),
        match app.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "UPDATE feedback SET created_at = $1::timestamptz"
            }
            _ => "UPDATE feedback SET created_at = ?",
        },
        [past.into()],
    );
    app.owner_db
        .execute_raw(statement)
        .await
        .expect("age the thread");
    assert_eq!(
        overdue(app, &world.a.admin, &id).await,
        true,
        "past the SLA with no staff reply"
    );
    app.data(&world.a.editor, REPLY, json!({ "id": id, "body": "Soon." }))
        .await;
    assert_eq!(overdue(app, &world.a.admin, &id).await, false, "answered");
}

#[tokio::test]
async fn feedback_submission_is_rate_limited_per_user() {
    let world = World::with(|mut config| {
        config.feedback_per_hour = 2;
        config
    })
    .await;
    let (record, _) = published(&world).await;
    let input = json!({ "input": { "incidentId": record.incident_id, "kind": "SUGGESTION", "body": "More status updates" } });
    for _ in 0..2 {
        let data = world.app.data(&world.a.client, SUBMIT, input.clone()).await;
        assert_eq!(data["feedbackSubmit"]["userErrors"], json!([]));
    }
    let limited = world.app.gql(&world.a.client, SUBMIT, input).await;
    assert_eq!(error_codes(&limited), ["RATE_LIMITED"], "{limited}");
    let count = world
        .app
        .data(
            &world.a.admin,
            "query($id: ID!) { incident(id: $id) { feedback { totalCount } } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    assert_eq!(count["incident"]["feedback"]["totalCount"], 2);
}

#[tokio::test]
async fn bad_feedback_is_refused_and_nothing_is_written() {
    let world = World::new().await;
    let (record, bystander) = published(&world).await;
    let app = &world.app;
    let before = app.audit_count(&world.a.admin).await;
    let cases = [
        (
            json!({ "incidentId": record.incident_id, "kind": "QUESTION", "body": "" }),
            "BLANK",
        ),
        (
            json!({ "incidentId": record.incident_id, "kind": "QUESTION", "body": "x".repeat(5_001) }),
            "TOO_LONG",
        ),
        (
            json!({ "incidentId": record.incident_id, "kind": "QUESTION", "body": "ok", "confidence": 0 }),
            "INVALID",
        ),
        (
            json!({ "incidentId": record.incident_id, "kind": "QUESTION", "body": "ok", "confidence": 6 }),
            "INVALID",
        ),
    ];
    for (input, code) in cases {
        let data = app
            .data(&world.a.client, SUBMIT, json!({ "input": input }))
            .await;
        assert_eq!(user_error_codes(&data["feedbackSubmit"]), [code], "{input}");
    }
    let other = app.gql(&bystander, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": "let me in" } })).await;
    assert_eq!(
        error_codes(&other),
        ["NOT_FOUND"],
        "another client's incident"
    );
    let staff = app.gql(&world.a.editor, SUBMIT, json!({ "input": { "incidentId": record.incident_id, "kind": "QUESTION", "body": "staff" } })).await;
    assert_eq!(error_codes(&staff), ["FORBIDDEN"], "only clients submit");
    assert_eq!(app.audit_count(&world.a.admin).await, before);
}

async fn visible(app: &TestApp, token: &str, incident_id: &str) -> bool {
    let body = app
        .gql(
            token,
            "query($id: ID!) { incident(id: $id) { id } }",
            json!({ "id": incident_id }),
        )
        .await;
    error_codes(&body).is_empty()
}

async fn overdue(app: &TestApp, token: &str, id: &Value) -> Value {
    let data = app
        .data(
            token,
            "query($id: ID!) { node(id: $id) { ... on Feedback { overdue } } }",
            json!({ "id": id }),
        )
        .await;
    data["node"]["overdue"].clone()
}
