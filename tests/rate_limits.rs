//! Rate limits: what each request costs, the budgets that pay for it, and the answers over
//! budget, through the real router; and one budget shared by two `serve` processes.

use crate::support::process::Server;
use crate::support::{TestApp, spawn_app, spawn_app_with};
use debrief::domain::rate_limit::{Budget, Budgets};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3_600);
const VIEWER: &str = "{ viewer { role } }";
const RATE_LIMIT: &str = "{ rateLimit { cost limit remaining used resetAt } }";

fn budgets(per_caller: Option<u32>, per_tenant: Option<u32>) -> Budgets {
    let budget = |points| Budget {
        points,
        window: HOUR,
    };
    Budgets {
        per_caller: per_caller.map(budget),
        per_tenant: per_tenant.map(budget),
    }
}

/// POSTs `query` to `url` as `token`: the status, the headers and the body.
async fn send(url: &str, token: &str, query: &str) -> (StatusCode, HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .bearer_auth(token)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("the server answers");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.json().await.expect("a JSON body"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
}

/// Asserts the answer over budget: 429, RATE_LIMITED, `Retry-After` and both IETF fields.
fn assert_rate_limited(status: StatusCode, headers: &HeaderMap, body: &Value, policy: &str) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
    let retry_after: u64 = header(headers, "retry-after").parse().expect("seconds");
    assert!(retry_after >= 1, "{retry_after}");
    assert!(header(headers, "ratelimit-policy").starts_with(&format!("\"{policy}\";q=")));
    assert!(header(headers, "ratelimit").starts_with(&format!("\"{policy}\";r=0;t=")));
}

/// The SQL statements `app` ran while `send` answered.
async fn statements_while<F: std::future::Future>(
    app: &TestApp,
    send: F,
) -> (F::Output, Vec<String>) {
    let before = app.sql.lock().map(|log| log.len()).unwrap_or(0);
    let output = send.await;
    let log = app
        .sql
        .lock()
        .map(|log| log[before..].iter().map(|s| s.sql.clone()).collect());
    (output, log.unwrap_or_default())
}

#[tokio::test]
async fn every_response_carries_its_cost_and_the_budget_that_binds() {
    let app = spawn_app_with(|config| debrief::config::Config {
        rate_limits: budgets(Some(10), Some(1_000)),
        ..config
    })
    .await;
    let tenant = app.create_tenant("costs").await;
    let (status, headers, body) = send(&app.url, &tenant.admin, RATE_LIMIT).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rate_limit = &body["data"]["rateLimit"];
    assert_eq!(rate_limit["cost"], 1);
    assert_eq!(rate_limit["limit"], 10);
    assert_eq!(rate_limit["remaining"], 9);
    assert_eq!(rate_limit["used"], 1);
    assert!(rate_limit["resetAt"].is_string(), "{rate_limit}");
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 1);
    assert_eq!(cost["actualQueryCost"], 1);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 10.0);
    assert_eq!(cost["throttleStatus"]["currentlyAvailable"], 9);
    let restore = cost["throttleStatus"]["restoreRate"]
        .as_f64()
        .expect("a rate");
    assert!((restore - 10.0 / 3_600.0).abs() < 1e-9, "{restore}");
    assert_eq!(
        header(&headers, "ratelimit-policy"),
        "\"caller\";q=10;w=3600"
    );
    // One point missing at 10 an hour: back in 360 s.
    assert_eq!(header(&headers, "ratelimit"), "\"caller\";r=9;t=360");

    // 1 incident list and 100 timelines at most: 101 requests, 1 point; a document that does
    // not validate is still priced and charged.
    let listing = "{ incidents(first: 100) { nodes { timeline(first: 5) { totalCount } } } }";
    let (_, _, body) = send(&app.url, &tenant.admin, listing).await;
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"], 1,
        "{body}"
    );
    let (status, _, body) = send(&app.url, &tenant.admin, "{ viewer { nope } }").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"], 1,
        "{body}"
    );
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], 0, "{body}");
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        7
    );
    // A mutation costs five.
    let mutation = "mutation { serviceCreate(input: { name: \"Billing\" }) { service { id } } }";
    let (_, _, body) = send(&app.url, &tenant.admin, mutation).await;
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"], 5,
        "{body}"
    );
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        2
    );
}

#[tokio::test]
async fn over_budget_is_429_with_the_headers_and_runs_no_sql_beyond_the_charge() {
    let app = spawn_app_with(|config| debrief::config::Config {
        rate_limits: budgets(Some(3), None),
        ..config
    })
    .await;
    let tenant = app.create_tenant("over").await;
    for remaining in [2, 1, 0] {
        let (status, headers, body) = send(&app.url, &tenant.admin, VIEWER).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            header(&headers, "ratelimit"),
            format!("\"caller\";r={remaining};t={}", (3 - remaining) * 1_200)
        );
    }
    let ((status, headers, body), sql) =
        statements_while(&app, send(&app.url, &tenant.admin, VIEWER)).await;
    assert_rate_limited(status, &headers, &body, "caller");
    // 1 point missing at 3 an hour.
    assert_eq!(header(&headers, "retry-after"), "1200");
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        0
    );
    assert_eq!(sql.len(), 1, "only the charge runs: {sql:?}");
    assert!(sql[0].contains("rate_limit"), "{sql:?}");
}

