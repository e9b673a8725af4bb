//! GraphQL over HTTP: methods, media types, status codes, health checks, internal errors.

use crate::support::{World, error_codes, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    // A named mutation runs without `operationName` when it is the document's only one.
    for query in [
        "mutation { serviceCreate(input: { name: \"x\" }) { service { id } } }",
        "mutation Named { serviceCreate(input: { name: \"x\" }) { service { id } } }",
    ] {
        let response = app
            .http
            .get(format!("{}/graphql", app.url))
            .query(&[("query", query)])
            .bearer_auth(&tenant.admin)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{query}");
        assert_eq!(response.headers()["allow"], "POST");
    }
    assert_eq!(
        app.data(&tenant.admin, "{ services { totalCount } }", json!({}))
            .await["services"]["totalCount"],
        0
    );
}

#[tokio::test]
async fn a_query_over_get_works() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let response = app
        .http
        .get(format!("{}/graphql", app.url))
        .query(&[("query", "{ viewer { role } }")])
        .bearer_auth(&tenant.admin)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"]["viewer"]["role"], "ADMIN");
}

#[tokio::test]
async fn media_types_follow_the_graphql_over_http_spec() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let post = |accept: &'static str, body: &'static str| {
        app.http
            .post(format!("{}/graphql", app.url))
            .bearer_auth(&tenant.admin)
            .header("content-type", "application/json")
            .header("accept", accept)
            .body(body)
            .send()
    };
    let ok = post(
        "application/graphql-response+json",
        r#"{"query":"{ viewer { role } }"}"#,
    )
    .await
    .expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(
        ok.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/graphql-response+json")
    );
    let invalid = post(
        "application/graphql-response+json",
        r#"{"query":"{ viewer { nope } }"}"#,
    )
    .await
    .expect("send");
    assert_eq!(
        invalid.status(),
        StatusCode::BAD_REQUEST,
        "validation errors are 400 with the new media type"
    );
    let body: Value = invalid.json().await.expect("json");
    assert!(body.get("data").is_none());
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    let legacy = post("application/json", r#"{"query":"{ viewer { nope } }"}"#)
        .await
        .expect("send");
    assert_eq!(
        legacy.status(),
        StatusCode::OK,
        "and 200 with application/json"
    );
    assert!(
        legacy.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("application/json")
    );
    let not_json = post("application/json", "{ not json").await.expect("send");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let unacceptable = post("text/html", r#"{"query":"{ viewer { role } }"}"#)
        .await
        .expect("send");
    assert_eq!(unacceptable.status(), StatusCode::NOT_ACCEPTABLE);
    let text_plain = app
        .http
        .post(format!("{}/graphql", app.url))
        .bearer_auth(&tenant.admin)
        .header("content-type", "text/plain")
        .body(r#"{"query":"{ viewer { role } }"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(text_plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let response = app
            .http
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.headers().contains_key("x-request-id"),
            "{path} carries a request id"
        );
    }
}

#[tokio::test]
async fn a_database_failure_is_internal_and_shows_no_sql() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    use sea_orm::ConnectionTrait;
    app.owner_db
        .execute_unprepared("DROP TABLE audit_entries")
        .await
        .expect("drop a table behind the app's back");
    let body = app
        .gql(
            &tenant.admin,
            "mutation { serviceCreate(input: { name: \"Payments\" }) { service { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["INTERNAL"]);
    let text = body.to_string().to_lowercase();
    assert!(text.contains("an internal error occurred"), "{body}");
    for leak in [
        "audit_entries",
        "sql",
        "insert",
        "relation",
        "no such table",
    ] {
        assert!(!text.contains(leak), "the response leaks `{leak}`: {body}");
    }
    assert_eq!(
        app.data(&tenant.admin, "{ services { totalCount } }", json!({}))
            .await["services"]["totalCount"],
        0,
        "the failed mutation rolled back"
    );
}

#[tokio::test]
async fn a_body_that_stalls_past_the_deadline_is_answered_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::support::spawn_app_with(|mut config| {
        config.request_timeout = std::time::Duration::from_millis(500);
        config
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let address = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"query\":",
        tenant.admin
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(
        response.contains("\"BAD_USER_INPUT\"") && response.contains("did not arrive"),
        "{response}"
    );
}

#[tokio::test]
async fn an_operation_that_ran_and_lost_its_data_is_200_with_data_null() {
    let world = World::new().await;
    let response = world
        .app
        .http
        .post(format!("{}/graphql", world.app.url))
        .bearer_auth(&world.a.viewer)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "mutation { serviceCreate(input: { name: \"Payments\" }) { service { id } } }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a field error is not a request error"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body.get("data"), Some(&Value::Null), "{body}");
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    assert_eq!(body["errors"][0]["path"], json!(["serviceCreate"]));
}
