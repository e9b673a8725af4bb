//! Isolation: three tenants × five roles subscribed at once while random mutations run in
//! every tenant as every role. Each subscriber receives exactly what the same token reads
//! from the `events` query, nothing of another tenant, and no internal text.

use super::quick_sockets;
use crate::support::sentinel::{self, SENTINEL};
use crate::support::socket::Socket;
use crate::support::{TenantWorld, TestApp, World, populate};
use serde_json::{Value, json};
use std::time::Duration;

const FIELDS: &str = "id type position cursor occurredAt actor { id } incident { id } subjectId subject { id __typename ... on TimelineEvent { body } ... on RootCause { internalAnalysis } } changedFields deadline";

const RANDOM_MUTATIONS: usize = 60;

/// One subscriber: where it belongs, and what its tenant's feed held when it started.
struct Subscriber {
    tenant: &'static str,
    role: &'static str,
    token: String,
    mark: i64,
    /// A cursor of the feed at `mark`, to subscribe again from there.
    mark_cursor: Value,
    socket: Socket,
}

/// A small deterministic generator, so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % sides as u64) as usize
    }
}

/// The position and cursor of the last event of the feed `admin` reads.
async fn feed_end(app: &TestApp, admin: &str) -> (i64, Value) {
    let feed = feed(app, admin).await;
    let last = feed.last().expect("the tenant's creation wrote events");
    (
        last["position"].as_i64().expect("position"),
        last["cursor"].clone(),
    )
}