#[tokio::test]
async fn a_document_over_a_thousand_points_is_refused_before_it_runs() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("dear").await;
    // Each of 12 incident lists spreads a fragment with two connections 50 times under 100
    // incidents: 12 × (1 + 100 × 100) = 120,012 requests, 1,200 points.
    let spreads = "...lists ".repeat(50);
    let roots: String = (0..12)
        .map(|i| format!("i{i}: incidents(first: 100) {{ nodes {{ {spreads} }} }} "))
        .collect();
    let query = format!(
        "{{ {roots} }} fragment lists on Incident {{ timeline(first: 1) {{ totalCount }} \
         feedback(first: 1) {{ totalCount }} }}"
    );
    let ((status, _, body), sql) =
        statements_while(&app, send(&app.url, &tenant.admin, &query)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(error["extensions"]["requestedQueryCost"], 1_200, "{body}");
    assert_eq!(error["extensions"]["limit"], 1_000, "{body}");
    assert!(sql.is_empty(), "nothing is charged or looked up: {sql:?}");
}

#[tokio::test]
async fn the_tenant_budget_binds_all_its_callers_and_a_refused_request_costs_nothing() {
    let app = spawn_app_with(|config| debrief::config::Config {
        rate_limits: budgets(Some(100), Some(4)),
        ..config
    })
    .await;
    let tenant = app.create_tenant("shared").await;
    for _ in 0..4 {
        let (status, _, body) = send(&app.url, &tenant.admin, VIEWER).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, headers, body) = send(&app.url, &tenant.admin, VIEWER).await;
    assert_rate_limited(status, &headers, &body, "tenant");
    // The caller's own budget paid for the refused request, then got it back.
    let caller = format!("user:{}", tenant.admin_id);
    let available = available_points(&app, tenant.id, &caller).await;
    assert!((96.0..96.1).contains(&available), "{available}");
    // Another tenant is not bound by this one's budget.
    let other = app.create_tenant("other").await;
    let (status, _, body) = send(&app.url, &other.admin, VIEWER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_service_token_has_a_budget_of_its_own() {
    let app = spawn_app_with(|config| debrief::config::Config {
        rate_limits: budgets(Some(6), None),
        ..config
    })
    .await;
    let tenant = app.create_tenant("tokens").await;
    let expires = (chrono::Utc::now() + chrono::TimeDelta::days(30)).to_rfc3339();
    let create = format!(
        "mutation {{ apiTokenCreate(input: {{ name: \"BI\", role: REPORTER, expiresAt: \"{expires}\" }}) {{ token }} }}"
    );
    let (_, _, body) = send(&app.url, &tenant.admin, &create).await;
    let token = body["data"]["apiTokenCreate"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("a token: {body}"))
        .to_owned();
    for _ in 0..6 {
        let (status, _, body) = send(&app.url, &token, VIEWER).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, headers, body) = send(&app.url, &token, VIEWER).await;
    assert_rate_limited(status, &headers, &body, "caller");
    // The ADMIN who made the token still has the 1 point the mutation left.
    let (status, _, body) = send(&app.url, &tenant.admin, VIEWER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The points `bucket` of `tenant_id` holds, read as the tables' owner.
async fn available_points(app: &TestApp, tenant_id: uuid::Uuid, bucket: &str) -> f64 {
    use sea_orm::ConnectionTrait;
    let backend = app.owner_db.get_database_backend();
    let statement = sea_orm::Statement::from_sql_and_values(
        backend,
        "SELECT available FROM rate_limit_buckets WHERE tenant_id = $1 AND bucket = $2",
        [tenant_id.into(), bucket.into()],
    );
    let row = app
        .owner_db
        .query_one_raw(statement)
        .await
        .expect("the bucket reads");
    row.expect("the bucket exists")
        .try_get("", "available")
        .expect("available")
}

#[tokio::test]
async fn two_servers_share_one_budget() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("cluster").await;
    let flags = [
        "--rate-limit-user-points",
        "100",
        "--rate-limit-tenant-points",
        "0",
    ];
    let servers = [
        Server::start(app.database_url(), &flags).await,
        Server::start(app.database_url(), &flags).await,
    ];
    let urls: Vec<String> = servers.iter().map(|server| server.url.clone()).collect();
    // 150 requests from 10 clients at once, each taking the servers in turn.
    let clients = (0..10).map(|client| {
        let (urls, token) = (urls.clone(), tenant.admin.clone());
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for n in 0..15 {
                let url = &urls[(client + n) % urls.len()];
                answers.push(send(url, &token, VIEWER).await);
            }
            answers
        })
    });
    let mut accepted = 0;
    for client in clients {
        for (status, headers, body) in client.await.expect("a client finishes") {
            if status == StatusCode::OK {
                accepted += 1;
            } else {
                assert_rate_limited(status, &headers, &body, "caller");
            }
        }
    }
    assert!((99..=101).contains(&accepted), "{accepted} of 150 accepted");
}
