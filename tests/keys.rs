//! Key configuration: public-key verification pins its algorithm, and production mode turns
//! off the developer conveniences.

use crate::support::{AUDIENCE, ISSUER, error_codes, spawn_app_with};
use debrief::config::{Environment, JwtKey};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .expect("fixture")
}

fn claims(tenant: Uuid, user: Uuid) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "sub": user, "tid": tenant, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 600 })
}

async fn check_public_key(algorithm: Algorithm, public: &str, private: &str) {
    let app = spawn_app_with(|mut config| {
        config.jwt.key = JwtKey::PublicKeyPem(fixture(public));
        config
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&fixture(private)).expect("ec key"),
        _ => EncodingKey::from_rsa_pem(&fixture(private)).expect("rsa key"),
    };
    let good = jsonwebtoken::encode(
        &Header::new(algorithm),
        &claims(tenant.id, tenant.admin_id),
        &key,
    )
    .expect("sign");
    assert_eq!(
        app.data(&good, "{ viewer { role } }", json!({})).await["viewer"]["role"],
        "ADMIN"
    );
    // A shared-secret token must not pass, even one signed with the public key's bytes.
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(tenant.id, tenant.admin_id),
        &EncodingKey::from_secret(&fixture(public)),
    )
    .expect("sign");
    let (status, body) = app
        .post(Some(&confused), json!({ "query": "{ viewer { role } }" }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn es256_public_keys_verify_tokens_and_refuse_other_algorithms() {
    check_public_key(Algorithm::ES256, "es256-public.pem", "es256-private.pem").await;
}

#[tokio::test]
async fn rs256_public_keys_verify_tokens_and_refuse_other_algorithms() {
    check_public_key(Algorithm::RS256, "rs256-public.pem", "rs256-private.pem").await;
}

#[tokio::test]
async fn production_gives_no_field_suggestions_and_no_graphiql() {
    let query = json!({ "query": "{ viewr { role } }" });
    let dev = spawn_app_with(|config| config).await;
    let tenant = dev.create_tenant("acme").await;
    let (_, body) = dev.post(Some(&tenant.admin), query.clone()).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Did you mean"),
        "{body}"
    );
    let prod = spawn_app_with(|mut config| {
        config.environment = Environment::Production;
        config
    })
    .await;
    let tenant = prod.create_tenant("acme").await;
    let (_, body) = prod.post(Some(&tenant.admin), query).await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    assert!(
        !body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Did you mean"),
        "{body}"
    );
    let page = prod
        .http
        .get(format!("{}/graphql", prod.url))
        .header("accept", "text/html")
        .send()
        .await
        .expect("send");
    assert_ne!(
        page.status(),
        StatusCode::OK,
        "no GraphiQL page in production"
    );
    let page = dev
        .http
        .get(format!("{}/graphql", dev.url))
        .header("accept", "text/html")
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap_or_default().contains("graphiql"));
}
