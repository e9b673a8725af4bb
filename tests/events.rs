//! The event feed (DESIGN.md section 8): commit order for readers that page on, what each
//! role may read, and the rule publication and incident updates must keep together.

use crate::support::database::is_postgres;
use crate::support::record::{self, TIMELINE_CREATE, mutate};
use crate::support::{TestApp, World, user_error_codes};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

const FEED: &str = "query($after: String) { events(first: 100, after: $after) { edges { cursor node { id type position subjectId changedFields } } pageInfo { endCursor } } }";

/// A reader of the feed: pages on from its last cursor.
struct Reader {
    cursor: Option<String>,
    seen: Vec<Value>,
}

impl Reader {
    fn new() -> Self {
        Self {
            cursor: None,
            seen: Vec::new(),
        }
    }

    /// Reads every page after the cursor and returns the events it got.
    async fn page_on(&mut self, app: &TestApp, token: &str) -> Vec<Value> {
        let mut got = Vec::new();
        loop {
            let data = app.data(token, FEED, json!({ "after": self.cursor })).await;
            let edges = data["events"]["edges"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if edges.is_empty() {
                break;
            }
            self.cursor = data["events"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned);
            got.extend(edges.into_iter().map(|edge| edge["node"].clone()));
        }
        self.seen.extend(got.iter().cloned());
        got
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().filter_map(|e| e["type"].as_str()).collect()
}

/// Holds the write lock SQLite has one of, or on PostgreSQL the lock of one timeline row.
async fn hold_lock(app: &TestApp, timeline_id: &str) -> DatabaseTransaction {
    let txn = app
        .owner_db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await
        .expect("begin");
    if is_postgres() {
        let id = crate::support::decode_uuid(timeline_id);
        txn.execute_unprepared(&format!(
            "SELECT id FROM timeline_events WHERE id = '{id}' FOR UPDATE"
        ))
        .await
        .expect("lock the row");
    }
    txn
}

#[tokio::test]
async fn a_reader_paging_on_gets_the_event_of_a_transaction_that_began_first_and_committed_last() {
    // No budgets: on SQLite charging one is a write, and the reader's requests would then
    // queue behind the lock this test holds, like every writer's.
    let world = World::with(|config| debrief::config::Config {
        rate_limits: debrief::domain::rate_limit::Budgets {
            per_caller: None,
            per_tenant: None,
        },
        ..config
    })
    .await;
    let (app, token) = (&world.app, world.a.editor.clone());
    let incident = world.a.incident_id.clone();
    let entry = |body: &str| json!({ "incidentId": incident, "occurredAt": "2026-03-01T09:10:00Z", "kind": "NOTE", "body": body, "visibility": "INTERNAL" });
    let first = mutate(
        app,
        &token,
        TIMELINE_CREATE,
        entry("first"),
        "timelineEventCreate",
        "timelineEvent",
    )
    .await;
    let mut reader = Reader::new();
    reader.page_on(app, &world.a.admin).await;

    let lock = hold_lock(app, &first).await;
    let update = "mutation($id: ID!) { timelineEventUpdate(input: { id: $id, body: \"edited\" }) { userErrors { code } } }";
    let a = {
        let (app_url, token, first) = (app.url.clone(), token.clone(), first.clone());
        tokio::spawn(async move {
            crate::support::post_as(&app_url, &token, update, json!({ "id": first })).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !a.is_finished(),
        "A waits on the lock inside its transaction"
    );
    let b = {
        let (app_url, token, body) = (app.url.clone(), token.clone(), entry("second"));
        tokio::spawn(async move {
            crate::support::post_as(&app_url, &token, TIMELINE_CREATE, json!({ "input": body }))
                .await
        })
    };
    if is_postgres() {
        b.await.expect("B");
        assert_eq!(
            types(&reader.page_on(app, &world.a.admin).await),
            ["TIMELINE_EVENT_CREATED"],
            "B committed while A still runs"
        );
        lock.commit().await.expect("release");
        a.await.expect("A");
    } else {
        // SQLite has one writer: B queues behind the lock as A does, and nothing is visible.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(reader.page_on(app, &world.a.admin).await.is_empty());
        lock.commit().await.expect("release");
        a.await.expect("A");
        b.await.expect("B");
    }
    reader.page_on(app, &world.a.admin).await;
    let after: HashSet<&str> = reader
        .seen
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert!(
        after.contains("TIMELINE_EVENT_UPDATED"),
        "A's event reached the reader: {:?}",
        reader.seen
    );
    assert_eq!(
        reader
            .seen
            .iter()
            .filter(|e| e["type"] == "TIMELINE_EVENT_CREATED")
            .count(),
        2,
        "both creations, each once"
    );
    let positions: Vec<i64> = reader
        .seen
        .iter()
        .filter_map(|e| e["position"].as_i64())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[tokio::test]
async fn four_writers_and_a_paging_reader_see_every_event_exactly_once() {
    let world = World::new().await;
    let app = &world.app;
    let mut reader = Reader::new();
    reader.page_on(app, &world.a.admin).await;
    let before = reader.seen.len();
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let (url, token, incident) = (app.url.clone(), world.a.editor.clone(), world.a.incident_id.clone());
            tokio::spawn(async move {
                for i in 0..250 {
                    let input = json!({ "incidentId": incident, "occurredAt": "2026-03-01T09:10:00Z", "kind": "NOTE", "body": format!("writer {writer} entry {i}"), "visibility": "INTERNAL" });
                    let body = crate::support::post_as(&url, &token, TIMELINE_CREATE, json!({ "input": input })).await;
                    assert_eq!(body["data"]["timelineEventCreate"]["userErrors"], json!([]), "{body}");
                }
            })
        })
        .collect();
    while !writers.iter().all(|w| w.is_finished()) {
        reader.page_on(app, &world.a.admin).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    reader.page_on(app, &world.a.admin).await;
    let new = &reader.seen[before..];
    let ids: HashSet<&str> = new.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(new.len(), 1000, "every event arrived");
    assert_eq!(ids.len(), 1000, "and none twice");
    let mut fresh = Reader::new();
    fresh.page_on(app, &world.a.admin).await;
    assert_eq!(
        fresh.seen, reader.seen,
        "the paging reader saw what a later reader sees"
    );
}

/// A directory write holds the tenant row until its commit, where it waits for the event
/// counter. A write holding the counter (the deadline scheduler holds it while it decides
/// what to write) checks its rows' keys against the tenant row. Neither may wait for the
/// other: with the tenant row locked FOR UPDATE this was a deadlock, one write aborted as
/// INTERNAL. Row locks are PostgreSQL's; SQLite runs one writer at a time, so only
/// PostgreSQL can interleave them.
#[tokio::test]
async fn a_directory_write_never_deadlocks_with_a_write_holding_the_event_counter() {
    let world = World::new().await;
    let app = &world.app;
    if !is_postgres() {
        return;
    }
    let tenant = crate::support::decode_uuid(&world.a.tenant_node_id);
    let counter_holder = app.owner_db.begin().await.expect("begin");
    counter_holder
        .execute_unprepared(&format!(
            "SELECT last_position FROM event_sequences WHERE tenant_id = '{tenant}' FOR UPDATE"
        ))
        .await
        .expect("hold the counter");
    let (url, token) = (app.url.clone(), world.a.admin.clone());
    let directory_write = tokio::spawn(async move {
        let create =
            "mutation { serviceCreate(input: { name: \"Racing\" }) { userErrors { code } } }";
        crate::support::post_as(&url, &token, create, json!({})).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    counter_holder
        .execute_unprepared(&format!("INSERT INTO services (tenant_id, id, name, created_at, updated_at) VALUES ('{tenant}', '{}', 'Held', now(), now())", uuid::Uuid::now_v7()))
        .await
        .expect("the counter's holder checks its key on the tenant row without waiting");
    counter_holder.commit().await.expect("commit");
    let body = directory_write.await.expect("the directory write");
    assert_eq!(
        body["data"]["serviceCreate"]["userErrors"],
        json!([]),
        "{body}"
    );
}

const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code message } } }";
const UNPUBLISH: &str = "mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: \"corrections\" }) { userErrors { code } } }";
const REOPEN: &str = "mutation($id: ID!, $version: Int!) { incidentUpdate(input: { id: $id, version: $version, status: MONITORING, resolvedAt: null }) { userErrors { code message } } }";
const RESOLVE: &str = "mutation($id: ID!, $version: Int!) { incidentUpdate(input: { id: $id, version: $version, status: RESOLVED, resolvedAt: \"2026-03-01T11:00:00Z\" }) { userErrors { code message } } }";
const STATE: &str = "query($id: ID!) { node(id: $id) { ... on Incident { status version postMortem { status } } } }";

/// Holds the tenant row's lock, which publication and incident updates both queue on.
async fn hold_tenant(app: &TestApp, tenant_id: uuid::Uuid) -> DatabaseTransaction {
    let txn = app.owner_db.begin().await.expect("begin");
    txn.execute_unprepared(&format!(
        "SELECT id FROM tenants WHERE id = '{tenant_id}' FOR UPDATE"
    ))
    .await
    .expect("lock the tenant");
    txn
}

#[tokio::test]
async fn a_published_post_mortems_incident_stays_resolved_in_every_forced_interleaving() {
    if !is_postgres() {
        return; // SQLite runs one writer at a time: there is no interleaving to force.
    }
    let app = crate::support::spawn_app().await;
    let tenant = app.create_tenant("race").await;
    let token = tenant.admin.clone();
    let record = record::build(&app, &token, 3).await;
    for publish_first in [true, false, true, false] {
        let state = app
            .data(&token, STATE, json!({ "id": record.incident_id }))
            .await;
        let version = state["node"]["version"].as_i64().expect("version");
        let lock = hold_tenant(&app, tenant.id).await;
        let publish = {
            let (url, token, id) = (
                app.url.clone(),
                token.clone(),
                record.post_mortem_id.clone(),
            );
            async move { crate::support::post_as(&url, &token, PUBLISH, json!({ "id": id })).await }
        };
        let reopen = {
            let (url, token, id) = (app.url.clone(), token.clone(), record.incident_id.clone());
            async move {
                crate::support::post_as(
                    &url,
                    &token,
                    REOPEN,
                    json!({ "id": id, "version": version }),
                )
                .await
            }
        };
        let (first, second) = if publish_first {
            (tokio::spawn(publish), tokio::spawn(reopen))
        } else {
            (tokio::spawn(reopen), tokio::spawn(publish))
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let _ = &second;
        lock.commit().await.expect("release");
        let (first, second) = (first.await.expect("first"), second.await.expect("second"));
        let state = app
            .data(&token, STATE, json!({ "id": record.incident_id }))
            .await;
        let node = &state["node"];
        if node["postMortem"]["status"] == "PUBLISHED" {
            assert_eq!(node["status"], "RESOLVED", "{first} {second}");
        }
        let saved = [&first, &second]
            .iter()
            .filter(|body| {
                body["data"]
                    .as_object()
                    .into_iter()
                    .flat_map(|d| d.values())
                    .all(|p| p["userErrors"] == json!([]))
            })
            .count();
        assert_eq!(saved, 1, "exactly one of the two wins: {first} {second}");
        restore(&app, &token, &record).await;
    }
}

/// Back to a resolved incident with a DRAFT post-mortem.
async fn restore(app: &TestApp, token: &str, record: &record::Record) {
    app.data(token, UNPUBLISH, json!({ "id": record.post_mortem_id }))
        .await;
    let state = app
        .data(token, STATE, json!({ "id": record.incident_id }))
        .await;
    if state["node"]["status"] != "RESOLVED" {
        let version = state["node"]["version"].as_i64().expect("version");
        let done = app
            .data(
                token,
                RESOLVE,
                json!({ "id": record.incident_id, "version": version }),
            )
            .await;
        assert_eq!(
            user_error_codes(&done["incidentUpdate"]),
            Vec::<String>::new(),
            "{done}"
        );
    }
}

const FULL_FEED: &str = "query($after: String) { events(first: 100, after: $after) { edges { node { id type position occurredAt actor { id } incident { id } subjectId subject { id __typename } changedFields deadline } } pageInfo { endCursor hasNextPage } } }";

/// Every event `token` may read, with every field.
async fn whole_feed(app: &TestApp, token: &str) -> Vec<Value> {
    crate::support::whole_feed(app, token, FULL_FEED).await
}

#[tokio::test]
async fn no_event_holds_text_and_a_client_reads_only_what_concerns_it() {
    let world = World::new().await;
    let (app, admin) = (&world.app, world.a.admin.clone());
    let record = crate::support::sentinel::plant(&world).await;
    for (role, token) in world.a.tokens() {
        let feed = whole_feed(app, token).await;
        assert!(!feed.is_empty(), "{role} reads events");
        let text = serde_json::to_string(&feed).expect("JSON");
        assert!(
            !text.contains(crate::support::sentinel::SENTINEL),
            "{role}'s feed holds internal text: {text}"
        );
    }
    let client_feed = whole_feed(app, &world.a.client).await;
    assert_eq!(
        types(&client_feed),
        [
            "POST_MORTEM_PUBLISHED",
            "MEASURE_COMPLETED",
            "FEEDBACK_REPLIED",
            "POST_MORTEM_REVIEWED"
        ],
        "only the four client types, only about its published incident, only staff replies"
    );
    assert!(
        client_feed.iter().all(|e| e["actor"].is_null()),
        "clients are not told who"
    );
    assert!(
        client_feed
            .iter()
            .all(|e| e["incident"]["id"] == json!(record.incident_id))
    );
    assert!(
        whole_feed(app, &world.b.client).await.is_empty(),
        "another tenant's client reads nothing"
    );
    let admin_feed = whole_feed(app, &admin).await;
    assert!(
        admin_feed.len() > client_feed.len() + 20,
        "staff read everything"
    );
    assert!(
        admin_feed.iter().all(
            |e| e["actor"]["id"].is_string() || e["subjectId"] == json!(world.a.tenant_node_id)
        ),
        "staff are told who made each change but the operator's tenant creation"
    );
}

#[tokio::test]
async fn a_cursor_older_than_what_retention_kept_must_resync() {
    let world = World::new().await;
    let app = &world.app;
    let first_page = "{ events(first: 2) { pageInfo { endCursor } } }";
    let data = app.data(&world.a.admin, first_page, json!({})).await;
    let stale = data["events"]["pageInfo"]["endCursor"].clone();
    app.purge_every_event().await;
    let body = app
        .gql(&world.a.admin, FEED, json!({ "after": stale }))
        .await;
    assert_eq!(
        crate::support::error_codes(&body),
        ["RESYNC_REQUIRED"],
        "{body}"
    );
    let fresh = app
        .data(&world.a.admin, FEED, json!({ "after": null }))
        .await;
    assert_eq!(
        fresh["events"]["edges"],
        json!([]),
        "every aged event was purged"
    );
    let title = "mutation($id: ID!) { incidentUpdate(input: { id: $id, version: 1, title: \"Retitled\" }) { userErrors { code } } }";
    app.data(&world.a.admin, title, json!({ "id": world.a.incident_id }))
        .await;
    let mut reader = Reader::new();
    assert_eq!(
        types(&reader.page_on(app, &world.a.admin).await),
        ["INCIDENT_UPDATED"]
    );
    let other = app
        .data(
            &world.b.admin,
            "{ events(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        other["events"]["totalCount"], 0,
        "the pass purged every tenant"
    );
}

#[tokio::test]
async fn another_tenants_events_answer_not_found_and_never_reach_its_feed() {
    let world = World::new().await;
    let app = &world.app;
    let own = whole_feed(app, &world.a.admin).await;
    let a_ids: HashSet<&str> = own.iter().filter_map(|e| e["id"].as_str()).collect();
    assert!(!a_ids.is_empty());
    let any_a_event = own[0]["id"].clone();
    for (role, token) in world.b.tokens() {
        let body = app
            .gql(
                token,
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": any_a_event }),
            )
            .await;
        assert_eq!(
            crate::support::error_codes(&body),
            ["NOT_FOUND"],
            "node as {role}: {body}"
        );
        let feed = whole_feed(app, token).await;
        assert!(
            feed.iter()
                .all(|e| !a_ids.contains(e["id"].as_str().unwrap_or_default())),
            "{role} of tenant B reads tenant A's events"
        );
    }
}

#[tokio::test]
async fn bad_feed_arguments_are_refused_with_bad_user_input() {
    let world = World::new().await;
    let app = &world.app;
    let before = whole_feed(app, &world.a.admin).await.len();
    let many_types = vec!["INCIDENT_CREATED"; 65].join(", ");
    let cases = [
        (
            "{ events(first: 0) { totalCount } }".to_owned(),
            "first below 1",
        ),
        (
            "{ events(first: 101) { totalCount } }".to_owned(),
            "first above 100",
        ),
        (
            "{ events(after: \"not-a-cursor\") { totalCount } }".to_owned(),
            "a tampered cursor",
        ),
        (
            "{ events(filter: { incidentId: \"garbage\" }) { totalCount } }".to_owned(),
            "a malformed incident id",
        ),
        (
            format!(
                "{{ events(filter: {{ incidentId: \"{}\" }}) {{ totalCount }} }}",
                world.a.client_id
            ),
            "an id of another type",
        ),
        (
            format!("{{ events(filter: {{ types: [{many_types}] }}) {{ totalCount }} }}"),
            "65 types",
        ),
        (
            "{ events(filter: { since: \"yesterday\" }) { totalCount } }".to_owned(),
            "a time that is not RFC 3339",
        ),
    ];
    for (query, what) in cases {
        let body = app.gql(&world.a.admin, &query, json!({})).await;
        assert_eq!(
            crate::support::error_codes(&body),
            ["BAD_USER_INPUT"],
            "{what}: {body}"
        );
    }
    let other_tenant = app
        .data(
            &world.b.admin,
            "query($id: ID!) { events(filter: { incidentId: $id }) { totalCount } }",
            json!({ "id": world.a.incident_id }),
        )
        .await;
    assert_eq!(
        other_tenant["events"]["totalCount"], 0,
        "another tenant's incident matches nothing"
    );
    assert_eq!(
        whole_feed(app, &world.a.admin).await.len(),
        before,
        "reading wrote nothing"
    );
}
