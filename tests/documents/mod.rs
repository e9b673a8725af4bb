//! Documents as each client reads them: staff previews and clients' own copies, time zones,
//! and share links for client contacts without accounts.

mod for_client;
mod sentinel;
mod share_links;

use crate::support::record::{self, Record, mutate};
use crate::support::{TestApp, decode_uuid, user_error_codes};
use serde_json::{Value, json};

pub const DOCUMENT: &str = "query($id: ID!, $format: DocumentFormat, $for: ID) { node(id: $id) { ... on PostMortem { document(format: $format, forClient: $for) } } }";
pub const FOLLOW_UP: &str = "query($id: ID!, $format: DocumentFormat, $for: ID) { node(id: $id) { ... on PostMortem { followUpReport(format: $format, forClient: $for) } } }";
pub const FORMATS: [&str; 3] = ["MARKDOWN", "HTML", "STANDALONE_HTML"];

/// One of the record's clients, with what only its own copy may show.
pub struct ClientOfRecord {
    pub id: String,
    pub name: String,
    pub impact: String,
    /// A CLIENT user's token bound to this client.
    pub token: String,
}

/// A published record impacting three clients, each with a CLIENT user, and internal text
/// marked `SECRET` everywhere staff can write it.
pub struct Published {
    pub record: Record,
    pub clients: Vec<ClientOfRecord>,
}

pub async fn published(app: &TestApp, slug: &str) -> (Published, String) {
    let tenant = app.create_tenant(slug).await;
    let admin = tenant.admin.clone();
    let record = record::build(app, &admin, 3).await;
    let pm = app
        .data(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on PostMortem { version } } }",
            json!({ "id": record.post_mortem_id }),
        )
        .await;
    mutate(app, &admin, record::POST_MORTEM_UPDATE, json!({ "postMortemId": record.post_mortem_id, "version": pm["node"]["version"], "lessonsLearned": "SECRET lessons", "wentWell": "We rolled back quickly.", "couldBeBetter": "Detect sooner." }), "postMortemUpdate", "postMortem").await;
    let published = app
        .data(&admin, "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code message } } }", json!({ "id": record.post_mortem_id }))
        .await;
    assert_eq!(
        user_error_codes(&published["postMortemPublish"]),
        Vec::<String>::new(),
        "{published}"
    );
    let impacts = app
        .data(
            &admin,
            "query($id: ID!) { incident(id: $id) { impacts { description client { id name } } } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    let mut clients = Vec::new();
    for (i, impact) in impacts["incident"]["impacts"]
        .as_array()
        .expect("impacts")
        .iter()
        .enumerate()
    {
        let id = impact["client"]["id"]
            .as_str()
            .expect("client id")
            .to_owned();
        let user = mutate(app, &admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code } } }", json!({ "email": format!("contact{i}@{slug}.example"), "displayName": format!("Contact {i}"), "role": "CLIENT", "clientId": id }), "userCreate", "user").await;
        clients.push(ClientOfRecord {
            name: impact["client"]["name"].as_str().expect("name").to_owned(),
            impact: impact["description"]
                .as_str()
                .expect("description")
                .to_owned(),
            token: app.token(tenant.id, decode_uuid(&user)),
            id,
        });
    }
    assert_eq!(clients.len(), 3);
    (Published { record, clients }, admin)
}

/// A rendering of `query` (DOCUMENT or FOLLOW_UP) that must succeed.
pub async fn render(
    app: &TestApp,
    token: &str,
    query: &str,
    post_mortem: &str,
    format: &str,
    for_client: Option<&str>,
) -> String {
    let data = app
        .data(
            token,
            query,
            json!({ "id": post_mortem, "format": format, "for": for_client }),
        )
        .await;
    let node = &data["node"];
    node.get("document")
        .or_else(|| node.get("followUpReport"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no rendering: {data}"))
        .to_owned()
}
