//! A marker planted in every internal and client-facing text, through the API, so a test
//! can show that an output holds none of it.

use super::World;
use super::record::{self, Record, TIMELINE_CREATE, mutate};
use super::user_error_codes;
use serde_json::json;

const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code message } } }";

/// The marker.
pub const SENTINEL: &str = "SENTINEL-7f3a";

/// Builds a record in tenant `a` and writes the marker into every text a change can carry:
/// names, summaries, notes, analyses, review verdicts, feedback and replies (staff and
/// client). Publishes the post-mortem and completes a measure on the way.
pub async fn plant(world: &World) -> Record {
    let (app, admin) = (&world.app, world.a.admin.clone());
    let secret = |what: &str| format!("{SENTINEL} {what}");
    let record = record::build(app, &admin, 3).await;
    let me = app
        .data(&world.a.client, "{ viewer { user { id } } }", json!({}))
        .await;
    app.data(&admin, "mutation($id: ID!, $c: ID!) { userUpdate(input: { id: $id, clientId: $c, displayName: $n }) { userErrors { code } } }".replace("$n", &format!("\"{}\"", secret("name"))).as_str(), json!({ "id": me["viewer"]["user"]["id"], "c": record.client_id })).await;
    mutate(app, &admin, TIMELINE_CREATE, json!({ "incidentId": record.incident_id, "occurredAt": "2026-03-01T09:40:00Z", "kind": "NOTE", "body": secret("internal note"), "visibility": "INTERNAL" }), "timelineEventCreate", "timelineEvent").await;
    app.data(&admin, "mutation($id: ID!, $t: String!) { incidentUpdate(input: { id: $id, version: 1, summary: $t }) { userErrors { code } } }", json!({ "id": record.incident_id, "t": secret("summary") })).await;
    app.data(&admin, "mutation($id: ID!, $t: String!) { rootCauseUpdate(input: { id: $id, internalAnalysis: $t }) { userErrors { code } } }", json!({ "id": record.root_cause_id, "t": secret("analysis") })).await;
    app.data(&admin, "mutation($id: ID!, $t: String!) { serviceUpdate(input: { id: $id, name: $t }) { userErrors { code } } }", json!({ "id": world.a.service_id, "t": secret("service") })).await;
    app.data(&admin, "mutation($id: ID!, $t: String!) { incidentUpdate(input: { id: $id, version: 1, title: $t }) { userErrors { code } } }", json!({ "id": world.a.incident_id, "t": secret("other incident") })).await;
    let published = app
        .data(&admin, PUBLISH, json!({ "id": record.post_mortem_id }))
        .await;
    assert_eq!(
        user_error_codes(&published["postMortemPublish"]),
        Vec::<String>::new(),
        "{published}"
    );
    let update = "mutation($input: PreventionMeasureUpdateInput!) { preventionMeasureUpdate(input: $input) { userErrors { code } } }";
    for status in ["IN_PROGRESS", "DONE"] {
        let input = json!({ "input": { "id": record.measure_ids[0], "status": status } });
        let done = app.data(&admin, update, input).await;
        let errors = user_error_codes(&done["preventionMeasureUpdate"]);
        assert_eq!(errors, Vec::<String>::new(), "{done}");
    }
    let asked = app.data(&world.a.client, "mutation($id: ID!, $b: String!) { feedbackSubmit(input: { incidentId: $id, kind: QUESTION, body: $b }) { feedback { id } } }", json!({ "id": record.incident_id, "b": secret("question") })).await;
    let thread = asked["feedbackSubmit"]["feedback"]["id"].clone();
    let reply = "mutation($id: ID!, $b: String!) { feedbackReply(input: { feedbackId: $id, body: $b }) { userErrors { code } } }";
    app.data(
        &world.a.editor,
        reply,
        json!({ "id": thread, "b": secret("staff answer") }),
    )
    .await;
    app.data(
        &world.a.client,
        reply,
        json!({ "id": thread, "b": secret("client follow-up") }),
    )
    .await;
    app.data(&admin, "mutation($input: EffectivenessReviewRecordInput!) { effectivenessReviewRecord(input: $input) { userErrors { code } } }", json!({ "input": { "postMortemId": record.post_mortem_id, "heldAt": chrono::Utc::now().to_rfc3339(), "summary": secret("review"), "verdicts": [{ "measureId": record.measure_ids[0], "effectiveness": "EFFECTIVE", "note": secret("verdict") }] } })).await;
    record
}
