//! Authentication lasts as long as the socket: an expired token, a deactivated user and a
//! changed role close it (4403); sockets count per user; a CLIENT sees only its own events.

use super::{add_entry, quick_sockets, subscribed};
use crate::support::record;
use crate::support::socket::Socket;
use crate::support::{World, decode_uuid};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const USER_UPDATE: &str =
    "mutation($input: UserUpdateInput!) { userUpdate(input: $input) { userErrors { code } } }";
const DEACTIVATE: &str =
    "mutation($id: ID!) { userDeactivate(input: { id: $id }) { userErrors { code } } }";
const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }";

/// The global id of the user `token` signs in.
async fn user_id(world: &World, token: &str) -> Value {
    world
        .app
        .data(token, "{ viewer { user { id } } }", json!({}))
        .await["viewer"]["user"]["id"]
        .clone()
}

/// A record whose impacted client tenant a's CLIENT user is bound to (unpublished).
async fn record_of_the_client(world: &World) -> record::Record {
    let record = record::build(&world.app, &world.a.admin, 1).await;
    let client_user = user_id(world, &world.a.client).await;
    let rebind = json!({ "input": { "id": client_user, "clientId": record.client_id } });
    world.app.data(&world.a.admin, USER_UPDATE, rebind).await;
    record
}

#[tokio::test]
async fn an_expiring_token_closes_its_socket_within_a_second() {
    let world = World::with(quick_sockets).await;
    let viewer = user_id(&world, &world.a.viewer).await;
    let tenant = decode_uuid(&world.a.tenant_node_id);
    let ttl = Duration::from_secs(2);
    let signed = Instant::now();
    let token = world
        .app
        .token_for(tenant, decode_uuid(viewer.as_str().expect("id")), ttl);
    let mut socket = subscribed(&world.app, &token, "1", json!({})).await;
    let closed = socket.closed().await;
    let lived = signed.elapsed();
    assert_eq!(closed.code, 4403, "{closed:?}");
    assert!(closed.reason.contains("expired"), "{closed:?}");
    // `exp` is in whole seconds, so it falls up to a second before `signed + ttl`.
    assert!(
        lived >= ttl - Duration::from_secs(1),
        "closed after {lived:?}"
    );
    assert!(
        lived <= ttl + Duration::from_secs(1),
        "closed after {lived:?}"
    );
}

#[tokio::test]
async fn deactivating_a_user_closes_their_sockets_and_no_one_elses() {
    let world = World::with(quick_sockets).await;
    let viewer = user_id(&world, &world.a.viewer).await;
    let mut theirs = subscribed(&world.app, &world.a.viewer, "1", json!({})).await;
    let mut also_theirs = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    let mut someone_elses = subscribed(&world.app, &world.a.editor, "1", json!({})).await;
    let deactivated = Instant::now();
    world
        .app
        .data(&world.a.admin, DEACTIVATE, json!({ "id": viewer }))
        .await;
    for socket in [&mut theirs, &mut also_theirs] {
        let closed = socket.closed_within(Duration::from_secs(5)).await;
        assert_eq!(closed.code, 4403, "{closed:?}");
    }
    assert!(deactivated.elapsed() < Duration::from_secs(5));
    // The editor's socket is untouched: it still receives what happens.
    let directory_change = someone_elses.next_of("1").await;
    assert_eq!(
        directory_change["data"]["events"]["type"],
        "DIRECTORY_CHANGED"
    );
    let entry = add_entry(
        &world.app,
        &world.a.editor,
        &world.a.incident_id,
        "still here",
    )
    .await;
    let event = someone_elses.next_of("1").await;
    assert_eq!(event["data"]["events"]["subjectId"], json!(entry));
}

#[tokio::test]
async fn a_changed_role_closes_the_socket_but_a_new_name_does_not() {
    let world = World::with(quick_sockets).await;
    let viewer = user_id(&world, &world.a.viewer).await;
    let mut socket = Socket::ready(&world.app.ws_url(), &world.a.viewer).await;
    let renamed = json!({ "input": { "id": viewer, "displayName": "Vera Renamed" } });
    world.app.data(&world.a.admin, USER_UPDATE, renamed).await;
    socket.expect_silence(Duration::from_millis(2500)).await;
    let promoted = json!({ "input": { "id": viewer, "role": "EDITOR" } });
    world.app.data(&world.a.admin, USER_UPDATE, promoted).await;
    let closed = socket.closed_within(Duration::from_secs(5)).await;
    assert_eq!(closed.code, 4403, "{closed:?}");
}

