//! A frontend's first run: `debrief serve` in development prints each role's header as JSON
//! GraphiQL takes, and serves a GraphiQL page whose assets come from the binary, signed in as
//! the demo ADMIN.

use crate::support::SECRET;
use crate::support::database::TestDatabase;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Starts the real binary on a fresh database, waits until it is ready, and returns the
/// child and its base URL.
async fn serve(database: &TestDatabase) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|probe| probe.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .envs(crate::support::database::process_env(database.url()))
        .env("DEBRIEF_JWT_SECRET", SECRET)
        .env("DEBRIEF_LOG_FORMAT", "text")
        .env("RUST_LOG", "info")
        .env_remove("DEBRIEF_ENV")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start debrief");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().ok();
    child.wait().ok();
    panic!("debrief did not become ready");
}

fn output_of(mut child: std::process::Child) -> String {
    child.kill().ok();
    let mut text = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut text).ok();
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut text).ok();
    }
    child.wait().ok();
    text
}

#[tokio::test]
async fn graphiql_loads_its_assets_from_the_binary_and_starts_signed_in_as_the_admin() {
    let database = TestDatabase::create().await;
    let (child, base) = serve(&database).await;
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{base}/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("the page");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("text");
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "debrief.js",
    ] {
        assert!(
            page.contains(&format!("/graphiql/assets/{asset}")),
            "{asset}"
        );
        let response = http
            .get(format!("{base}/graphiql/assets/{asset}"))
            .send()
            .await
            .expect("an asset");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            kind.starts_with("text/javascript") || kind.starts_with("text/css"),
            "{asset}: {kind}"
        );
        assert!(response.bytes().await.expect("body").len() > 500, "{asset}");
    }
    for outside in ["https://", "http://", "//unpkg", "cdn"] {
        assert!(
            !page.contains(outside),
            "the page loads nothing from elsewhere: {outside}"
        );
    }
    let missing = http
        .get(format!("{base}/graphiql/assets/secret.txt"))
        .send()
        .await
        .expect("a 404");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // The prefilled headers are JSON, and sign in as the demo ADMIN.
    let settings = page
        .split(r#"<script id="debrief-settings" type="application/json">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the page's settings");
    let settings: Value = serde_json::from_str(settings).expect("settings are JSON");
    assert!(
        settings["query"]
            .as_str()
            .is_some_and(|q| q.contains("viewer"))
    );
    let headers: Value = serde_json::from_str(settings["headers"].as_str().expect("headers text"))
        .expect("the Headers tab takes JSON");
    let authorization = headers["Authorization"]
        .as_str()
        .expect("an Authorization header");
    let answer: Value = http
        .post(format!("{base}/graphql"))
        .header("authorization", authorization)
        .json(&json!({ "query": "{ viewer { role } }" }))
        .send()
        .await
        .expect("a query")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["data"]["viewer"]["role"], "ADMIN", "{answer}");

    let printed = output_of(child);
    let lines: Vec<&str> = printed
        .lines()
        .filter(|l| l.contains(r#"{"Authorization":"Bearer "#))
        .collect();
    assert_eq!(lines.len(), 5, "one JSON header per role:\n{printed}");
    for role in ["ADMIN", "EDITOR", "VIEWER", "REPORTER", "CLIENT"] {
        assert!(
            lines.iter().any(|line| line.contains(role)),
            "{role}:\n{printed}"
        );
    }
}
