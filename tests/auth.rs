//! Authentication: every bad token is a 401 with a clear UNAUTHENTICATED error, and the users
//! table, not the token, decides whether a user may still act.

use crate::support::{AUDIENCE, ISSUER, SECRET, TestApp, error_codes, spawn_app};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

fn claims(tenant: Uuid, user: Uuid, overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({ "sub": user, "tid": tenant, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "nbf": now, "exp": now + 3600 });
    for (key, value) in overrides.as_object().expect("object") {
        if value.is_null() {
            claims.as_object_mut().expect("object").remove(key);
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn sign(algorithm: Algorithm, secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

async fn viewer_status(app: &TestApp, authorization: Option<&str>) -> (StatusCode, Value) {
    let mut request = app
        .http
        .post(format!("{}/graphql", app.url))
        .json(&json!({ "query": "{ viewer { role } }" }));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    (status, response.json().await.expect("json body"))
}

fn assert_unauthenticated(status: StatusCode, body: &Value, case: &str) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
    assert_eq!(error_codes(body), ["UNAUTHENTICATED"], "{case}: {body}");
    assert!(
        body.get("data").is_none(),
        "{case}: a refused request has no data"
    );
}

#[tokio::test]
async fn every_kind_of_bad_token_is_refused_with_401() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let (t, u) = (tenant.id, tenant.admin_id);
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing header", None),
        (
            "not a bearer scheme",
            Some(format!("Basic {}", tenant.admin)),
        ),
        ("empty bearer", Some("Bearer ".into())),
        ("malformed token", Some("Bearer not.a.jwt".into())),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(t, u, json!({ "exp": now - 3600 }))
                )
            )),
        ),
        (
            "wrong issuer",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(t, u, json!({ "iss": "someone-else" }))
                )
            )),
        ),
        (
            "wrong audience",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(t, u, json!({ "aud": "other-api" }))
                )
            )),
        ),
        (
            "wrong algorithm",
            Some(format!(
                "Bearer {}",
                sign(Algorithm::HS512, SECRET, &claims(t, u, json!({})))
            )),
        ),
        (
            "bad signature",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    "another-secret-of-at-least-32-bytes!!",
                    &claims(t, u, json!({}))
                )
            )),
        ),
        (
            "not yet valid",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(t, u, json!({ "nbf": now + 3600 }))
                )
            )),
        ),
        (
            "no expiry",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(t, u, json!({ "exp": null }))
                )
            )),
        ),
        (
            "unknown user",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(t, Uuid::now_v7(), json!({}))
                )
            )),
        ),
        (
            "user of another tenant id",
            Some(format!(
                "Bearer {}",
                sign(
                    Algorithm::HS256,
                    SECRET,
                    &claims(Uuid::now_v7(), u, json!({}))
                )
            )),
        ),
    ];
    for (case, header) in cases {
        let (status, body) = viewer_status(&app, header.as_deref()).await;
        assert_unauthenticated(status, &body, case);
    }
    let (status, _) = viewer_status(&app, Some(&format!("Bearer {}", tenant.admin))).await;
    assert_eq!(status, StatusCode::OK, "the good token still works");
}

#[tokio::test]
async fn the_none_algorithm_is_refused() {
    use base64::Engine;
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let encode = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!(
        "{}.{}.",
        encode(&json!({ "alg": "none", "typ": "JWT" })),
        encode(&claims(tenant.id, tenant.admin_id, json!({})))
    );
    let (status, body) = viewer_status(&app, Some(&format!("Bearer {token}"))).await;
    assert_unauthenticated(status, &body, "alg none");
}

#[tokio::test]
async fn a_deactivated_user_is_refused_on_the_next_request() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let created = app
        .data(
            &tenant.admin,
            "mutation { userCreate(input: { email: \"eve@acme.example\", displayName: \"Eve\", role: EDITOR }) { user { id } } }",
            json!({}),
        )
        .await;
    let id = created["userCreate"]["user"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let token = app.token(tenant.id, crate::support::decode_uuid(&id));
    assert_eq!(
        app.data(&token, "{ viewer { role } }", json!({})).await["viewer"]["role"],
        "EDITOR"
    );
    app.data(
        &tenant.admin,
        "mutation($id: ID!) { userDeactivate(input: { id: $id }) { user { active } } }",
        json!({ "id": id }),
    )
    .await;
    let (status, body) = app
        .post(Some(&token), json!({ "query": "{ viewer { role } }" }))
        .await;
    assert_unauthenticated(status, &body, "deactivated");
}

#[tokio::test]
async fn a_changed_role_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let created = app
        .data(&tenant.admin, "mutation { userCreate(input: { email: \"eve@acme.example\", displayName: \"Eve\", role: EDITOR }) { user { id } } }", json!({}))
        .await;
    let id = created["userCreate"]["user"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let token = app.token(tenant.id, crate::support::decode_uuid(&id));
    let create = "mutation { incidentCreate(input: { title: \"Outage\", severity: SEV3, startedAt: \"2026-01-01T00:00:00Z\" }) { incident { id } } }";
    assert!(
        app.gql(&token, create, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    app.data(
        &tenant.admin,
        "mutation($id: ID!) { userUpdate(input: { id: $id, role: VIEWER }) { user { role } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        error_codes(&app.gql(&token, create, json!({})).await),
        ["FORBIDDEN"]
    );
}

#[tokio::test]
async fn identity_provider_tokens_without_nbf_and_with_an_audience_list_are_accepted() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let claims = claims(
        tenant.id,
        tenant.admin_id,
        json!({ "nbf": null, "iat": null, "aud": ["other-api", AUDIENCE] }),
    );
    let token = sign(Algorithm::HS256, SECRET, &claims);
    let (status, body) = viewer_status(&app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN");
}
