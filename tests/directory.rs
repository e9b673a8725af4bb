//! The directory: users, clients, services and settings, with their rules.

use crate::support::{decode_uuid, spawn_app, user_error_codes};
use serde_json::json;

#[tokio::test]
async fn names_and_emails_are_unique_within_a_tenant_only() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    let service = "mutation { serviceCreate(input: { name: \"Payments\" }) { service { id } userErrors { code field } } }";
    assert_eq!(
        app.data(&a.admin, service, json!({})).await["serviceCreate"]["userErrors"],
        json!([])
    );
    assert_eq!(
        user_error_codes(&app.data(&a.admin, service, json!({})).await["serviceCreate"]),
        ["TAKEN"]
    );
    assert_eq!(
        app.data(&b.admin, service, json!({})).await["serviceCreate"]["userErrors"],
        json!([]),
        "another tenant may reuse it"
    );
    let user = "mutation { userCreate(input: { email: \"ADMIN@a.example\", displayName: \"Twin\", role: VIEWER }) { user { id } userErrors { code field } } }";
    let payload = &app.data(&a.admin, user, json!({})).await["userCreate"];
    assert_eq!(
        user_error_codes(payload),
        ["TAKEN"],
        "emails compare case-insensitively"
    );
    assert_eq!(payload["userErrors"][0]["field"], json!(["email"]));
}

#[tokio::test]
async fn client_users_must_belong_to_a_client_and_others_must_not() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let client = app.data(&a.admin, "mutation { clientCreate(input: { name: \"Globex\", contactEmail: \"ops@globex.example\" }) { client { id } } }", json!({})).await;
    let client_id = client["clientCreate"]["client"]["id"].clone();
    let create = "mutation($role: Role!, $client: ID) { userCreate(input: { email: \"c@globex.example\", displayName: \"C\", role: $role, clientId: $client }) { user { id role client { name } } userErrors { code field } } }";
    assert_eq!(
        user_error_codes(
            &app.data(&a.admin, create, json!({ "role": "CLIENT" }))
                .await["userCreate"]
        ),
        ["INVALID"]
    );
    assert_eq!(
        user_error_codes(
            &app.data(
                &a.admin,
                create,
                json!({ "role": "EDITOR", "client": client_id })
            )
            .await["userCreate"]
        ),
        ["INVALID"]
    );
    let ok = app
        .data(
            &a.admin,
            create,
            json!({ "role": "CLIENT", "client": client_id }),
        )
        .await;
    assert_eq!(ok["userCreate"]["user"]["client"]["name"], "Globex");
    let bad_email = app.data(&a.admin, "mutation { clientCreate(input: { name: \"X\", contactEmail: \"nope\" }) { userErrors { code field } } }", json!({})).await;
    assert_eq!(user_error_codes(&bad_email["clientCreate"]), ["INVALID"]);
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let viewer = app
        .data(&a.admin, "{ viewer { user { id } } }", json!({}))
        .await;
    let me = viewer["viewer"]["user"]["id"].clone();
    let demote = app.data(&a.admin, "mutation($id: ID!) { userUpdate(input: { id: $id, role: EDITOR }) { user { role } userErrors { code } } }", json!({ "id": me })).await;
    assert_eq!(user_error_codes(&demote["userUpdate"]), ["INVALID"]);
    let deactivate = app.data(&a.admin, "mutation($id: ID!) { userDeactivate(input: { id: $id }) { user { active } userErrors { code } } }", json!({ "id": me })).await;
    assert_eq!(user_error_codes(&deactivate["userDeactivate"]), ["INVALID"]);
    let second = app.data(&a.admin, "mutation { userCreate(input: { email: \"two@a.example\", displayName: \"Two\", role: ADMIN }) { user { id } } }", json!({})).await;
    assert!(second["userCreate"]["user"]["id"].is_string());
    let demote = app.data(&a.admin, "mutation($id: ID!) { userUpdate(input: { id: $id, role: EDITOR }) { user { role } userErrors { code } } }", json!({ "id": me })).await;
    assert_eq!(
        demote["userUpdate"]["user"]["role"], "EDITOR",
        "with another ADMIN, the demotion goes through"
    );
    let _ = decode_uuid(me.as_str().unwrap_or_default());
}

#[tokio::test]
async fn tenant_settings_are_validated_and_audited() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let update = "mutation($input: TenantSettingsUpdateInput!) { tenantSettingsUpdate(input: $input) { tenant { settings { coolingOffHours reviewAfterDays blamelessPolicy } } userErrors { code field } } }";
    let bad = app
        .data(
            &a.admin,
            update,
            json!({ "input": { "coolingOffHours": -1, "reviewAfterDays": 0 } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&bad["tenantSettingsUpdate"]),
        ["INVALID", "INVALID"]
    );
    let good = app
        .data(
            &a.admin,
            update,
            json!({ "input": { "coolingOffHours": 24, "blamelessPolicy": "BLOCK" } }),
        )
        .await;
    assert_eq!(
        good["tenantSettingsUpdate"]["tenant"]["settings"],
        json!({ "coolingOffHours": 24, "reviewAfterDays": 30, "blamelessPolicy": "BLOCK" })
    );
    let log = app
        .data(
            &a.admin,
            "{ auditLog(first: 1) { nodes { action changes } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        log["auditLog"]["nodes"][0]["action"],
        "tenant.settings_update"
    );
    assert_eq!(
        log["auditLog"]["nodes"][0]["changes"]["coolingOffHours"],
        json!({ "from": 48, "to": 24 })
    );
}

#[tokio::test]
async fn a_deactivated_user_can_be_reactivated() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let created = app
        .data(&a.admin, "mutation { userCreate(input: { email: \"v@a.example\", displayName: \"V\", role: VIEWER }) { user { id } } }", json!({}))
        .await;
    let id = created["userCreate"]["user"]["id"].clone();
    let token = app.token(a.id, decode_uuid(id.as_str().unwrap_or_default()));
    app.data(
        &a.admin,
        "mutation($id: ID!) { userDeactivate(input: { id: $id }) { user { active } } }",
        json!({ "id": id }),
    )
    .await;
    let (status, _) = app
        .post(Some(&token), json!({ "query": "{ viewer { role } }" }))
        .await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    let back = app
        .data(&a.admin, "mutation($id: ID!) { userUpdate(input: { id: $id, active: true }) { user { active } userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(back["userUpdate"]["user"]["active"], true);
    assert_eq!(
        app.data(&token, "{ viewer { role } }", json!({})).await["viewer"]["role"],
        "VIEWER"
    );
}

#[tokio::test]
async fn the_tenant_is_a_node_only_for_its_own_users() {
    let app = spawn_app().await;
    let a = app.create_tenant("a").await;
    let b = app.create_tenant("b").await;
    let id = app
        .data(&a.admin, "{ viewer { tenant { id } } }", json!({}))
        .await["viewer"]["tenant"]["id"]
        .clone();
    let own = app
        .data(
            &a.admin,
            "query($id: ID!) { node(id: $id) { ... on Tenant { slug } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(own["node"]["slug"], "a");
    let other = app
        .gql(
            &b.admin,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(crate::support::error_codes(&other), ["NOT_FOUND"]);
}
