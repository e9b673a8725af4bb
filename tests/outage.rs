//! A database outage is answered honestly: 503 UNAVAILABLE with `Retry-After`, never 500;
//! `/readyz` says so at once; and after the database returns, everything acknowledged is
//! there and the server serves again without a restart.
//!
//! PostgreSQL only, on a throwaway cluster this test starts on its own port and crashes, so
//! the shared test server stays up. It runs in the PostgreSQL pass (`DEBRIEF_TEST_BACKEND=
//! postgres`), where missing PostgreSQL binaries fail it rather than skip it.

use crate::support::cluster::Cluster;
use crate::support::database::is_postgres;
use crate::support::{TestApp, spawn_app_on_url};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What one request under load came back with.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    retry_after: bool,
    codes: Vec<String>,
}

async fn create_service(app: &TestApp, token: &str, name: &str) -> Answer {
    let mutation = "mutation($name: String!) { serviceCreate(input: { name: $name }) { service { id } userErrors { code } } }";
    send(app, token, mutation, json!({ "name": name })).await
}

async fn send(app: &TestApp, token: &str, query: &str, variables: Value) -> Answer {
    let response = app
        .http
        .post(format!("{}/graphql", app.url))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let retry_after = response.headers().contains_key("retry-after");
    let body: Value = response.json().await.expect("a JSON answer");
    let codes = crate::support::error_codes(&body);
    Answer {
        status,
        retry_after,
        codes,
    }
}

async fn ready_status(app: &TestApp) -> (StatusCode, Duration) {
    let started = Instant::now();
    let response = app
        .http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz answers");
    (response.status(), started.elapsed())
}

#[tokio::test]
async fn a_database_outage_is_answered_503_unavailable_and_loses_nothing_acknowledged() {
    if !is_postgres() {
        eprintln!("the outage test runs in the PostgreSQL pass");
        return;
    }
    let cluster = Cluster::start().expect("PostgreSQL binaries for a throwaway cluster");
    let app = spawn_app_on_url(&cluster.url(), |config| config).await;
    let tenant = app.create_tenant("acme").await;
    let acknowledged = Mutex::new(Vec::new());
    let failures = Mutex::new(Vec::new());
    let load_until = Instant::now() + Duration::from_secs(9);
    let writers = (0..3).map(|writer| {
        let (app, token, acknowledged, failures) = (&app, &tenant.admin, &acknowledged, &failures);
        async move {
            let mut n = 0;
            while Instant::now() < load_until {
                n += 1;
                let name = format!("service {writer}-{n}");
                let answer = create_service(app, token, &name).await;
                if answer.status == StatusCode::OK && answer.codes.is_empty() {
                    acknowledged.lock().expect("lock").push(name);
                } else {
                    failures.lock().expect("lock").push(answer);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    });
    let reader = async {
        let query = "{ viewer { role } services(first: 5) { totalCount nodes { name } } }";
        while Instant::now() < load_until {
            let answer = send(&app, &tenant.admin, query, json!({})).await;
            if answer.status != StatusCode::OK || !answer.codes.is_empty() {
                failures.lock().expect("lock").push(answer);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let outage = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        cluster.crash();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, took) = ready_status(&app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(took < Duration::from_secs(1), "/readyz took {took:?}");
        tokio::time::sleep(Duration::from_secs(3)).await;
        cluster.resume();
        let resumed = Instant::now();
        loop {
            let answer = create_service(&app, &tenant.admin, "after the outage").await;
            if answer.status == StatusCode::OK && answer.codes.is_empty() {
                break;
            }
            assert!(
                resumed.elapsed() < Duration::from_secs(5),
                "not serving 5 s after the restart: {answer:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(ready_status(&app).await.0, StatusCode::OK);
    };
    futures_util::join!(futures_util::future::join_all(writers), reader, outage);

    let failures = failures.into_inner().expect("lock");
    assert!(!failures.is_empty(), "the outage was felt");
    for failure in &failures {
        assert_eq!(
            failure.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{failure:?}"
        );
        assert!(failure.retry_after, "{failure:?}");
        assert!(
            failure.codes.iter().all(|code| code == "UNAVAILABLE"),
            "{failure:?}"
        );
    }
    let mut acknowledged = acknowledged.into_inner().expect("lock");
    acknowledged.push("after the outage".to_owned());
    assert_every_service_is_stored_with_its_audit_entry(&app, &acknowledged).await;
}

/// Every acknowledged service is stored, and no service was written without its audit entry.
async fn assert_every_service_is_stored_with_its_audit_entry(app: &TestApp, names: &[String]) {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT name FROM services",
        ))
        .await
        .expect("read the services");
    let stored: Vec<String> = rows
        .iter()
        .map(|row| row.try_get("", "name").expect("a name"))
        .collect();
    for name in names {
        assert!(
            stored.contains(name),
            "{name} was acknowledged but is missing"
        );
    }
    let audited = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM audit_entries WHERE action = 'service.create'",
        ))
        .await
        .expect("count the audit entries")
        .expect("a row");
    let audited: i64 = audited.try_get("", "n").expect("a count");
    assert_eq!(audited as usize, stored.len(), "nothing is half-written");
}
