//! Failures: retried on the (scaled) schedule with the same `webhook-id`, `Retry-After`
//! honoured, 410 and five days of failure disable, redirects never followed, hung receivers
//! cut off.

use super::{create_endpoint, endpoint};
use crate::support::receiver::{Answer, Receiver};
use crate::support::{TestApp, spawn_delivering_app};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::time::Duration;

/// The endpoint once `done` holds for it (at most 20 s).
async fn endpoint_when(
    app: &TestApp,
    admin: &str,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..400 {
        let current = endpoint(app, admin, id).await;
        if done(&current) {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the endpoint never reached the expected state: {}",
        endpoint(app, admin, id).await
    )
}

/// The endpoint's oldest delivery (its own creation event); null before there is one.
fn first_delivery(endpoint: &Value) -> &Value {
    let edges = endpoint["deliveries"]["edges"].as_array();
    edges
        .and_then(|edges| edges.last())
        .map_or(&Value::Null, |edge| &edge["node"])
}

fn statuses(delivery: &Value) -> Vec<Value> {
    let attempts = delivery["attempts"].as_array().expect("attempts");
    attempts.iter().map(|a| a["statusCode"].clone()).collect()
}

#[tokio::test]
async fn a_failing_delivery_is_retried_on_the_schedule_with_the_same_id_and_body() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::answering(|n, _| Answer::Status(if n < 3 { 500 } else { 204 })).await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let received = receiver.wait_for(4).await;
    assert_eq!(received.len(), 4);
    assert!(
        received
            .iter()
            .all(|r| r.id() == received[0].id() && r.body == received[0].body)
    );
    assert!(received.iter().all(|r| r.signed_by(&created.secret)));
    // The schedule at 1/1000: 5 ms, 300 ms, 1.8 s, each ±20 %, counted from the start of
    // the failed attempt (so less that attempt's time in flight, allowed 50 ms here).
    let gap = |i: usize| received[i].at - received[i - 1].at;
    assert!(gap(2) >= Duration::from_millis(190), "{:?}", gap(2));
    assert!(gap(3) >= Duration::from_millis(1390), "{:?}", gap(3));
    assert!(gap(3) < Duration::from_millis(3500), "{:?}", gap(3));
    let done = endpoint_when(&app, &tenant.admin, &created.id, |e| {
        // The success must also end the run of failures. One response reads the endpoint
        // and its deliveries in two statements, so wait until both show it.
        first_delivery(e)["status"] == "SUCCEEDED" && e["failingSince"].is_null()
    })
    .await;
    let delivery = first_delivery(&done);
    assert_eq!(
        statuses(delivery),
        [json!(500), json!(500), json!(500), json!(204)]
    );
    assert_eq!(delivery["nextAttemptAt"], Value::Null);
    assert_eq!(
        delivery["attempts"][0]["responseExcerpt"],
        "answered by the test receiver"
    );
    assert_eq!(done["enabled"], true);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::answering(|n, _| {
        if n == 0 {
            Answer::RetryAfter(503, 2)
        } else {
            Answer::Status(204)
        }
    })
    .await;
    create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let received = receiver.wait_for(2).await;
    let waited = received[1].at - received[0].at;
    assert!(
        waited >= Duration::from_secs(2),
        "retried after {waited:?}, not 2 s"
    );
    assert!(waited < Duration::from_secs(4), "{waited:?}");
}

#[tokio::test]
async fn gone_disables_the_endpoint_at_once_with_a_reason_and_an_audit_entry() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::answering(|_, _| Answer::Status(410)).await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let disabled = endpoint_when(&app, &tenant.admin, &created.id, |e| e["enabled"] == false).await;
    assert!(
        disabled["disabledReason"].as_str().unwrap().contains("410"),
        "{disabled}"
    );
    assert!(disabled["disabledAt"].is_string());
    assert_eq!(first_delivery(&disabled)["status"], "GAVE_UP");
    let audit = app
        .data(
            &tenant.admin,
            "{ auditLog(first: 5) { edges { node { action actor { id } } } } }",
            json!({}),
        )
        .await;
    let last = &audit["auditLog"]["edges"][0]["node"];
    assert_eq!(last["action"], "webhook_endpoint.disable", "{audit}");
    assert_eq!(
        last["actor"],
        Value::Null,
        "Debrief disabled it, not a user"
    );
    app.data(
        &tenant.admin,
        "mutation { serviceCreate(input: { name: \"After\" }) { service { id } } }",
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        1,
        "nothing goes to a disabled endpoint"
    );
}

