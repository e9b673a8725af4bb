//! Tenant isolation: with tenant B's tokens, tenant A's ids answer NOT_FOUND everywhere, and
//! nothing of tenant A changes.

use crate::support::{World, error_codes, user_error_codes};
use serde_json::{Value, json};

fn a_ids(world: &World) -> Vec<String> {
    let a = &world.a;
    vec![
        a.incident_id.clone(),
        a.editor_id.clone(),
        a.admin_id.clone(),
        a.client_id.clone(),
        a.service_id.clone(),
        a.tenant_node_id.clone(),
        a.audit_entry_id.clone(),
    ]
}

#[tokio::test]
async fn tenant_b_cannot_read_tenant_a_through_any_query() {
    let world = World::new().await;
    let app = &world.app;
    for (role, token) in world.b.tokens() {
        for id in a_ids(&world) {
            let body = app
                .gql(
                    token,
                    "query($id: ID!) { node(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(error_codes(&body), ["NOT_FOUND"], "node as {role}: {body}");
        }
        let body = app
            .gql(
                token,
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": a_ids(&world) }),
            )
            .await;
        assert_eq!(
            body["data"]["nodes"],
            json!([null, null, null, null, null, null, null]),
            "nodes as {role}"
        );
        assert_eq!(error_codes(&body), vec!["NOT_FOUND"; 7], "nodes as {role}");
        assert_eq!(
            body["errors"][6]["path"],
            json!(["nodes", 6]),
            "each error names its position"
        );
        let body = app
            .gql(
                token,
                "query($id: ID!) { incident(id: $id) { id } }",
                json!({ "id": world.a.incident_id }),
            )
            .await;
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "incident as {role}");
    }
    let b = &world.b.admin;
    let body = app
        .data(
            b,
            "query($s: ID!) { incidents(filter: { serviceId: $s }) { totalCount nodes { id } } }",
            json!({ "s": world.a.service_id }),
        )
        .await;
    assert_eq!(body["incidents"]["totalCount"], 0);
    let body = app
        .data(
            b,
            "query($e: ID!) { auditLog(filter: { actorId: $e }) { totalCount } }",
            json!({ "e": world.a.editor_id }),
        )
        .await;
    assert_eq!(body["auditLog"]["totalCount"], 0);
    let body = app
        .data(
            b,
            "query($e: ID!) { auditLog(filter: { entityId: $e }) { totalCount } }",
            json!({ "e": world.a.incident_id }),
        )
        .await;
    assert_eq!(body["auditLog"]["totalCount"], 0);
    let listed: Value = app.data(b, "{ incidents { nodes { id } } users { nodes { id } } clients { nodes { id } } services { nodes { id } } }", json!({})).await;
    let text = listed.to_string();
    for id in a_ids(&world) {
        assert!(!text.contains(&id), "tenant B's lists show tenant A's {id}");
    }
}

#[tokio::test]
async fn tenant_b_cannot_change_tenant_a_through_any_mutation() {
    let world = World::new().await;
    let app = &world.app;
    let a = &world.a;
    let before = app.audit_count(&a.admin).await;
    let not_found: Vec<(&str, Value)> = vec![
        (
            "mutation($id: ID!) { incidentUpdate(input: { id: $id, version: 1, title: \"Hijacked\" }) { incident { id } } }",
            json!({ "id": a.incident_id }),
        ),
        (
            "mutation($id: ID!) { userUpdate(input: { id: $id, role: ADMIN }) { user { id } } }",
            json!({ "id": a.editor_id }),
        ),
        (
            "mutation($id: ID!) { userDeactivate(input: { id: $id }) { user { id } } }",
            json!({ "id": a.admin_id }),
        ),
        (
            "mutation($id: ID!) { clientUpdate(input: { id: $id, name: \"Hijacked\" }) { client { id } } }",
            json!({ "id": a.client_id }),
        ),
        (
            "mutation($id: ID!) { serviceUpdate(input: { id: $id, name: \"Hijacked\" }) { service { id } } }",
            json!({ "id": a.service_id }),
        ),
    ];
    // Writers of tenant B get NOT_FOUND; other roles are refused before any lookup. Either
    // way nothing of tenant A is revealed or changed.
    for (role, token) in world.b.tokens() {
        for (query, variables) in &not_found {
            let body = app.gql(token, query, variables.clone()).await;
            let codes = error_codes(&body);
            let may_write =
                role == "ADMIN" || (role == "EDITOR" && query.contains("incidentUpdate"));
            let expected = if may_write { "NOT_FOUND" } else { "FORBIDDEN" };
            assert_eq!(codes, [expected], "{role}: {query}: {body}");
        }
    }
    let b_incident = json!({ "id": world.b.incident_id, "s": a.service_id });
    let body = app
        .data(
            &world.b.admin,
            "mutation($id: ID!, $s: ID!) { incidentUpdate(input: { id: $id, version: 1, serviceIds: [$s] }) { incident { id } userErrors { field code } } }",
            b_incident,
        )
        .await;
    assert_eq!(user_error_codes(&body["incidentUpdate"]), ["NOT_FOUND"]);
    let body = app
        .data(
            &world.b.admin,
            "mutation($id: ID!, $c: ID!) { userUpdate(input: { id: $id, role: CLIENT, clientId: $c }) { user { id } userErrors { field code } } }",
            json!({ "id": world.b.editor_id, "c": a.client_id }),
        )
        .await;
    assert_eq!(user_error_codes(&body["userUpdate"]), ["NOT_FOUND"]);
    let body = app
        .data(
            &world.b.admin,
            "mutation($s: ID!) { incidentCreate(input: { title: \"x\", severity: SEV4, startedAt: \"2026-01-01T00:00:00Z\", serviceIds: [$s] }) { incident { id } userErrors { field code } } }",
            json!({ "s": a.service_id }),
        )
        .await;
    assert_eq!(user_error_codes(&body["incidentCreate"]), ["NOT_FOUND"]);
    assert_eq!(
        body["incidentCreate"]["userErrors"][0]["field"],
        json!(["serviceIds", "0"])
    );
    let body = app
        .data(
            &world.b.admin,
            "mutation($c: ID!) { userCreate(input: { email: \"spy@b.example\", displayName: \"Spy\", role: CLIENT, clientId: $c }) { user { id } userErrors { code } } }",
            json!({ "c": a.client_id }),
        )
        .await;
    assert_eq!(user_error_codes(&body["userCreate"]), ["NOT_FOUND"]);
    assert_eq!(
        app.audit_count(&a.admin).await,
        before,
        "tenant A's audit log changed"
    );
    let still = app
        .data(
            &a.admin,
            "query($id: ID!) { incident(id: $id) { title version } }",
            json!({ "id": a.incident_id }),
        )
        .await;
    assert_eq!(
        still["incident"],
        json!({ "title": "Checkout failures", "version": 1 })
    );
}

#[tokio::test]
async fn a_cursor_from_tenant_a_is_refused_in_tenant_b() {
    let world = World::new().await;
    let app = &world.app;
    let page = app
        .data(
            &world.a.admin,
            "{ incidents(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = page["incidents"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let body = app
        .gql(
            &world.b.admin,
            "query($c: String!) { incidents(after: $c) { nodes { id } } }",
            json!({ "c": cursor }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}
