//! Responses keep the selection's order, whatever order the resolvers finish in, and every
//! `DateTime` comes in one form.

use crate::support::World;
use crate::support::record;
use serde_json::{Value, json};

/// Sibling fields chosen so that their resolvers finish at different times: some are read
/// from the row, some batched through loaders, some counted.
const INCIDENT: &str = "updatedAt measures { title id } postMortem { version impactSummary id status } \
    title timeline(first: 5) { totalCount nodes { body id } } rootCauses { services { name id } category } \
    impacts { description client { name id } level } id services { name } reference startedAt feedback { totalCount }";

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .map(|object| object.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn sibling_fields_come_in_selection_order_every_time() {
    let world = World::new().await;
    let built = record::build(&world.app, &world.a.admin, 3).await;
    let query = format!(
        "query($id: ID!) {{ viewer {{ tenant {{ slug name id }} role }} incident(id: $id) {{ {INCIDENT} }} incidents(first: 3) {{ totalCount nodes {{ {INCIDENT} }} }} }}"
    );
    let variables = json!({ "id": built.incident_id });
    for _ in 0..100 {
        let data = world
            .app
            .data(&world.a.admin, &query, variables.clone())
            .await;
        assert_eq!(keys(&data), ["viewer", "incident", "incidents"]);
        assert_eq!(keys(&data["viewer"]), ["tenant", "role"]);
        assert_eq!(keys(&data["viewer"]["tenant"]), ["slug", "name", "id"]);
        let incidents = std::iter::once(&data["incident"])
            .chain(data["incidents"]["nodes"].as_array().expect("nodes"));
        for incident in incidents {
            assert_eq!(
                keys(incident),
                [
                    "updatedAt",
                    "measures",
                    "postMortem",
                    "title",
                    "timeline",
                    "rootCauses",
                    "impacts",
                    "id",
                    "services",
                    "reference",
                    "startedAt",
                    "feedback"
                ]
            );
            assert_eq!(
                keys(&incident["postMortem"]),
                ["version", "impactSummary", "id", "status"]
            );
            assert_eq!(keys(&incident["timeline"]), ["totalCount", "nodes"]);
        }
        let incident = &data["incident"];
        assert_eq!(
            keys(&incident["impacts"][0]),
            ["description", "client", "level"]
        );
        assert_eq!(keys(&incident["impacts"][0]["client"]), ["name", "id"]);
        assert_eq!(keys(&incident["rootCauses"][0]), ["services", "category"]);
        assert_eq!(keys(&incident["measures"][0]), ["title", "id"]);
    }
}

#[tokio::test]
async fn mutation_payloads_come_in_selection_order_every_time() {
    let world = World::new().await;
    for round in 0..100 {
        let mutation = format!(
            "mutation {{ z: serviceCreate(input: {{ name: \"z{round}\" }}) {{ userErrors {{ code }} service {{ updatedAt name id createdAt }} }} a: serviceCreate(input: {{ name: \"a{round}\" }}) {{ service {{ name id }} userErrors {{ field }} }} }}"
        );
        let data = world.app.data(&world.a.admin, &mutation, json!({})).await;
        assert_eq!(keys(&data), ["z", "a"]);
        assert_eq!(keys(&data["z"]), ["userErrors", "service"]);
        assert_eq!(
            keys(&data["z"]["service"]),
            ["updatedAt", "name", "id", "createdAt"]
        );
        assert_eq!(keys(&data["a"]), ["service", "userErrors"]);
    }
}

#[tokio::test]
async fn every_datetime_in_a_large_response_has_one_form() {
    let world = World::new().await;
    let built = record::build(&world.app, &world.a.admin, 20).await;
    let query = "query($id: ID!) { incident(id: $id) { startedAt detectedAt mitigatedAt resolvedAt createdAt updatedAt \
        timeline(first: 50) { nodes { occurredAt createdAt updatedAt } } \
        impacts { startedAt endedAt } rootCauses { createdAt updatedAt } \
        measures { completedAt createdAt updatedAt } \
        postMortem { publishedAt reviewDueAt meetingAt createdAt updatedAt } } \
        auditLog(first: 100) { nodes { at } } }";
    let data = world
        .app
        .data(&world.a.admin, query, json!({ "id": built.incident_id }))
        .await;
    let form = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").expect("regex");
    let mut timestamps = Vec::new();
    collect_timestamps(&data, &mut timestamps);
    assert!(
        timestamps.len() > 150,
        "a large response: {}",
        timestamps.len()
    );
    for timestamp in timestamps {
        assert!(form.is_match(timestamp), "{timestamp}");
    }
}

/// The values of every key ending in `At` (the API's `DateTime` fields).
fn collect_timestamps<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                match value {
                    Value::String(text) if key.ends_with("At") || key == "at" => found.push(text),
                    other => collect_timestamps(other, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_timestamps(item, found)),
        _ => {}
    }
}
