//! The `events` and `incident` subscriptions: a change arrives, a resumed subscription
//! misses nothing and repeats nothing, filters apply, and what falls behind or past
//! retention is told to resync.

use super::{EVENTS, add_entry, quick_sockets, settle, subscribed};
use crate::support::socket::Socket;
use crate::support::{TestApp, World};
use serde_json::{Value, json};
use std::time::Duration;

const FEED_END: &str = "query($after: String) { events(first: 100, after: $after) { edges { node { id position } } pageInfo { endCursor hasNextPage } } }";

/// The `endCursor` of the whole feed as `token` reads it.
async fn feed_end(app: &TestApp, token: &str) -> Value {
    let mut after = Value::Null;
    loop {
        let page = app.data(token, FEED_END, json!({ "after": after })).await;
        let info = &page["events"]["pageInfo"];
        if !info["endCursor"].is_null() {
            after = info["endCursor"].clone();
        }
        if info["hasNextPage"] != true {
            return after;
        }
    }
}

/// The next `events` message of operation `id`: the event, or the errors that ended it.
async fn next_event(socket: &mut Socket, id: &str) -> Value {
    socket.next_of(id).await["data"]["events"].clone()
}

#[tokio::test]
async fn a_subscriber_receives_each_change_as_it_is_committed() {
    let world = World::with(quick_sockets).await;
    let mut socket = subscribed(&world.app, &world.a.viewer, "1", json!({})).await;
    let entry = add_entry(&world.app, &world.a.editor, &world.a.incident_id, "now").await;
    let event = next_event(&mut socket, "1").await;
    assert_eq!(event["type"], "TIMELINE_EVENT_CREATED");
    assert_eq!(event["subjectId"], json!(entry));
    assert_eq!(event["incident"]["id"], json!(world.a.incident_id));
    // The event reads like the feed's own entry for it.
    let feed = app_feed_last(&world.app, &world.a.viewer).await;
    assert_eq!(feed["id"], event["id"]);
    assert_eq!(feed["position"], event["position"]);
}

async fn app_feed_last(app: &TestApp, token: &str) -> Value {
    let feed = crate::support::whole_feed(app, token, FEED_END).await;
    feed.last().expect("an event").clone()
}

#[tokio::test]
async fn resuming_after_a_cursor_replays_what_was_missed_then_goes_live() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let mark = feed_end(app, &a.viewer).await;
    let mut missed = Vec::new();
    for n in 0..5 {
        missed.push(add_entry(app, &a.editor, &a.incident_id, &format!("missed {n}")).await);
    }
    let mut socket = Socket::ready(&app.ws_url(), &a.viewer).await;
    socket
        .subscribe("r", EVENTS, json!({ "after": mark }))
        .await;
    // Written while the replay may still be running: still exactly once each.
    let during = add_entry(app, &a.editor, &a.incident_id, "during").await;
    let mut seen = Vec::new();
    let mut positions = Vec::new();
    while seen.len() < 6 {
        let event = next_event(&mut socket, "r").await;
        seen.push(event["subjectId"].as_str().expect("subject").to_owned());
        positions.push(event["position"].as_i64().expect("position"));
    }
    missed.push(during);
    assert_eq!(seen, missed);
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let live = add_entry(app, &a.editor, &a.incident_id, "live").await;
    assert_eq!(next_event(&mut socket, "r").await["subjectId"], json!(live));
    socket.expect_silence(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn an_events_cursor_resumes_after_that_event() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let mut socket = subscribed(app, &a.viewer, "1", json!({})).await;
    add_entry(app, &a.editor, &a.incident_id, "first").await;
    let first = next_event(&mut socket, "1").await;
    let second = add_entry(app, &a.editor, &a.incident_id, "second").await;
    let mut resumed = Socket::ready(&app.ws_url(), &a.viewer).await;
    resumed
        .subscribe("2", EVENTS, json!({ "after": first["cursor"] }))
        .await;
    assert_eq!(
        next_event(&mut resumed, "2").await["subjectId"],
        json!(second)
    );
}

