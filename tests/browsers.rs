//! What a browser on another origin, and any client that accepts compression, gets: CORS
//! preflights and headers for allowed origins only, and gzip or brotli bodies on request.

use crate::support::{TestApp, spawn_app, spawn_app_with};
use debrief::config::Environment;
use reqwest::StatusCode;
use serde_json::json;

const ALLOWED: &str = "https://app.example.com";

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.http
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.url))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("preflight")
}

async fn cross_origin_post(app: &TestApp, origin: &str, token: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/graphql", app.url))
        .header("origin", origin)
        .bearer_auth(token)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("post")
}

fn allowed_origin(response: &reqwest::Response) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
}

/// A production server (no loopback pages allowed) that allows [`ALLOWED`].
async fn production_allowing_one_origin() -> TestApp {
    spawn_app_with(|mut config| {
        config.environment = Environment::Production;
        config.cors_allowed_origins = vec![ALLOWED.into()];
        config
    })
    .await
}

/// The response header's value, lower-cased.
fn header_text(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name]
        .to_str()
        .unwrap_or_default()
        .to_lowercase()
}

#[tokio::test]
async fn a_configured_origin_passes_its_preflight_and_reads_the_answer() {
    let app = production_allowing_one_origin().await;
    let tenant = app.create_tenant("acme").await;
    let response = preflight(&app, ALLOWED).await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(allowed_origin(&response), Some(ALLOWED));
    let methods = header_text(&response, "access-control-allow-methods");
    assert!(methods.contains("post"), "{methods}");
    let headers = header_text(&response, "access-control-allow-headers");
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );
    assert!(
        response
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let response = cross_origin_post(&app, ALLOWED, &tenant.admin).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(allowed_origin(&response), Some(ALLOWED));
    let exposed = header_text(&response, "access-control-expose-headers");
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

#[tokio::test]
async fn other_origins_get_no_cors_headers_and_production_allows_no_loopback_page() {
    let app = production_allowing_one_origin().await;
    let tenant = app.create_tenant("acme").await;
    for origin in [
        "https://evil.example",
        "https://app.example.com.evil.example",
        "http://localhost:5173",
    ] {
        assert_eq!(
            allowed_origin(&preflight(&app, origin).await),
            None,
            "{origin}"
        );
        assert_eq!(
            allowed_origin(&cross_origin_post(&app, origin, &tenant.admin).await),
            None,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn development_allows_pages_on_any_loopback_port() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    for origin in ["http://localhost:5173", "http://127.0.0.1:3000"] {
        assert_eq!(allowed_origin(&preflight(&app, origin).await), Some(origin));
        let response = cross_origin_post(&app, origin, &tenant.admin).await;
        assert_eq!(allowed_origin(&response), Some(origin));
    }
    assert_eq!(
        allowed_origin(&preflight(&app, "https://evil.example").await),
        None
    );
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let query = json!({ "query": "{ __schema { types { name description } } }" });
    for (encoding, magic) in [("gzip", &[0x1f_u8, 0x8b][..]), ("br", &[][..])] {
        let response = app
            .http
            .post(format!("{}/graphql", app.url))
            .bearer_auth(&tenant.admin)
            .header("accept-encoding", encoding)
            .json(&query)
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-encoding"], encoding);
        let body = response.bytes().await.expect("body");
        assert!(
            body.starts_with(magic) && !body.starts_with(b"{"),
            "{encoding}"
        );
    }
    let plain = app.post(Some(&tenant.admin), query).await;
    assert_eq!(
        plain.0,
        StatusCode::OK,
        "no Accept-Encoding, no compression"
    );
}