/// Every event `token` reads over HTTP, with [`FIELDS`]; fields it may not read are null,
/// as they are in what it is sent live.
async fn feed(app: &TestApp, token: &str) -> Vec<Value> {
    let (mut events, mut after) = (Vec::new(), Value::Null);
    loop {
        let body = app
            .gql(token, &feed_query(), json!({ "after": after }))
            .await;
        let page = &body["data"]["events"];
        let nodes = page["edges"].as_array().into_iter().flatten();
        events.extend(nodes.map(|edge| edge["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != true {
            return events;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

fn feed_query() -> String {
    format!(
        "query($after: String) {{ events(first: 100, after: $after) {{ edges {{ node {{ {FIELDS} }} }} pageInfo {{ endCursor hasNextPage }} }} }}"
    )
}

/// One random change in `tenant` as `token`; refusals are part of the mix.
async fn random_change(
    app: &TestApp,
    (name, tenant): (&str, &TenantWorld),
    token: &str,
    dice: &mut Dice,
    n: usize,
) {
    let secret = format!("{} {n}", own_marker(name));
    let (query, variables) = match dice.roll(4) {
        0 => (
            crate::support::record::TIMELINE_CREATE,
            json!({ "input": { "incidentId": tenant.incident_id, "occurredAt": "2026-03-01T10:05:00Z", "kind": "NOTE", "body": secret, "visibility": "INTERNAL" } }),
        ),
        1 => (
            crate::support::record::ROOT_CAUSE_CREATE,
            json!({ "input": { "incidentId": tenant.incident_id, "kind": "CONTRIBUTING_FACTOR", "category": "SECURITY", "internalAnalysis": secret } }),
        ),
        2 => (
            "mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { userErrors { code } } }",
            json!({ "input": { "name": format!("Service {n}") } }),
        ),
        _ => (
            "mutation($input: FeedbackSubmitInput!) { feedbackSubmit(input: $input) { userErrors { code } } }",
            json!({ "input": { "incidentId": tenant.incident_id, "kind": "QUESTION", "body": secret } }),
        ),
    };
    app.gql(token, query, variables).await;
}

/// The marker in the internal text of `tenant`'s random changes.
fn own_marker(tenant: &str) -> String {
    format!("{SENTINEL} of {tenant}:")
}

/// The parts of an event that do not change after it was sent: its subject's text may.
fn settled(event: &Value) -> Value {
    let mut event = event.clone();
    if let Some(subject) = event.get_mut("subject").and_then(Value::as_object_mut) {
        subject.retain(|key, _| key == "id" || key == "__typename");
    }
    event
}

#[tokio::test]
async fn every_subscriber_receives_exactly_its_own_feed_and_no_internal_text() {
    // The sockets are read only at the end: no keep-alive may drop them meanwhile.
    let world = World::with(|config| {
        let mut config = quick_sockets(config);
        config.live.ping_interval = Duration::from_secs(120);
        config
    })
    .await;
    let app = &world.app;
    let c = populate(app, "tenant-c").await;
    let tenants = [("a", &world.a), ("b", &world.b), ("c", &c)];
    let subscription = format!("subscription {{ events {{ {FIELDS} }} }}");
    let mut subscribers = Vec::new();
    for (name, tenant) in tenants {
        let (mark, mark_cursor) = feed_end(app, &tenant.admin).await;
        for (role, token) in tenant.tokens() {
            let mut socket = Socket::ready(&app.ws_url(), token).await;
            socket.subscribe("1", &subscription, json!({})).await;
            let mark_cursor = mark_cursor.clone();
            subscribers.push(Subscriber {
                tenant: name,
                role,
                token: token.to_owned(),
                mark,
                mark_cursor,
                socket,
            });
        }
    }
    super::settle().await;
    let mut dice = Dice(17);
    for n in 0..RANDOM_MUTATIONS {
        let (name, tenant) = tenants[dice.roll(3)];
        let (_, token) = tenant.tokens()[dice.roll(5)];
        random_change(app, (name, tenant), token, &mut dice, n).await;
    }
    sentinel::plant(&world).await;
    let (mut client_of_a_received, mut staff_of_a_read_text) = (0, false);
    for subscriber in &mut subscribers {
        let who = format!("{} of tenant {}", subscriber.role, subscriber.tenant);
        let mut drained = subscriber
            .socket
            .drain("1", Duration::from_millis(1500))
            .await;
        if drained.closed {
            // Planting binds tenant a's CLIENT user to the record's client, which closes its
            // socket; from where it started, it then reads the feed of its new binding.
            assert_eq!(
                who, "CLIENT of tenant a",
                "only a changed user's socket closes"
            );
            let mut again = Socket::ready(&app.ws_url(), &subscriber.token).await;
            let resume =
                format!("subscription($after: String) {{ events(after: $after) {{ {FIELDS} }} }}");
            again
                .subscribe("1", &resume, json!({ "after": subscriber.mark_cursor }))
                .await;
            drained = again.drain("1", Duration::from_millis(1500)).await;
            assert!(!drained.closed, "{who}");
        }
        let (payloads, raw) = (drained.payloads, drained.raw);
        let received: Vec<Value> = payloads
            .iter()
            .map(|p| settled(&p["data"]["events"]))
            .collect();
        let expected: Vec<Value> = feed(app, &subscriber.token)
            .await
            .iter()
            .filter(|e| e["position"].as_i64() > Some(subscriber.mark))
            .map(settled)
            .collect();
        assert_eq!(
            received, expected,
            "{who} receives exactly what it reads over HTTP"
        );
        // Staff read their own tenant's internal text (tenant a's holds every planted
        // marker); nobody reads another tenant's, and other roles read none.
        let staff = ["ADMIN", "EDITOR", "VIEWER"].contains(&subscriber.role);
        let staff_of_a = staff && subscriber.tenant == "a";
        for other in ["a", "b", "c"].iter().filter(|t| **t != subscriber.tenant) {
            assert!(
                !raw.contains(&own_marker(other)),
                "{who} received tenant {other}'s text"
            );
        }
        if staff_of_a {
            staff_of_a_read_text |= raw.contains(SENTINEL);
        } else {
            let foreign = if staff {
                raw.replace(&own_marker(subscriber.tenant), "")
            } else {
                raw
            };
            assert!(
                !foreign.contains(SENTINEL),
                "{who} received text it may not read: {foreign}"
            );
        }
        if subscriber.tenant == "a" && subscriber.role == "CLIENT" {
            client_of_a_received = received.len();
        }
    }
    // Neither check above holds vacuously.
    assert!(
        client_of_a_received > 0,
        "the client of tenant a is told of its publication"
    );
    assert!(
        staff_of_a_read_text,
        "staff of tenant a read the internal text they may read"
    );
}
