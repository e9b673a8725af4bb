//! Several `debrief serve` processes on one database: a subscriber on one receives every
//! change committed on another, none missed and none twice, even when its listening
//! connection is terminated; a deactivation on one closes the user's sockets on the other;
//! SIGTERM closes sockets with 1001.

use crate::support::database::is_postgres;
use crate::support::process::Server;
use crate::support::socket::Socket;
use crate::support::{TestApp, spawn_app};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};

const CHANGES: usize = 500;

/// How many requests the test keeps in flight, so that transactions commit out of the order
/// they began in.
const IN_FLIGHT: usize = 4;

/// The servers on the test's database: the test's own, the writer and the reader. On
/// PostgreSQL each listens from start-up, to forget its users when the directory changes.
const SERVERS: usize = 3;

const SERVICE_CREATE: &str =
    "mutation($name: String!) { serviceCreate(input: { name: $name }) { service { id } } }";

const DIRECTORY: &str =
    "subscription { events(filter: { types: [DIRECTORY_CHANGED] }) { position subjectId } }";

/// Terminates the listening connections of live subscribers on the test's database; returns
/// how many there were.
async fn terminate_listeners(app: &TestApp) -> usize {
    let sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'debrief-live-listener' AND datname = current_database()";
    let rows = app
        .owner_db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("terminate the listeners");
    rows.len()
}

async fn listeners(app: &TestApp) -> i64 {
    let sql = "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'debrief-live-listener' AND datname = current_database()";
    let row = app
        .owner_db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect("count the listeners")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}

#[tokio::test]
async fn a_subscriber_on_one_server_receives_every_change_committed_on_another() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("cluster").await;
    let database_url = app.database_url().to_owned();
    let writer = Server::start(&database_url, &["--no-workers"]).await;
    let reader = Server::start(&database_url, &["--no-workers"]).await;
    let mut socket = Socket::ready(&reader.ws_url(), &tenant.admin).await;
    socket.subscribe("1", DIRECTORY, json!({})).await;
    super::settle().await;
    let http = reqwest::Client::new();
    let mut created = HashSet::new();
    let requests = futures_util::stream::iter(0..CHANGES).map(|n| {
        let (http, url, token) = (&http, &writer.url, &tenant.admin);
        async move {
            let body = json!({ "query": SERVICE_CREATE, "variables": { "name": format!("Service {n:04}") } });
            let answer: serde_json::Value = http
                .post(format!("{url}/graphql"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("send")
                .json()
                .await
                .expect("JSON");
            (n, answer["data"]["serviceCreate"]["service"]["id"].as_str().expect("id").to_owned())
        }
    });
    let mut requests = requests.buffer_unordered(IN_FLIGHT);
    while let Some((n, id)) = requests.next().await {
        created.insert(id);
        if n == CHANGES / 2 && is_postgres() {
            assert_eq!(
                terminate_listeners(&app).await,
                SERVERS,
                "one listener per server, each hearing directory changes"
            );
        }
    }
    let mut received = HashSet::new();
    let mut last = 0;
    while received.len() < CHANGES {
        let event = socket.next_of("1").await["data"]["events"].clone();
        let position = event["position"].as_i64().expect("position");
        assert!(position > last, "position {position} after {last}");
        last = position;
        let subject = event["subjectId"].as_str().expect("subject").to_owned();
        assert!(received.insert(subject.clone()), "{subject} arrived twice");
    }
    assert_eq!(received, created);
    socket.expect_silence(Duration::from_millis(500)).await;
    if is_postgres() {
        let back = Instant::now();
        while listeners(&app).await != SERVERS as i64 {
            assert!(
                back.elapsed() < Duration::from_secs(5),
                "the listener is back"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn a_deactivation_on_one_server_closes_sockets_on_another_and_sigterm_says_going_away() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("cluster").await;
    let database_url = app.database_url().to_owned();
    let one = Server::start(&database_url, &["--no-workers"]).await;
    let other = Server::start(&database_url, &["--no-workers"]).await;
    let create = "mutation { userCreate(input: { email: \"leaver@cluster.example\", displayName: \"Leaver\", role: VIEWER }) { user { id } } }";
    let leaver =
        app.data(&tenant.admin, create, json!({})).await["userCreate"]["user"]["id"].clone();
    let leaver_token = app.token(
        tenant.id,
        crate::support::decode_uuid(leaver.as_str().expect("id")),
    );
    let mut leaving = Socket::ready(&other.ws_url(), &leaver_token).await;
    let mut staying = Socket::ready(&other.ws_url(), &tenant.admin).await;
    let deactivate =
        "mutation($id: ID!) { userDeactivate(input: { id: $id }) { userErrors { code } } }";
    let answer =
        crate::support::post_as(&one.url, &tenant.admin, deactivate, json!({ "id": leaver })).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let closed = leaving.closed_within(Duration::from_secs(5)).await;
    assert_eq!(closed.code, 4403, "{closed:?}");
    other.terminate();
    let closed = staying.closed().await;
    assert_eq!(closed.code, 1001, "{closed:?}");
}
