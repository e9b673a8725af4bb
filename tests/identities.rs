//! Identities cannot hide characters: emails and the names of users, clients and services
//! refuse invisible and direction-changing characters, and names are stored composed (NFC).

use crate::support::{World, user_error_codes};
use serde_json::{Value, json};

/// Zero-width space and joiner, a right-to-left override, an isolate, a byte order mark.
const HIDDEN: [&str; 5] = ["\u{200b}", "\u{200d}", "\u{202e}", "\u{2067}", "\u{feff}"];

const USER_CREATE: &str = "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { email displayName } userErrors { field code } } }";
const USER_UPDATE: &str = "mutation($input: UserUpdateInput!) { userUpdate(input: $input) { user { displayName } userErrors { field code } } }";
const CLIENT_CREATE: &str = "mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id name contactEmail } userErrors { field code } } }";
const CLIENT_UPDATE: &str = "mutation($input: ClientUpdateInput!) { clientUpdate(input: $input) { client { name } userErrors { field code } } }";
const SERVICE_CREATE: &str = "mutation($input: ServiceCreateInput!) { serviceCreate(input: $input) { service { id name } userErrors { field code } } }";
const SERVICE_UPDATE: &str = "mutation($input: ServiceUpdateInput!) { serviceUpdate(input: $input) { service { name } userErrors { field code } } }";

fn refused_at(payload: &Value, field: &str) {
    assert_eq!(user_error_codes(payload), ["INVALID"], "{payload}");
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!([field]),
        "{payload}"
    );
}

#[tokio::test]
async fn hidden_characters_are_refused_in_every_identity_and_nothing_is_written() {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let before = app.audit_count(admin).await;
    for hidden in HIDDEN {
        let email = format!("ad{hidden}min@tenant-a.example");
        let name = format!("Ada{hidden} Lovelace");
        let cases = [
            (
                USER_CREATE,
                "userCreate",
                json!({ "email": email, "displayName": "Ada", "role": "VIEWER" }),
                "email",
            ),
            (
                USER_CREATE,
                "userCreate",
                json!({ "email": "ada@tenant-a.example", "displayName": name, "role": "VIEWER" }),
                "displayName",
            ),
            (
                USER_UPDATE,
                "userUpdate",
                json!({ "id": world.a.editor_id, "displayName": name }),
                "displayName",
            ),
            (
                CLIENT_CREATE,
                "clientCreate",
                json!({ "name": name }),
                "name",
            ),
            (
                CLIENT_CREATE,
                "clientCreate",
                json!({ "name": "Initech", "contactEmail": email }),
                "contactEmail",
            ),
            (
                CLIENT_UPDATE,
                "clientUpdate",
                json!({ "id": world.a.client_id, "name": name }),
                "name",
            ),
            (
                SERVICE_CREATE,
                "serviceCreate",
                json!({ "name": name }),
                "name",
            ),
            (
                SERVICE_UPDATE,
                "serviceUpdate",
                json!({ "id": world.a.service_id, "name": name }),
                "name",
            ),
        ];
        for (mutation, root, input, field) in cases {
            let data = app.data(admin, mutation, json!({ "input": input })).await;
            refused_at(&data[root], field);
        }
    }
    assert_eq!(app.audit_count(admin).await, before, "nothing was written");
}

#[tokio::test]
async fn a_lookalike_of_an_existing_address_cannot_be_created() {
    let world = World::new().await;
    let input = |email: &str| json!({ "input": { "email": email, "displayName": "Admin", "role": "VIEWER" } });
    let data = world
        .app
        .data(
            &world.a.admin,
            USER_CREATE,
            input("ad\u{200b}min@acme.example"),
        )
        .await;
    refused_at(&data["userCreate"], "email");
    let data = world
        .app
        .data(&world.a.admin, USER_CREATE, input("admin@acme.example"))
        .await;
    assert_eq!(data["userCreate"]["user"]["email"], "admin@acme.example");
}

#[tokio::test]
async fn names_in_any_script_are_accepted_and_stored_composed() {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    for (index, name) in ["王小明", "محمد العلي", "Zoë Ångström", "Ærøskøbing ApS"]
        .into_iter()
        .enumerate()
    {
        let input = json!({ "input": { "email": format!("person{index}@tenant-a.example"), "displayName": name, "role": "VIEWER" } });
        let data = app.data(admin, USER_CREATE, input).await;
        assert_eq!(data["userCreate"]["user"]["displayName"], name);
        let data = app
            .data(admin, CLIENT_CREATE, json!({ "input": { "name": name } }))
            .await;
        assert_eq!(data["clientCreate"]["client"]["name"], name);
        let data = app
            .data(admin, SERVICE_CREATE, json!({ "input": { "name": name } }))
            .await;
        assert_eq!(data["serviceCreate"]["service"]["name"], name);
    }
    // "José" typed as "e" and a combining acute accent is stored as the composed "é", so it
    // is the same name as the composed spelling.
    let decomposed = json!({ "input": { "name": "Jose\u{301} Hosting" } });
    let data = app.data(admin, CLIENT_CREATE, decomposed).await;
    assert_eq!(data["clientCreate"]["client"]["name"], "Jos\u{e9} Hosting");
    let composed = json!({ "input": { "name": "Jos\u{e9} Hosting" } });
    let data = app.data(admin, CLIENT_CREATE, composed).await;
    assert_eq!(user_error_codes(&data["clientCreate"]), ["TAKEN"], "{data}");
}