#[tokio::test]
async fn five_days_of_failure_disable_the_endpoint() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::answering(|_, _| Answer::Status(500)).await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let failing = endpoint_when(&app, &tenant.admin, &created.id, |e| {
        e["failingSince"].is_string()
    })
    .await;
    assert_eq!(failing["enabled"], true, "one failure does not disable");
    let six_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(6);
    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => "UPDATE webhook_endpoints SET failing_since = $1",
        _ => "UPDATE webhook_endpoints SET failing_since = ?",
    };
    app.owner_db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [six_days_ago.into()],
        ))
        .await
        .expect("age the run of failures");
    let disabled = endpoint_when(&app, &tenant.admin, &created.id, |e| e["enabled"] == false).await;
    assert!(
        disabled["disabledReason"]
            .as_str()
            .unwrap()
            .contains("five days"),
        "{disabled}"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::answering(|_, request| {
        if request.path == "/hooks" {
            Answer::Redirect("/elsewhere")
        } else {
            Answer::Status(204)
        }
    })
    .await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let retried = endpoint_when(&app, &tenant.admin, &created.id, |e| {
        first_delivery(e)["attempts"]
            .as_array()
            .is_some_and(|a| a.len() >= 2)
    })
    .await;
    let delivery = first_delivery(&retried);
    assert_eq!(delivery["status"], "FAILED");
    assert_eq!(delivery["attempts"][0]["statusCode"], 302);
    assert!(
        delivery["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("redirect")
    );
    assert!(
        receiver.received().iter().all(|r| r.path == "/hooks"),
        "never followed"
    );
}

#[tokio::test]
async fn a_hung_receiver_times_out_and_is_retried() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::answering(|n, _| {
        if n == 0 {
            Answer::Hang
        } else {
            Answer::Status(204)
        }
    })
    .await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let done = endpoint_when(&app, &tenant.admin, &created.id, |e| {
        first_delivery(e)["status"] == "SUCCEEDED"
    })
    .await;
    let attempts = &first_delivery(&done)["attempts"];
    assert_eq!(attempts[0]["statusCode"], Value::Null);
    assert_eq!(attempts[0]["error"], "no answer within 1s");
    let took = attempts[0]["durationMs"].as_i64().unwrap();
    assert!(
        (1000..3000).contains(&took),
        "cut off after the 1 s timeout, took {took} ms"
    );
    assert_eq!(attempts[1]["statusCode"], 204);
}

#[tokio::test]
async fn redelivery_sends_the_same_id_and_body_again() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let done = endpoint_when(&app, &tenant.admin, &created.id, |e| {
        first_delivery(e)["status"] == "SUCCEEDED"
    })
    .await;
    let delivery_id = first_delivery(&done)["id"].clone();
    let retried = app
        .data(
            &tenant.admin,
            "mutation($id: ID!) { webhookDeliveryRetry(input: { id: $id }) { webhookDelivery { status } userErrors { code } } }",
            json!({ "id": delivery_id }),
        )
        .await;
    assert_eq!(
        retried["webhookDeliveryRetry"]["webhookDelivery"]["status"], "PENDING",
        "{retried}"
    );
    let received = receiver.wait_for(2).await;
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].id(), received[0].id());
    assert_eq!(received[1].body, received[0].body);
    let again = endpoint_when(&app, &tenant.admin, &created.id, |e| {
        first_delivery(e)["attempts"]
            .as_array()
            .is_some_and(|a| a.len() == 2)
            && first_delivery(e)["status"] == "SUCCEEDED"
    })
    .await;
    assert_eq!(statuses(first_delivery(&again)), [json!(204), json!(204)]);
}
