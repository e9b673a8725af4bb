//! Documents built to make validation explode are refused before validation, for any role,
//! and never stop the server answering others. Responses stay small whatever the request.
//! How fast a refusal is (an expansion of 2^20 spreads took seconds before the limits were
//! computed once per fragment) is measured by `cargo bench --bench limits`.

use crate::support::{TestApp, World, error_codes, global_id};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// `levels` fragments, each spreading the previous one `fan` times, under `viewer`.
fn fan_out(levels: usize, fan: usize) -> String {
    let mut document =
        format!("query {{ viewer {{ ...F{levels} }} }}\nfragment F0 on Viewer {{ role }}\n");
    for level in 1..=levels {
        let spreads = format!("...F{} ", level - 1).repeat(fan);
        document.push_str(&format!("fragment F{level} on Viewer {{ {spreads} }}\n"));
    }
    document
}

/// Posts `query` and returns the refusal's first error, asserting the answer refuses the
/// document without running it. How fast it is refused is measured by `cargo bench --bench
/// limits`, not here: timings in tests fail on a busy machine.
async fn refusal(app: &TestApp, token: &str, query: &str) -> Value {
    let (status, answer) = app.post(Some(token), json!({ "query": query })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    assert!(answer.get("data").is_none(), "{answer}");
    answer["errors"][0].clone()
}

#[tokio::test]
async fn fragment_fan_outs_of_two_to_the_twenty_to_thirty_are_refused_for_a_client() {
    let world = World::new().await;
    for levels in [20, 24, 28, 30] {
        let query = fan_out(levels, 2);
        assert!(
            query.len() < 2_000,
            "a small document: {} bytes",
            query.len()
        );
        let error = refusal(&world.app, &world.a.client, &query).await;
        assert!(error["extensions"]["limit"].is_u64(), "{error}");
    }
    let error = refusal(&world.app, &world.a.client, &fan_out(20, 2)).await;
    assert_eq!(error["extensions"]["limit"], 5_000, "{error}");
    assert!(
        error["extensions"]["size"].as_u64() > Some(1 << 20),
        "{error}"
    );
}

#[tokio::test]
async fn wide_deep_inline_and_directive_heavy_documents_are_refused() {
    let world = World::new().await;
    let mut inline_fan_out =
        "query { viewer { ...F20 } }\nfragment F0 on Viewer { role }\n".to_owned();
    for level in 1..=20 {
        let inline = format!("... on Viewer {{ ...F{} }} ", level - 1).repeat(2);
        inline_fan_out.push_str(&format!("fragment F{level} on Viewer {{ {inline} }}\n"));
    }
    let wide_inline = format!(
        "{{ viewer {{ {} }} }}",
        "... on Viewer { role role role role role } ".repeat(1_000)
    );
    let nested_inline = format!(
        "{{ viewer {{ {} role {} }} }}",
        "... on Viewer { ".repeat(60),
        "}".repeat(60)
    );
    let directives = format!(
        "{{ viewer {{ role {} }} }}",
        "@include(if: true) ".repeat(1_000)
    );
    let list = vec!["1"; 12_000].join(",");
    let huge_default = format!("query($v: [Int] = [{list}]) {{ viewer {{ role }} }}");
    for (name, query) in [
        ("8 spreads x 8 levels", fan_out(8, 8)),
        (
            "inline fragments spread twice over 20 levels",
            inline_fan_out,
        ),
        ("1,000 inline fragments of 5 fields", wide_inline),
        ("60 nested inline fragments", nested_inline),
        ("a thousand directives", directives),
        ("a variable default of 12,000 values", huge_default),
    ] {
        let error = refusal(&world.app, &world.a.client, &query).await;
        assert!(error["extensions"]["limit"].is_u64(), "{name}: {error}");
    }
}

#[tokio::test]
async fn the_server_keeps_answering_while_expensive_documents_arrive() {
    let world = World::new().await;
    let app = &world.app;
    let bombs = (0..6).map(|_| async {
        for levels in [24, 26, 28, 30] {
            let query = fan_out(levels, 2);
            let (status, _) = app
                .post(Some(&world.a.client), json!({ "query": query }))
                .await;
            assert_eq!(status, StatusCode::OK);
        }
    });
    let probes = async {
        for _ in 0..10 {
            let started = Instant::now();
            let health = app
                .http
                .get(format!("{}/healthz", app.url))
                .send()
                .await
                .expect("healthz");
            assert_eq!(health.status(), StatusCode::OK);
            let data = app
                .data(&world.a.viewer, "{ viewer { role } }", json!({}))
                .await;
            assert_eq!(data["viewer"]["role"], "VIEWER");
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{:?}",
                started.elapsed()
            );
        }
    };
    futures_util::join!(futures_util::future::join_all(bombs), probes);
}

#[tokio::test]
async fn validation_errors_are_capped_at_fifty_and_the_rest_counted() {
    let world = World::new().await;
    let unknown: String = (0..120).map(|i| format!("unknown{i} ")).collect();
    let query = format!("{{ viewer {{ {unknown} }} }}");
    let (status, body) = world
        .app
        .post(Some(&world.a.viewer), json!({ "query": query }))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_capped(&body, 70);
}

#[tokio::test]
async fn execution_errors_are_capped_at_fifty_and_the_rest_counted() {
    let world = World::new().await;
    let ids: Vec<String> = (0..90)
        .map(|_| global_id("Incident", uuid::Uuid::now_v7()))
        .collect();
    let body = world
        .app
        .gql(
            &world.a.viewer,
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(body["data"]["nodes"].as_array().map(Vec::len), Some(90));
    assert_capped(&body, 40);
}

fn assert_capped(body: &Value, omitted: u64) {
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 51, "{body}");
    let last = &errors[50];
    assert_eq!(last["extensions"]["code"], "ERRORS_OMITTED", "{last}");
    assert_eq!(last["extensions"]["omitted"], omitted, "{last}");
    assert!(
        errors[..50]
            .iter()
            .all(|e| e["extensions"]["code"] != "ERRORS_OMITTED"),
        "{body}"
    );
}
