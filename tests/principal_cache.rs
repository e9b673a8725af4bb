//! Users kept between requests (`auth::PrincipalCache`, PostgreSQL only): a request of a
//! user the server has just seen does not read them again, yet a deactivation or a role
//! change made through another server takes effect on the very next request.

use crate::support::database::is_postgres;
use crate::support::process::Server;
use crate::support::{World, error_codes, post_as};
use serde_json::{Value, json};
use std::time::Duration;

const ROLE: &str = "{ viewer { role } }";

/// How many statements `token`'s request takes once the server keeps the user: the listener
/// that makes kept users trustworthy connects shortly after the server starts.
async fn statements_once_kept(world: &World, token: &str) -> (u64, u64) {
    let first = world.app.statements_for(token, ROLE, json!({})).await;
    for _ in 0..100 {
        let now = world.app.statements_for(token, ROLE, json!({})).await;
        if now < first {
            return (first, now);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (first, first)
}

#[tokio::test]
async fn a_user_seen_lately_is_not_read_again() {
    let world = World::new().await;
    let (first, kept) = statements_once_kept(&world, &world.a.editor).await;
    if is_postgres() {
        assert_eq!(kept, first - 1, "the user's lookup is the statement saved");
    } else {
        assert_eq!(kept, first, "SQLite keeps no users");
    }
}

async fn role_on(server: &str, token: &str) -> Value {
    post_as(server, token, ROLE, json!({})).await
}

#[tokio::test]
async fn a_deactivation_through_one_server_refuses_the_next_request_on_another() {
    let world = World::new().await;
    let other = Server::start(world.app.database_url(), &["--no-workers"]).await;
    // Both servers have seen the editor, and keep them once their listeners are up.
    statements_once_kept(&world, &world.a.editor).await;
    for _ in 0..3 {
        let seen = role_on(&other.url, &world.a.editor).await;
        assert_eq!(seen["data"]["viewer"]["role"], "EDITOR", "{seen}");
    }

    let promote = "mutation($id: ID!) { userUpdate(input: { id: $id, role: ADMIN }) { userErrors { code } } }";
    let promoted = post_as(
        &other.url,
        &world.a.admin,
        promote,
        json!({ "id": world.a.editor_id }),
    )
    .await;
    assert_eq!(
        promoted["data"]["userUpdate"]["userErrors"],
        json!([]),
        "{promoted}"
    );
    let seen = world.app.data(&world.a.editor, ROLE, json!({})).await;
    assert_eq!(
        seen["viewer"]["role"], "ADMIN",
        "the role changed on the other server"
    );

    let deactivate =
        "mutation($id: ID!) { userDeactivate(input: { id: $id }) { userErrors { code } } }";
    let done = world
        .app
        .data(
            &world.a.admin,
            deactivate,
            json!({ "id": world.a.editor_id }),
        )
        .await;
    assert_eq!(done["userDeactivate"]["userErrors"], json!([]), "{done}");
    let refused = role_on(&other.url, &world.a.editor).await;
    assert_eq!(error_codes(&refused), ["UNAUTHENTICATED"], "{refused}");
    // Another tenant's users are untouched.
    let elsewhere = role_on(&other.url, &world.b.editor).await;
    assert_eq!(elsewhere["data"]["viewer"]["role"], "EDITOR", "{elsewhere}");
}
