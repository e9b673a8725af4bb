//! Every limit answers with a clear error and runs nothing.

use crate::support::{TestApp, error_codes, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn refused(app: &TestApp, token: &str, query: String) -> Value {
    let (status, body) = app.post(Some(token), json!({ "query": query })).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "application/json answers request errors with 200: {body}"
    );
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert!(
        body.get("data").is_none(),
        "a refused operation has no data: {body}"
    );
    body
}

#[tokio::test]
async fn page_sizes_outside_one_to_a_hundred_are_refused() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    for query in [
        "{ incidents(first: 1000) { totalCount } }",
        "{ incidents(first: 0) { totalCount } }",
        "{ users(last: 101) { totalCount } }",
    ] {
        let body = app.gql(&tenant.admin, query, json!({})).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("between 1 and 100"), "{message}");
    }
}

#[tokio::test]
async fn a_query_deeper_than_fifteen_levels_is_refused() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let mut inner = "name".to_owned();
    for _ in 0..18 {
        inner = format!("ofType {{ {inner} }}");
    }
    let body = refused(
        &app,
        &tenant.admin,
        format!("{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}"),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("nested too deep"),
        "{body}"
    );
    // __schema, types, fields, type, 18 × ofType, name.
    assert_eq!(body["errors"][0]["extensions"]["depth"], 23, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 15, "{body}");
}

#[tokio::test]
async fn too_many_aliases_or_root_fields_are_refused() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let aliases: String = (0..200).map(|i| format!("a{i}: __typename ")).collect();
    let body = refused(&app, &tenant.admin, format!("{{ viewer {{ {aliases} }} }}")).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("aliases"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["aliases"], 200, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 30, "{body}");
    let roots: String = (0..21)
        .map(|i| format!("v{i}: viewer {{ role }} "))
        .collect();
    refused(&app, &tenant.admin, format!("{{ {roots} }}")).await;
    let fields: String = [
        "viewer { role }",
        "incidents { totalCount }",
        "users { totalCount }",
    ]
    .repeat(7)
    .join(" ");
    let body = refused(&app, &tenant.admin, format!("{{ {fields} }}")).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("root fields"),
        "{body}"
    );
    let nested: String = (0..21).map(|i| format!("v{i}: __typename ")).collect();
    let hidden = format!(
        "{{ ... on Query {{ ... on Query {{ ... on Query {{ ... on Query {{ ... on Query {{ ... on Query {{ ... on Query {{ ... on Query {{ ... on Query {{ {nested} }} }} }} }} }} }} }} }} }} }}"
    );
    refused(&app, &tenant.admin, hidden).await;
    let fragment: String = (0..11).map(|i| format!("f{i}: __typename ")).collect();
    let direct: String = (0..10).map(|i| format!("d{i}: __typename ")).collect();
    let spread = format!("query {{ ...A {direct} }} fragment A on Query {{ {fragment} }}");
    let body = refused(&app, &tenant.admin, spread).await;
    let message = body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("21 root fields"), "{message}");
}

#[tokio::test]
async fn an_operation_over_the_complexity_budget_is_refused() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let body = refused(
        &app,
        &tenant.admin,
        (0..10).map(|i| format!("i{i}: incidents(first: 100) {{ nodes {{ id number reference title severity status startedAt version services {{ id name }} }} }} ")).collect::<String>().replace("i0:", "{ i0:") + "}",
    )
    .await;
    let error = &body["errors"][0];
    // Each alias: 100 × (nodes 1 + 8 fields + services 1 + 2 fields) = 1,200.
    assert_eq!(error["extensions"]["cost"], 12_000, "{body}");
    assert_eq!(error["extensions"]["limit"], 10_000, "{body}");
    assert_eq!(
        error["message"],
        "the operation costs 12000; the limit is 10000 (each field costs 1, and a connection \
         `first` or `last` times what each of its items costs)"
    );
}

#[tokio::test]
async fn a_batch_array_is_refused() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let (status, body) = app
        .post(
            Some(&tenant.admin),
            json!([{ "query": "{ viewer { role } }" }, { "query": "{ viewer { role } }" }]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("batch")
    );
}

#[tokio::test]
async fn a_body_over_256_kib_is_refused_with_413_and_nothing_is_written() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let before = app.audit_count(&tenant.admin).await;
    let title = "x".repeat(1024 * 1024);
    let query = "mutation($t: String!) { incidentCreate(input: { title: $t, severity: SEV1, startedAt: \"2026-01-01T00:00:00Z\" }) { incident { id } } }";
    let (status, body) = app
        .post(
            Some(&tenant.admin),
            json!({ "query": query, "variables": { "t": title } }),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    assert_eq!(app.audit_count(&tenant.admin).await, before);
}

#[tokio::test]
async fn nul_characters_are_user_errors_not_database_errors() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let data = app
        .data(
            &tenant.admin,
            "mutation($v: String!) { serviceCreate(input: { name: $v }) { userErrors { code } } }",
            json!({ "v": "Pay\u{0}ments" }),
        )
        .await;
    assert_eq!(data["serviceCreate"]["userErrors"][0]["code"], "INVALID");
}

#[tokio::test]
async fn oversize_strings_within_the_body_limit_are_user_errors() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let before = app.audit_count(&tenant.admin).await;
    let long = "n".repeat(100_000);
    for (query, field) in [
        (
            "mutation($v: String!) { serviceCreate(input: { name: $v }) { userErrors { code } } }",
            "serviceCreate",
        ),
        (
            "mutation($v: String!) { clientCreate(input: { name: $v }) { userErrors { code } } }",
            "clientCreate",
        ),
        (
            "mutation($v: String!) { userCreate(input: { email: \"a@b.example\", displayName: $v, role: VIEWER }) { userErrors { code } } }",
            "userCreate",
        ),
    ] {
        let data = app.data(&tenant.admin, query, json!({ "v": long })).await;
        assert_eq!(data[field]["userErrors"][0]["code"], "TOO_LONG", "{field}");
    }
    assert_eq!(app.audit_count(&tenant.admin).await, before);
}

#[tokio::test]
async fn a_long_chain_of_fragments_is_refused_without_exhausting_the_stack() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let links = 3_000;
    let chain: String = (0..links)
        .map(|i| {
            format!(
                "fragment F{i} on Query {{ a{i}: __typename ...F{} }} ",
                i + 1
            )
        })
        .collect();
    let query = format!("{{ ...F0 }} {chain} fragment F{links} on Query {{ __typename }}");
    let body = refused(&app, &tenant.admin, query).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nested too deep"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["limit"], 32, "{body}");
}