#[tokio::test]
async fn filters_narrow_the_subscription_to_types_and_an_incident() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let by_type = json!({ "filter": { "types": ["INCIDENT_UPDATED"] } });
    let mut updates = subscribed(app, &a.viewer, "t", by_type).await;
    let other = app
        .data(&a.admin, "mutation { incidentCreate(input: { title: \"Other\", severity: SEV3, startedAt: \"2026-01-10T10:00:00Z\" }) { incident { id } } }", json!({}))
        .await["incidentCreate"]["incident"]["id"]
        .clone();
    let by_incident = json!({ "filter": { "incidentId": other } });
    let mut other_only = subscribed(app, &a.viewer, "i", by_incident).await;
    add_entry(app, &a.editor, &a.incident_id, "not an update").await;
    let other_entry = add_entry(app, &a.editor, other.as_str().expect("id"), "other").await;
    let retitle = "mutation($id: ID!, $v: Int!) { incidentUpdate(input: { id: $id, version: $v, title: \"Renamed\" }) { userErrors { code } } }";
    app.data(
        &a.editor,
        retitle,
        json!({ "id": a.incident_id, "v": a.incident_version }),
    )
    .await;
    let update = next_event(&mut updates, "t").await;
    assert_eq!(update["type"], "INCIDENT_UPDATED");
    assert_eq!(update["subjectId"], json!(a.incident_id));
    updates.expect_silence(Duration::from_millis(300)).await;
    assert_eq!(
        next_event(&mut other_only, "i").await["subjectId"],
        json!(other_entry)
    );
    other_only.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn the_incident_subscription_emits_now_and_after_each_change() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let mut socket = Socket::ready(&app.ws_url(), &a.viewer).await;
    let query =
        "subscription($id: ID!) { incident(id: $id) { id version title timeline { totalCount } } }";
    socket
        .subscribe("i", query, json!({ "id": a.incident_id }))
        .await;
    let now = &socket.next_of("i").await["data"]["incident"];
    assert_eq!(now["version"], json!(a.incident_version));
    assert_eq!(now["timeline"]["totalCount"], 0);
    add_entry(app, &a.editor, &a.incident_id, "change").await;
    let changed = &socket.next_of("i").await["data"]["incident"];
    assert_eq!(changed["timeline"]["totalCount"], 1);
    // Another incident's changes do not concern this subscription.
    app.data(&a.admin, "mutation { incidentCreate(input: { title: \"Elsewhere\", severity: SEV3, startedAt: \"2026-01-10T10:00:00Z\" }) { incident { id } } }", json!({}))
        .await;
    socket.expect_silence(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn an_incident_the_subscriber_cannot_see_is_not_found() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let query = "subscription($id: ID!) { incident(id: $id) { id title } }";
    for (token, incident) in [
        (&a.client, &a.incident_id),
        (&world.b.viewer, &a.incident_id),
    ] {
        let mut socket = Socket::ready(&app.ws_url(), token).await;
        socket
            .subscribe("i", query, json!({ "id": incident }))
            .await;
        let payload = socket.next_of("i").await;
        assert_eq!(
            payload["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{payload}"
        );
        assert!(!payload.to_string().contains("Checkout"), "{payload}");
        assert_eq!(
            socket.message().await.expect("complete")["type"],
            "complete"
        );
    }
}

#[tokio::test]
async fn a_cursor_past_retention_ends_the_subscription_with_resync_required() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let first_page = "{ events(first: 1) { pageInfo { endCursor } } }";
    let stale =
        app.data(&a.admin, first_page, json!({})).await["events"]["pageInfo"]["endCursor"].clone();
    app.purge_every_event().await;
    let mut socket = Socket::ready(&app.ws_url(), &a.admin).await;
    socket
        .subscribe("1", EVENTS, json!({ "after": stale }))
        .await;
    let payload = socket.next_of("1").await;
    assert_eq!(
        payload["errors"][0]["extensions"]["code"], "RESYNC_REQUIRED",
        "{payload}"
    );
    assert_eq!(
        socket.message().await.expect("complete")["type"],
        "complete"
    );
}

/// Changes made while a slow subscriber does not read.
const PILE: usize = 100;

#[tokio::test]
async fn a_subscriber_too_slow_to_keep_up_is_told_to_resync() {
    let world = World::with(|config| {
        let mut config = quick_sockets(config);
        config.live.buffered_batches = 4;
        // The test does not read for a while: no keep-alive may end the socket meanwhile.
        config.live.ping_interval = Duration::from_secs(60);
        config
    })
    .await;
    let (app, a) = (&world.app, &world.a);
    let huge = "漢".repeat(10_000);
    let summary = "mutation($id: ID!, $v: Int!, $s: String!) { incidentUpdate(input: { id: $id, version: $v, summary: $s }) { incident { version } userErrors { code message } } }";
    let saved = app
        .data(
            &a.editor,
            summary,
            json!({ "id": a.incident_id, "v": a.incident_version, "s": huge }),
        )
        .await;
    assert_eq!(saved["incidentUpdate"]["userErrors"], json!([]), "{saved}");
    // Each message carries the 30 kB summary five times; the socket is not read while they
    // pile up.
    let mut socket = Socket::ready_with_small_buffers(&app.ws_url(), &a.viewer).await;
    let heavy = "subscription { events { position a: incident { summary } b: incident { summary } c: incident { summary } d: incident { summary } e: incident { summary } } }";
    socket.subscribe("slow", heavy, json!({})).await;
    settle().await;
    for n in 0..PILE {
        add_entry(app, &a.editor, &a.incident_id, &format!("pile {n}")).await;
    }
    let mut delivered = 0;
    let ended = loop {
        let payload = socket.next_of("slow").await;
        if payload.get("errors").is_some() {
            break payload;
        }
        delivered += 1;
    };
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "RESYNC_REQUIRED",
        "{ended}"
    );
    assert!(delivered < PILE, "{delivered} delivered before the resync");
    assert_eq!(
        socket.message().await.expect("complete")["type"],
        "complete"
    );
}

#[tokio::test]
async fn bad_arguments_are_refused_as_over_http() {
    let world = World::with(quick_sockets).await;
    let (app, a) = (&world.app, &world.a);
    let other_tenants_cursor = feed_end(app, &world.b.admin).await;
    let incident = "subscription($id: ID!) { incident(id: $id) { id } }";
    // An id that names nothing is NOT_FOUND, as the `incident` query answers it.
    let cases = [
        (EVENTS, json!({ "after": "not-a-cursor" }), "BAD_USER_INPUT"),
        (
            EVENTS,
            json!({ "after": other_tenants_cursor }),
            "BAD_USER_INPUT",
        ),
        (
            EVENTS,
            json!({ "filter": { "incidentId": "not-an-id" } }),
            "BAD_USER_INPUT",
        ),
        (incident, json!({ "id": "not-an-id" }), "NOT_FOUND"),
    ];
    for (n, (query, variables, code)) in cases.into_iter().enumerate() {
        let mut socket = Socket::ready(&app.ws_url(), &a.viewer).await;
        let id = n.to_string();
        socket.subscribe(&id, query, variables.clone()).await;
        let payload = socket.next_of(&id).await;
        assert_eq!(
            payload["errors"][0]["extensions"]["code"], code,
            "{variables}: {payload}"
        );
        assert_eq!(
            socket.message().await.expect("complete")["type"],
            "complete",
            "{variables}"
        );
    }
}
