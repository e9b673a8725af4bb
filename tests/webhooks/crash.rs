//! No loss across a crash: two `debrief serve` processes on one database take 1,000
//! mutations at about 50 a second; one is killed with SIGKILL half-way and started again.
//! Every event reaches the receiver at least once, and at most 2 % twice. On PostgreSQL both
//! processes deliver; on SQLite, where one process delivers, the other serves only.

use super::{create_endpoint, events_after, last_position};
use crate::support::database::is_postgres;
use crate::support::process::Server;
use crate::support::receiver::Receiver;
use crate::support::spawn_app;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

const MUTATIONS: usize = 1000;
const PACE: Duration = Duration::from_millis(20);

/// The flags of a server that delivers webhooks, or of one that only serves.
fn workers(deliver: bool) -> &'static [&'static str] {
    if deliver { &[] } else { &["--no-workers"] }
}

/// Creates service `n` through `url`; false when the server did not answer.
async fn create_service(http: &reqwest::Client, url: &str, token: &str, n: usize) -> bool {
    let query =
        "mutation($name: String!) { serviceCreate(input: { name: $name }) { service { id } } }";
    let body = json!({ "query": query, "variables": { "name": format!("Service {n:04}") } });
    let answer = http
        .post(format!("{url}/graphql"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await;
    match answer {
        Ok(response) => response
            .json::<serde_json::Value>()
            .await
            .is_ok_and(|b| b["data"]["serviceCreate"]["service"]["id"].is_string()),
        Err(_) => false,
    }
}

#[tokio::test]
async fn no_event_is_lost_when_a_serving_process_is_killed() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("crash").await;
    let receiver = Receiver::start().await;
    let mark = last_position(&app, &tenant.admin).await;
    create_endpoint(&app, &tenant.admin, &receiver.url, &[]).await;
    let database_url = app.database_url().to_owned();
    let mut victim = Server::start(&database_url, &[]).await;
    let survivor = Server::start(&database_url, workers(is_postgres())).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let started = Instant::now();
    let mut victim_alive = true;
    for n in 0..MUTATIONS {
        if n == MUTATIONS / 2 {
            victim.kill();
            victim_alive = false;
        }
        if n == MUTATIONS / 2 + 100 {
            victim = Server::start(&database_url, &[]).await;
            victim_alive = true;
        }
        let first = if victim_alive && n % 2 == 0 {
            &victim.url
        } else {
            &survivor.url
        };
        if !create_service(&http, first, &tenant.admin, n).await {
            assert!(
                create_service(&http, &survivor.url, &tenant.admin, n).await,
                "mutation {n}"
            );
        }
        let due = started + PACE * (n as u32 + 1);
        tokio::time::sleep_until(due.into()).await;
    }
    let events = events_after(&app, &tenant.admin, mark).await;
    assert_eq!(
        events.len(),
        MUTATIONS + 1,
        "one event per mutation, and the endpoint's own"
    );
    let wanted: HashSet<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let received = receiver
        .wait_until(Duration::from_secs(120), |received| {
            let ids: HashSet<&str> = received.iter().map(|r| r.id()).collect();
            wanted.iter().all(|id| ids.contains(id.as_str()))
        })
        .await;
    let mut copies: HashMap<&str, usize> = HashMap::new();
    for request in &received {
        *copies.entry(request.id()).or_default() += 1;
    }
    let missing = wanted
        .iter()
        .filter(|id| !copies.contains_key(id.as_str()))
        .count();
    assert_eq!(missing, 0, "every event arrived at least once");
    let twice = copies.values().filter(|&&n| n > 1).count();
    assert!(
        twice * 50 <= wanted.len(),
        "{twice} of {} events arrived more than once",
        wanted.len()
    );
}
