//! Who may manage webhooks, what an endpoint URL may be, and that no payload holds text.

use super::{create_endpoint, endpoint, endpoint_count, events_after, last_position};
use crate::support::receiver::Receiver;
use crate::support::{World, error_codes, quick_webhooks, spawn_app_with, user_error_codes};
use debrief::config::Environment;
use debrief::domain::webhook::AddressPolicy;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::time::Duration;

const SEND_TEST: &str = "mutation($id: ID!) { webhookEndpointSendTest(input: { id: $id }) { webhookDelivery { id } userErrors { code } } }";

/// Every webhook operation, as (name, query, variables) acting on `endpoint` and `delivery`.
fn operations(endpoint: &str, delivery: &str) -> Vec<(&'static str, &'static str, Value)> {
    let on = json!({ "id": endpoint });
    vec![
        (
            "webhookEndpoints",
            "{ webhookEndpoints { totalCount edges { node { id } } } }",
            json!({}),
        ),
        (
            "node",
            "query($id: ID!) { node(id: $id) { id } }",
            on.clone(),
        ),
        (
            "deliveryNode",
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": delivery }),
        ),
        (
            "webhookEndpointCreate",
            "mutation { webhookEndpointCreate(input: { url: \"http://127.0.0.1:9/x\" }) { secret userErrors { code } } }",
            json!({}),
        ),
        (
            "webhookEndpointUpdate",
            "mutation($id: ID!) { webhookEndpointUpdate(input: { id: $id, enabled: false }) { webhookEndpoint { id } userErrors { code } } }",
            on.clone(),
        ),
        (
            "webhookEndpointDelete",
            "mutation($id: ID!) { webhookEndpointDelete(input: { id: $id }) { deletedWebhookEndpointId userErrors { code } } }",
            on.clone(),
        ),
        (
            "webhookEndpointRotateSecret",
            "mutation($id: ID!) { webhookEndpointRotateSecret(input: { id: $id }) { secret userErrors { code } } }",
            on.clone(),
        ),
        ("webhookEndpointSendTest", SEND_TEST, on),
        (
            "webhookDeliveryRetry",
            "mutation($id: ID!) { webhookDeliveryRetry(input: { id: $id }) { webhookDelivery { id } userErrors { code } } }",
            json!({ "id": delivery }),
        ),
    ]
}

