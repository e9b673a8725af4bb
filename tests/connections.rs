//! Connections that never send a request, or never finish one, are closed on time and cannot
//! lock other clients out; over-size and trickled bodies get their answers.

use crate::support::{TestApp, spawn_app_with};
use debrief::config::ConnectionLimits;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_millis(800);
const KEEP_ALIVE: Duration = Duration::from_millis(2_500);
/// Room for scheduling on a busy test machine.
const SLACK: Duration = Duration::from_millis(1_500);

async fn app_with(limits: ConnectionLimits) -> TestApp {
    spawn_app_with(|mut config| {
        config.connections = limits;
        config.request_timeout = Duration::from_secs(2);
        config
    })
    .await
}

fn short_limits() -> ConnectionLimits {
    ConnectionLimits {
        header_read_timeout: HEADER_TIMEOUT,
        keep_alive_timeout: KEEP_ALIVE,
        max_connections: 512,
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.url.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn until_closed(mut stream: TcpStream, within: Duration) -> (String, Instant) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await
    .expect("the server closed the connection in time");
    (String::from_utf8_lossy(&received).into_owned(), closed)
}

async fn viewer_answers(app: &TestApp, token: &str) {
    let data = app.data(token, "{ viewer { role } }", json!({})).await;
    assert_eq!(data["viewer"]["role"], "ADMIN");
}

#[tokio::test]
async fn silent_and_half_sent_connections_are_closed_within_the_header_timeout() {
    let app = app_with(short_limits()).await;
    let tenant = app.create_tenant("acme").await;
    let opened = Instant::now();
    let mut streams = Vec::new();
    for index in 0..100 {
        let mut stream = connect(&app).await;
        if index % 2 == 1 {
            stream
                .write_all(b"POST /graphql HTTP/1.1\r\nHost: debrief\r\nContent-Type: appl")
                .await
                .expect("write half a head");
        }
        streams.push(stream);
    }
    viewer_answers(&app, &tenant.admin).await;
    let closings = streams
        .into_iter()
        .map(|stream| until_closed(stream, HEADER_TIMEOUT + SLACK));
    for (received, closed) in futures_util::future::join_all(closings).await {
        assert!(
            received.is_empty(),
            "nothing is answered to no request: {received}"
        );
        assert!(closed.duration_since(opened) >= HEADER_TIMEOUT);
    }
    viewer_answers(&app, &tenant.admin).await;
}

#[tokio::test]
async fn a_kept_alive_connection_may_idle_for_the_keep_alive_timeout_then_closes() {
    let app = app_with(short_limits()).await;
    let tenant = app.create_tenant("acme").await;
    let mut stream = connect(&app).await;
    let body = json!({ "query": "{ viewer { role } }" }).to_string();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: debrief\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        tenant.admin,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut buffer = [0u8; 8192];
    let read = stream.read(&mut buffer).await.expect("read the answer");
    let answered = Instant::now();
    assert!(String::from_utf8_lossy(&buffer[..read]).starts_with("HTTP/1.1 200"));
    // Past the header timeout, the served connection is still open...
    tokio::time::sleep(HEADER_TIMEOUT + Duration::from_millis(400)).await;
    let early = tokio::time::timeout(Duration::from_millis(10), stream.read(&mut buffer)).await;
    assert!(early.is_err(), "still open after {:?}", answered.elapsed());
    // ...and closes once it has idled for the keep-alive timeout.
    let (_, closed) = until_closed(stream, KEEP_ALIVE + SLACK).await;
    // The server's idle clock starts when it has written the answer, a little before this
    // client has read it on a busy machine; a close well before the timeout still fails.
    let idled = closed.duration_since(answered);
    assert!(
        idled >= KEEP_ALIVE - Duration::from_millis(250),
        "closed after {idled:?}"
    );
}

#[tokio::test]
async fn connections_past_the_cap_are_closed_at_once_and_later_ones_served() {
    let app = app_with(ConnectionLimits {
        max_connections: 4,
        ..short_limits()
    })
    .await;
    let tenant = app.create_tenant("acme").await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect(&app).await);
    }
    let refused = connect(&app).await;
    let started = Instant::now();
    let (_, closed) = until_closed(refused, HEADER_TIMEOUT).await;
    assert!(closed.duration_since(started) < HEADER_TIMEOUT);
    drop(held);
    let deadline = Instant::now() + SLACK;
    loop {
        let (status, _) = app
            .post(
                Some(&tenant.admin),
                json!({ "query": "{ viewer { role } }" }),
            )
            .await;
        if status == StatusCode::OK || Instant::now() > deadline {
            assert_eq!(status, StatusCode::OK);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn twenty_two_megabyte_bodies_each_get_413() {
    let app = app_with(short_limits()).await;
    let tenant = app.create_tenant("acme").await;
    let padding = "x".repeat(2 * 1024 * 1024);
    let body =
        json!({ "query": "{ viewer { role } }", "extensions": { "padding": padding } }).to_string();
    for attempt in 0..20 {
        let response = app
            .http
            .post(format!("{}/graphql", app.url))
            .bearer_auth(&tenant.admin)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|error| panic!("attempt {attempt}: {error}"));
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "attempt {attempt}"
        );
        let answer: Value = response.json().await.expect("json");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    viewer_answers(&app, &tenant.admin).await;
}

#[tokio::test]
async fn a_trickled_body_that_outlasts_the_request_timeout_gets_408() {
    let app = app_with(short_limits()).await;
    let tenant = app.create_tenant("acme").await;
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: debrief\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        tenant.admin
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("write the head");
    // One byte every 100 ms, until the server answers.
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) + SLACK {
        stream.write_all(b" ").await.expect("trickle a byte");
        if let Ok(read) =
            tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer)).await
        {
            let read = read.expect("read the answer");
            received.extend_from_slice(&buffer[..read]);
            break;
        }
    }
    let (rest, _) = until_closed(stream, SLACK).await;
    let received = String::from_utf8_lossy(&received).into_owned() + &rest;
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(received.contains("did not arrive"), "{received}");
}
