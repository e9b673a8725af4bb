//! What arrives: every event once, in position order per endpoint, signed; only the types an
//! endpoint asks for; never another tenant's.

use super::{create_endpoint, endpoint_count, events_after, ids, last_position};
use crate::support::receiver::Receiver;
use crate::support::{record, spawn_delivering_app};
use serde_json::{Value, json};
use std::time::Duration;

/// `POST_MORTEM_PUBLISHED` → `post_mortem.published`.
fn wire_name(graphql_name: &str) -> String {
    let lower = graphql_name.to_lowercase();
    let (subject, verb) = lower.rsplit_once('_').expect("a two-part name");
    format!("{subject}.{verb}")
}

/// Lets late duplicates arrive before a test counts.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn every_event_arrives_once_in_position_order_signed_and_thin() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let mark = last_position(&app, &tenant.admin).await;
    let endpoint = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    record::build(&app, &tenant.admin, 3).await;
    let events = events_after(&app, &tenant.admin, mark).await;
    assert!(
        events.len() > 15,
        "the record wrote {} events",
        events.len()
    );
    receiver.wait_for(events.len()).await;
    settle().await;
    let received = receiver.received();
    let expected: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids(&received),
        expected,
        "each event once, in position order"
    );
    let now = chrono::Utc::now().timestamp();
    for (request, event) in received.iter().zip(&events) {
        assert!(request.signed_by(&endpoint.secret), "{request:?}");
        assert_eq!(request.signatures().len(), 1);
        assert_eq!(request.header("content-type"), "application/json");
        let sent: i64 = request
            .header("webhook-timestamp")
            .parse()
            .expect("seconds");
        assert!((now - sent).abs() < 120, "timestamp {sent} is now");
        let body = request.json();
        assert_eq!(body["type"], wire_name(event["type"].as_str().unwrap()));
        assert_eq!(body["data"]["id"], event["id"]);
        assert_eq!(body["data"]["position"], event["position"]);
        assert!(chrono::DateTime::parse_from_rfc3339(body["timestamp"].as_str().unwrap()).is_ok());
        let data_keys: Vec<&String> = body["data"].as_object().unwrap().keys().collect();
        assert_eq!(
            data_keys,
            [
                "id",
                "position",
                "incidentId",
                "subject",
                "changedFields",
                "deadline"
            ],
            "ids, position and field names only"
        );
    }
    let first = received[0].json();
    assert_eq!(
        first["type"], "directory.changed",
        "its own creation comes first"
    );
    assert_eq!(
        first["data"]["subject"],
        json!({ "type": "WebhookEndpoint", "id": endpoint.id })
    );
}

#[tokio::test]
async fn an_endpoint_receives_only_the_types_it_asks_for() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let everything = Receiver::start().await;
    let chosen = Receiver::start().await;
    let mark = last_position(&app, &tenant.admin).await;
    create_endpoint(&app, &tenant.admin, &everything.url, &[]).await;
    let types = ["INCIDENT_CREATED", "MEASURE_CREATED"];
    create_endpoint(&app, &tenant.admin, &chosen.url, &types).await;
    record::build(&app, &tenant.admin, 3).await;
    let events = events_after(&app, &tenant.admin, mark).await;
    let wanted: Vec<&Value> = events
        .iter()
        .filter(|e| types.contains(&e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(wanted.len(), 4, "one incident and three measures");
    everything.wait_for(events.len()).await;
    chosen.wait_for(wanted.len()).await;
    settle().await;
    let received = chosen.received();
    let expected: Vec<&str> = wanted.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids(&received), expected);
    assert_eq!(everything.received().len(), events.len());
}

#[tokio::test]
async fn another_tenants_endpoint_never_receives_an_event() {
    let app = spawn_delivering_app(|config| config).await;
    let ours = app.create_tenant("ours").await;
    let theirs = app.create_tenant("theirs").await;
    let (our_receiver, their_receiver) = (Receiver::start().await, Receiver::start().await);
    let mark = last_position(&app, &ours.admin).await;
    create_endpoint(&app, &ours.admin, &our_receiver.url, &[]).await;
    let their_endpoint = create_endpoint(&app, &theirs.admin, &their_receiver.url, &[]).await;
    record::build(&app, &ours.admin, 3).await;
    let events = events_after(&app, &ours.admin, mark).await;
    our_receiver.wait_for(events.len()).await;
    settle().await;
    let received = their_receiver.received();
    assert_eq!(received.len(), 1, "only their endpoint's own creation");
    assert_eq!(
        received[0].json()["data"]["subject"]["id"],
        their_endpoint.id
    );
    let our_ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids(&our_receiver.received()), our_ids);
}

#[tokio::test]
async fn a_test_message_is_signed_and_names_its_endpoint() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(&app, &tenant.admin, &receiver.url, &["INCIDENT_CREATED"]).await;
    let sent = app
        .data(
            &tenant.admin,
            "mutation($id: ID!) { webhookEndpointSendTest(input: { id: $id }) { webhookDelivery { id type status webhookId event { id } } userErrors { code } } }",
            json!({ "id": endpoint.id }),
        )
        .await;
    let delivery = &sent["webhookEndpointSendTest"]["webhookDelivery"];
    assert_eq!(delivery["type"], "webhook.test", "{sent}");
    assert_eq!(delivery["status"], "PENDING");
    assert_eq!(delivery["event"], Value::Null);
    let received = receiver.wait_for(1).await;
    assert_eq!(
        received.len(),
        1,
        "a test message goes out whatever the filter"
    );
    assert_eq!(received[0].id(), delivery["webhookId"]);
    assert!(received[0].signed_by(&endpoint.secret));
    let body = received[0].json();
    assert_eq!(body["type"], "webhook.test");
    assert_eq!(body["data"], json!({ "endpointId": endpoint.id }));
}

#[tokio::test]
async fn deleting_an_endpoint_while_it_is_delivered_to_stops_its_deliveries() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let create =
        "mutation($name: String!) { serviceCreate(input: { name: $name }) { service { id } } }";
    let (url, token) = (app.url.clone(), tenant.admin.clone());
    let writer = tokio::spawn(async move {
        for n in 0..40 {
            let name = json!({ "name": format!("Service {n}") });
            crate::support::post_as(&url, &token, create, name).await;
        }
    });
    receiver.wait_for(5).await;
    let deleted = app
        .data(
            &tenant.admin,
            "mutation($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId userErrors { code } } }",
            json!({ "id": endpoint.id }),
        )
        .await;
    assert_eq!(
        deleted["webhookEndpointDelete"]["deletedWebhookEndpointId"], endpoint.id,
        "{deleted}"
    );
    writer.await.expect("writer");
    settle().await;
    let after_deletion = receiver.received().len();
    for n in 0..5 {
        let name = json!({ "name": format!("Later {n}") });
        app.data(&tenant.admin, create, name).await;
    }
    settle().await;
    assert_eq!(
        receiver.received().len(),
        after_deletion,
        "nothing after the deletion"
    );
    assert_eq!(endpoint_count(&app, &tenant.admin).await, 0);
}
