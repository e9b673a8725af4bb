//! Secret rotation: both secrets sign for 24 hours, then only the new one; and no secret is
//! ever read back.

use super::{create_endpoint, endpoint};
use crate::support::receiver::Receiver;
use crate::support::spawn_delivering_app;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const ROTATE: &str = "mutation($id: ID!) { webhookEndpointRotateSecret(input: { id: $id }) { webhookEndpoint { id previousSecretExpiresAt } secret userErrors { code } } }";

#[tokio::test]
async fn both_secrets_sign_during_a_rotation_and_only_the_new_one_after_24_hours() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    receiver.wait_for(1).await;
    let rotated = app
        .data(&tenant.admin, ROTATE, json!({ "id": created.id }))
        .await;
    let payload = &rotated["webhookEndpointRotateSecret"];
    let new_secret = payload["secret"].as_str().expect("a new secret").to_owned();
    assert_ne!(new_secret, created.secret);
    let expires: chrono::DateTime<chrono::Utc> =
        payload["webhookEndpoint"]["previousSecretExpiresAt"]
            .as_str()
            .expect("an expiry")
            .parse()
            .expect("a time");
    let overlap = expires - chrono::Utc::now();
    assert!(overlap > chrono::TimeDelta::hours(23) && overlap <= chrono::TimeDelta::hours(24));

    // The rotation's own DIRECTORY_CHANGED is signed by both, the new secret first.
    let during = receiver.wait_for(2).await[1].clone();
    assert_eq!(during.signatures().len(), 2, "{:?}", during.signatures());
    assert!(during.signed_by(&new_secret) && during.signed_by(&created.secret));

    let backend = app.db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE webhook_endpoints SET previous_secret_expires_at = $1"
        }
        _ => "UPDATE webhook_endpoints SET previous_secret_expires_at = ?",
    };
    let past = chrono::Utc::now() - chrono::TimeDelta::minutes(1);
    app.owner_db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [past.into()]))
        .await
        .expect("let 24 hours pass");
    app.data(
        &tenant.admin,
        "mutation { serviceCreate(input: { name: \"Later\" }) { service { id } } }",
        json!({}),
    )
    .await;
    let after = receiver.wait_for(3).await[2].clone();
    assert_eq!(after.signatures().len(), 1);
    assert!(after.signed_by(&new_secret));
    assert!(!after.signed_by(&created.secret));
}

#[tokio::test]
async fn a_secret_is_shown_once_and_never_written_to_the_audit_log_or_the_feed() {
    let app = spawn_delivering_app(|config| config).await;
    let tenant = app.create_tenant("acme").await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    assert!(created.secret.starts_with("whsec_"));
    let rotated = app
        .data(&tenant.admin, ROTATE, json!({ "id": created.id }))
        .await;
    let new_secret = rotated["webhookEndpointRotateSecret"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = endpoint(&app, &tenant.admin, &created.id).await;
    let audit = app
        .data(
            &tenant.admin,
            "{ auditLog(first: 100) { edges { node { action changes } } } }",
            json!({}),
        )
        .await;
    let feed = app
        .data(
            &tenant.admin,
            "{ events(first: 100) { edges { node { type changedFields } } } }",
            json!({}),
        )
        .await;
    for (what, value) in [
        ("the endpoint", &read),
        ("the audit log", &audit),
        ("the feed", &feed),
    ] {
        let text = value.to_string();
        for secret in [&created.secret, &new_secret] {
            let key = secret.trim_start_matches("whsec_");
            assert!(!text.contains(key), "{what} holds a secret: {text}");
        }
    }
    let actions: Vec<&Value> = audit["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["action"])
        .collect();
    assert!(
        actions.contains(&&json!("webhook_endpoint.rotate_secret")),
        "{audit}"
    );
    assert!(
        actions.contains(&&json!("webhook_endpoint.create")),
        "{audit}"
    );
}