#[tokio::test]
async fn sockets_count_toward_a_per_user_limit() {
    let world = World::with(|config| {
        let mut config = quick_sockets(config);
        config.live.sockets_per_user = 2;
        config
    })
    .await;
    let url = world.app.ws_url();
    let first = Socket::ready(&url, &world.a.viewer).await;
    let _second = Socket::ready(&url, &world.a.viewer).await;
    let mut third = Socket::open(&url).await;
    third.init(&world.a.viewer).await;
    let closed = third.closed().await;
    assert_eq!(closed.code, 1013, "{closed:?}");
    // Another user has their own places, and a closed socket frees its place.
    let _editors = Socket::ready(&url, &world.a.editor).await;
    first.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _again = Socket::ready(&url, &world.a.viewer).await;
}

#[tokio::test]
async fn a_client_receives_only_what_concerns_its_client() {
    let world = World::with(quick_sockets).await;
    let app = &world.app;
    let record = record_of_the_client(&world).await;
    // The rebinding changed the user: a socket opened before it would have been closed.
    let mut client = subscribed(app, &world.a.client, "c", json!({})).await;
    let mut staff = subscribed(app, &world.a.viewer, "s", json!({})).await;
    let mut other_tenant = subscribed(app, &world.b.client, "o", json!({})).await;
    add_entry(app, &world.a.editor, &record.incident_id, "internal note").await;
    add_entry(
        app,
        &world.a.editor,
        &world.a.incident_id,
        "unpublished incident",
    )
    .await;
    app.data(
        &world.a.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let published = loop {
        let event = staff.next_of("s").await["data"]["events"].clone();
        if event["type"] == "POST_MORTEM_PUBLISHED" {
            break event;
        }
    };
    let seen = client.next_of("c").await["data"]["events"].clone();
    assert_eq!(seen["type"], "POST_MORTEM_PUBLISHED", "{seen}");
    assert_eq!(seen["id"], published["id"]);
    assert_eq!(seen["subjectId"], json!(record.post_mortem_id));
    client.expect_silence(Duration::from_millis(500)).await;
    other_tenant
        .expect_silence(Duration::from_millis(100))
        .await;
}

#[tokio::test]
async fn open_sockets_keep_their_place_among_the_connections_served() {
    const MAX_CONNECTIONS: usize = 6;
    let world = World::with(|config| {
        let mut config = quick_sockets(config);
        config.connections.max_connections = MAX_CONNECTIONS;
        config
    })
    .await;
    let url = world.app.ws_url();
    // The test's HTTP client may keep a connection or two of its own open: fill what is left.
    let mut sockets = Vec::new();
    while tokio_tungstenite::connect_async(url.as_str()).await.is_ok() {
        sockets.push(Socket::ready(&url, &world.a.admin).await);
        assert!(
            sockets.len() < MAX_CONNECTIONS,
            "sockets beyond the connection limit"
        );
    }
    // The probe above took a connection each time it succeeded; only sockets hold theirs.
    assert!(!sockets.is_empty());
    sockets.pop().expect("a socket").close().await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio_tungstenite::connect_async(url.as_str())
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "a closed socket frees its place");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_clients_incident_subscription_ends_when_the_post_mortem_is_unpublished() {
    let world = World::with(quick_sockets).await;
    let app = &world.app;
    let record = record_of_the_client(&world).await;
    app.data(
        &world.a.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let mut socket = Socket::ready(&app.ws_url(), &world.a.client).await;
    let query = "subscription($id: ID!) { incident(id: $id) { id title } }";
    socket
        .subscribe("i", query, json!({ "id": record.incident_id }))
        .await;
    let now = socket.next_of("i").await;
    assert_eq!(
        now["data"]["incident"]["id"],
        json!(record.incident_id),
        "{now}"
    );
    // A staff-only change sends the client nothing.
    add_entry(app, &world.a.editor, &record.incident_id, "internal").await;
    socket.expect_silence(Duration::from_millis(500)).await;
    let unpublish = "mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: \"corrections\" }) { userErrors { code } } }";
    app.data(
        &world.a.admin,
        unpublish,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let ended = socket.next_of("i").await;
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{ended}"
    );
    assert_eq!(
        socket.message().await.expect("complete")["type"],
        "complete"
    );
}