#[tokio::test]
async fn only_the_tenants_admin_may_touch_its_webhooks() {
    let world = World::new().await;
    let app = &world.app;
    let created = create_endpoint(app, &world.a.admin, "http://127.0.0.1:9/hooks", &[]).await;
    let sent = app
        .data(&world.a.admin, SEND_TEST, json!({ "id": created.id }))
        .await;
    let delivery = sent["webhookEndpointSendTest"]["webhookDelivery"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit_before = app.audit_count(&world.a.admin).await;
    let outsiders = [
        ("EDITOR", &world.a.editor),
        ("VIEWER", &world.a.viewer),
        ("REPORTER", &world.a.reporter),
        ("CLIENT", &world.a.client),
        ("other tenant's ADMIN", &world.b.admin),
    ];
    for (who, token) in outsiders {
        let other_admin = std::ptr::eq(token, &world.b.admin);
        for (name, query, variables) in operations(&created.id, &delivery) {
            if other_admin && name == "webhookEndpointCreate" {
                continue; // it creates one in their own tenant
            }
            let request = json!({ "query": query, "variables": variables });
            let (_, body) = app.post(Some(token), request).await;
            if other_admin && name == "webhookEndpoints" {
                assert_eq!(body["data"]["webhookEndpoints"]["totalCount"], 0, "{body}");
                continue;
            }
            let expected = if other_admin || name.ends_with("ode") {
                "NOT_FOUND"
            } else {
                "FORBIDDEN"
            };
            assert_eq!(error_codes(&body), [expected], "{who} {name}: {body}");
        }
    }
    let after = endpoint(app, &world.a.admin, &created.id).await;
    assert_eq!(after["enabled"], true, "nothing changed: {after}");
    assert_eq!(after["deliveries"]["totalCount"], 1);
    assert_eq!(app.audit_count(&world.a.admin).await, audit_before);
}

#[tokio::test]
async fn bad_urls_and_inputs_are_user_errors_and_nothing_is_written() {
    let app = spawn_app_with(|config| debrief::config::Config {
        environment: Environment::Production,
        webhooks: debrief::webhooks::WebhookSettings {
            addresses: AddressPolicy {
                allow_private: false,
            },
            ..quick_webhooks()
        },
        ..config
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let audit_before = app.audit_count(&tenant.admin).await;
    let create = "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id } secret userErrors { field code message } } }";
    let huge = format!("https://hooks.example.com/{}", "a".repeat(2000));
    let refused = [
        ("https://127.0.0.1/hooks", "INVALID"),
        ("https://localhost/hooks", "INVALID"),
        ("https://169.254.169.254/latest/meta-data", "INVALID"),
        ("https://[::1]/hooks", "INVALID"),
        ("https://[::ffff:10.0.0.1]/hooks", "INVALID"),
        ("https://10.0.0.8/hooks", "INVALID"),
        ("http://hooks.example.com/hooks", "INVALID"),
        ("ftp://hooks.example.com/hooks", "INVALID"),
        ("javascript:alert(1)", "INVALID"),
        ("https://user:pass@hooks.example.com/hooks", "INVALID"),
        ("not a url", "INVALID"),
        (huge.as_str(), "TOO_LONG"),
    ];
    for (url, code) in refused {
        let data = app
            .data(&tenant.admin, create, json!({ "input": { "url": url } }))
            .await;
        let payload = &data["webhookEndpointCreate"];
        assert_eq!(user_error_codes(payload), [code], "{url}: {payload}");
        assert_eq!(payload["userErrors"][0]["field"], json!(["url"]));
        assert_eq!(payload["secret"], Value::Null);
        assert_eq!(payload["webhookEndpoint"], Value::Null);
        let message = payload["userErrors"][0]["message"].as_str().unwrap();
        assert!(
            !message.contains("error") || message.len() < 200,
            "{message}"
        );
    }
    let long_description = json!({ "input": { "url": "https://hooks.example.com/in", "description": "d".repeat(501) } });
    let data = app.data(&tenant.admin, create, long_description).await;
    assert_eq!(
        user_error_codes(&data["webhookEndpointCreate"]),
        ["TOO_LONG"]
    );
    let (_, unknown) = app
        .post(Some(&tenant.admin), json!({ "query": "mutation { webhookEndpointCreate(input: { url: \"https://hooks.example.com/in\", eventTypes: [INCIDENT_EXPLODED] }) { secret } }" }))
        .await;
    assert!(
        !error_codes(&unknown).is_empty(),
        "an unknown event type is refused: {unknown}"
    );
    assert!(unknown["data"].is_null() || unknown["data"]["webhookEndpointCreate"].is_null());
    assert_eq!(
        endpoint_count(&app, &tenant.admin).await,
        0,
        "nothing was written"
    );
    assert_eq!(app.audit_count(&tenant.admin).await, audit_before);

    let created = create_endpoint(&app, &tenant.admin, "https://hooks.example.com/in", &[]).await;
    let audit_before = app.audit_count(&tenant.admin).await;
    let update = "mutation($input: WebhookEndpointUpdateInput!) { webhookEndpointUpdate(input: $input) { webhookEndpoint { id } userErrors { field code } } }";
    for (url, code) in [
        ("https://127.0.0.1/hooks", "INVALID"),
        ("http://hooks.example.com/in", "INVALID"),
        (huge.as_str(), "TOO_LONG"),
    ] {
        let input = json!({ "input": { "id": created.id, "url": url, "description": "changed" } });
        let data = app.data(&tenant.admin, update, input).await;
        assert_eq!(
            user_error_codes(&data["webhookEndpointUpdate"]),
            [code],
            "{url}: {data}"
        );
    }
    let unchanged = endpoint(&app, &tenant.admin, &created.id).await;
    assert_eq!(unchanged["url"], "https://hooks.example.com/in");
    assert_eq!(
        app.audit_count(&tenant.admin).await,
        audit_before,
        "an update refused writes nothing"
    );
}

#[tokio::test]
async fn an_address_that_stopped_being_public_is_refused_at_delivery() {
    let strict = debrief::webhooks::WebhookSettings {
        addresses: AddressPolicy {
            allow_private: false,
        },
        ..quick_webhooks()
    };
    let app = spawn_app_with(|config| debrief::config::Config {
        environment: Environment::Production,
        webhooks: strict,
        ..config
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&app, &tenant.admin, "https://hooks.example.com/in", &[]).await;
    // As if its name now resolved to loopback: `localhost`, on the receiver's port.
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE webhook_endpoints SET url = $1",
        _ => "UPDATE webhook_endpoints SET url = ?",
    };
    let loopback = receiver
        .url
        .replace("http://127.0.0.1", "https://localhost");
    app.owner_db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [loopback.into()],
        ))
        .await
        .expect("repoint the endpoint");
    app.deliver_webhooks(strict);
    let mut attempt = Value::Null;
    for _ in 0..100 {
        let read = endpoint(&app, &tenant.admin, &created.id).await;
        attempt = read["deliveries"]["edges"][0]["node"]["attempts"][0].clone();
        if !attempt.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let error = attempt["error"].as_str().unwrap_or("");
    assert_eq!(
        error, "the host resolves to an address that is not public",
        "{attempt}"
    );
    assert!(
        receiver.received().is_empty(),
        "nothing reached the private address"
    );
}

#[tokio::test]
async fn no_payload_holds_a_marker_planted_in_every_text() {
    let world = World::new().await;
    world.app.deliver_webhooks(quick_webhooks());
    let (app, admin) = (&world.app, world.a.admin.clone());
    let receiver = Receiver::start().await;
    let mark = last_position(app, &admin).await;
    create_endpoint(app, &admin, &receiver.url, &[]).await;
    crate::support::sentinel::plant(&world).await;
    let events = events_after(app, &admin, mark).await;
    assert!(events.len() > 30, "{} events", events.len());
    let received = receiver.wait_for(events.len()).await;
    assert_eq!(received.len(), events.len());
    for request in &received {
        let text = format!("{:?} {}", request.headers, request.body);
        assert!(!text.contains(crate::support::sentinel::SENTINEL), "{text}");
    }
}
