//! Service tokens: issued by an ADMIN, shown once, stored as a hash, and accepted as a bearer
//! token wherever a JWT is, with their own role, until revoked or expired.

use crate::support::socket::Socket;
use crate::support::{TestApp, World, error_codes, user_error_codes};
use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use std::time::Duration;

const CREATE: &str = "mutation($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) { apiToken { id name role expiresAt lastUsedAt revokedAt createdBy { displayName } } token userErrors { field code message } } }";
const REVOKE: &str = "mutation($id: ID!) { apiTokenRevoke(input: { id: $id }) { apiToken { id revokedAt } userErrors { code } } }";
const METRICS: &str = "{ metrics(from: \"2026-01-01T00:00:00Z\", to: \"2026-02-01T00:00:00Z\") { total { incidents { count } } } }";

fn in_days(days: i64) -> String {
    (Utc::now() + TimeDelta::days(days)).to_rfc3339()
}

/// Issues a token as `admin`; returns its global id and secret.
async fn issue(app: &TestApp, admin: &str, role: &str) -> (String, String) {
    let input = json!({ "name": "BI export", "role": role, "expiresAt": in_days(30) });
    let data = app.data(admin, CREATE, json!({ "input": input })).await;
    let payload = &data["apiTokenCreate"];
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    (
        payload["apiToken"]["id"].as_str().expect("id").to_owned(),
        payload["token"].as_str().expect("token").to_owned(),
    )
}

/// POSTs `query` with `token` and returns the status and the first error's message.
async fn refused(app: &TestApp, token: &str, query: &str) -> (StatusCode, String) {
    let (status, body) = app.post(Some(token), json!({ "query": query })).await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    (status, message.to_owned())
}

/// Runs `sql` (with `$1` standing for `id`, a token's uuid) on the app's database.
async fn execute(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    let backend = app.db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        sql.to_owned()
    } else {
        sql.replace("$1", "?").replace("$2", "?")
    };
    app.owner_db
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("run SQL");
}

#[tokio::test]
async fn an_issued_token_reads_metrics_as_its_role_and_records_its_use() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (id, token) = issue(app, &a.admin, "REPORTER").await;
    assert!(token.starts_with("dbt_"), "{token}");
    let data = app.data(&token, METRICS, json!({})).await;
    assert_eq!(data["metrics"]["total"]["incidents"]["count"], 1);
    let viewer = app.data(&token, "{ viewer { role } }", json!({})).await;
    assert_eq!(viewer["viewer"]["role"], "REPORTER");
    // GET works as POST does.
    let response = app
        .http
        .get(format!("{}/graphql", app.url))
        .query(&[("query", "{ viewer { role } }")])
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let listed = app
        .data(&a.admin, "query($id: ID!) { node(id: $id) { ... on ApiToken { name role lastUsedAt createdBy { displayName } } } }", json!({ "id": id }))
        .await;
    let node = &listed["node"];
    assert_eq!(node["name"], "BI export");
    assert_eq!(node["role"], "REPORTER");
    assert_eq!(node["createdBy"]["displayName"], "Admin of tenant-a");
    assert!(node["lastUsedAt"].is_string(), "{node}");
    // Within the minute, further use reads without writing.
    app.data(&token, METRICS, json!({})).await;
    let again = app
        .data(
            &a.admin,
            "query($id: ID!) { node(id: $id) { ... on ApiToken { lastUsedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(again["node"]["lastUsedAt"], node["lastUsedAt"]);
}

#[tokio::test]
async fn a_token_may_do_only_what_its_role_may() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (_, reporter) = issue(app, &a.admin, "REPORTER").await;
    let (_, viewer) = issue(app, &a.admin, "VIEWER").await;
    let summary = "query($id: ID!) { incident(id: $id) { summary } }";
    let incident = json!({ "id": a.incident_id });
    let body = app.gql(&reporter, summary, incident.clone()).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app.gql(&viewer, summary, incident).await;
    assert_eq!(error_codes(&body), [] as [&str; 0], "{body}");
    let create = "mutation { incidentCreate(input: { title: \"Outage\", severity: SEV3, startedAt: \"2026-01-01T00:00:00Z\" }) { incident { id } userErrors { code } } }";
    let list = "{ apiTokens { totalCount } }";
    let issue_again = "mutation { apiTokenCreate(input: { name: \"more\", role: VIEWER, expiresAt: \"2030-01-01T00:00:00Z\" }) { token userErrors { code } } }";
    for token in [&reporter, &viewer] {
        for query in [create, list, issue_again, "{ users { totalCount } }"] {
            let body = app.gql(token, query, json!({})).await;
            if query.contains("users") && token == &viewer {
                assert_eq!(error_codes(&body), [] as [&str; 0], "{body}");
            } else {
                assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn only_reading_roles_and_expiries_within_a_year_are_issued_and_only_by_an_admin() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    for role in ["ADMIN", "EDITOR", "CLIENT"] {
        let input = json!({ "name": "BI", "role": role, "expiresAt": in_days(30) });
        let data = app.data(&a.admin, CREATE, json!({ "input": input })).await;
        assert_eq!(
            user_error_codes(&data["apiTokenCreate"]),
            ["INVALID"],
            "{role}"
        );
        assert_eq!(data["apiTokenCreate"]["token"], Value::Null);
    }
    for (name, expires_at, code) in [
        (" ", in_days(30), "BLANK"),
        ("BI", in_days(-1), "INVALID"),
        ("BI", in_days(366), "INVALID"),
    ] {
        let input = json!({ "name": name, "role": "VIEWER", "expiresAt": expires_at });
        let data = app.data(&a.admin, CREATE, json!({ "input": input })).await;
        assert_eq!(
            user_error_codes(&data["apiTokenCreate"]),
            [code],
            "{name} {expires_at}"
        );
    }
    let input = json!({ "name": "BI", "role": "VIEWER", "expiresAt": in_days(30) });
    let body = app.gql(&a.editor, CREATE, json!({ "input": input })).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let list = app
        .data(&a.admin, "{ apiTokens { totalCount } }", json!({}))
        .await;
    assert_eq!(list["apiTokens"]["totalCount"], 0);
}

#[tokio::test]
async fn a_revoked_token_is_refused_on_the_next_request() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (id, token) = issue(app, &a.admin, "REPORTER").await;
    app.data(&token, METRICS, json!({})).await;
    let revoked = app.data(&a.admin, REVOKE, json!({ "id": id })).await;
    let first = revoked["apiTokenRevoke"]["apiToken"]["revokedAt"].clone();
    assert!(first.is_string(), "{revoked}");
    let (status, message) = refused(app, &token, METRICS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("revoked"), "{message}");
    let again = app.data(&a.admin, REVOKE, json!({ "id": id })).await;
    assert_eq!(again["apiTokenRevoke"]["apiToken"]["revokedAt"], first);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (id, token) = issue(app, &a.admin, "VIEWER").await;
    app.data(&token, METRICS, json!({})).await;
    let uuid = crate::support::decode_uuid(&id);
    let past = Utc::now() - TimeDelta::seconds(1);
    execute(
        app,
        "UPDATE api_tokens SET expires_at = $1 WHERE id = $2",
        vec![past.into(), uuid.into()],
    )
    .await;
    let (status, message) = refused(app, &token, METRICS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("expired"), "{message}");
}

#[tokio::test]
async fn a_tampered_or_foreign_token_is_refused_and_a_token_sees_only_its_tenant() {
    let world = World::new().await;
    let (app, a, b) = (&world.app, &world.a, &world.b);
    let (_, token) = issue(app, &a.admin, "REPORTER").await;
    let (_, theirs) = issue(app, &b.admin, "REPORTER").await;
    // The last character carries the secret's last bits: changing it keeps the shape.
    let mut tampered = token.clone();
    let last = tampered.pop().expect("a character");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    // Tenant B's tenant bytes with tenant A's secret.
    let spliced = format!("{}{}", &theirs[..26], &token[26..]);
    for bad in [
        tampered.as_str(),
        spliced.as_str(),
        "dbt_not-a-token",
        "dbt_",
    ] {
        let (status, message) = refused(app, bad, METRICS).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}: {message}");
    }
    let body = app
        .gql(
            &token,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": b.incident_id }),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
    let own = app
        .data(
            &token,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": a.incident_id }),
        )
        .await;
    assert_eq!(own["node"]["id"], json!(a.incident_id));
    let list = app
        .data(&b.admin, "{ apiTokens { totalCount } }", json!({}))
        .await;
    assert_eq!(
        list["apiTokens"]["totalCount"], 1,
        "tenant B lists only its own"
    );
}

#[tokio::test]
async fn the_secret_appears_in_no_listing_and_no_audit_entry() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (id, token) = issue(app, &a.admin, "REPORTER").await;
    app.data(&a.admin, REVOKE, json!({ "id": id })).await;
    let listing = app
        .data(&a.admin, "{ apiTokens { totalCount nodes { id name role createdAt expiresAt lastUsedAt revokedAt } } }", json!({}))
        .await;
    assert_eq!(listing["apiTokens"]["totalCount"], 1);
    let audit = app
        .data(
            &a.admin,
            "{ auditLog(first: 50) { nodes { action entityType entityId changes } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&Value> = audit["auditLog"]["nodes"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["entityType"] == "ApiToken")
        .map(|entry| &entry["action"])
        .collect();
    assert_eq!(
        actions,
        [&json!("api_token.revoke"), &json!("api_token.create")]
    );
    let secret = token.strip_prefix("dbt_").expect("prefix");
    for text in [listing.to_string(), audit.to_string()] {
        assert!(!text.contains(secret), "the secret leaked: {text}");
    }
    let stored: Vec<String> = {
        use sea_orm::EntityTrait;
        #[allow(clippy::disallowed_methods)] // the test reads the table itself
        let rows = entity::api_token::Entity::find()
            .all(&app.owner_db)
            .await
            .expect("rows");
        rows.into_iter().map(|row| row.token_hash).collect()
    };
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(secret));
    for text in [listing.to_string(), audit.to_string()] {
        assert!(!text.contains(&stored[0]), "the hash leaked: {text}");
    }
}

#[tokio::test]
async fn a_socket_opened_with_a_token_closes_when_it_is_revoked() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (id, token) = issue(app, &a.admin, "REPORTER").await;
    let mut socket = Socket::ready(&app.ws_url(), &token).await;
    let mut admins = Socket::ready(&app.ws_url(), &a.admin).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.data(&a.admin, REVOKE, json!({ "id": id })).await;
    let closed = socket.closed_within(Duration::from_secs(5)).await;
    assert_eq!(closed.code, 4403, "{closed:?}");
    admins.expect_silence(Duration::from_millis(500)).await;
    let mut refused = Socket::open(&app.ws_url()).await;
    refused.init(&token).await;
    let closed = refused.closed().await;
    assert_eq!(closed.code, 4403, "{closed:?}");
    assert!(closed.reason.contains("revoked"), "{closed:?}");
}

#[tokio::test]
async fn only_an_admin_finds_a_token_by_id_or_revokes_it() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let (id, token) = issue(app, &a.admin, "REPORTER").await;
    let node = "query($id: ID!) { node(id: $id) { ... on ApiToken { name } } }";
    for (role, caller) in a.tokens() {
        let body = app.gql(caller, node, json!({ "id": id })).await;
        let expected: &[&str] = if role == "ADMIN" { &[] } else { &["NOT_FOUND"] };
        assert_eq!(error_codes(&body), expected, "node as {role}: {body}");
        if role != "ADMIN" {
            let body = app.gql(caller, REVOKE, json!({ "id": id })).await;
            assert_eq!(
                error_codes(&body),
                ["FORBIDDEN"],
                "revoke as {role}: {body}"
            );
        }
    }
    let body = app.gql(&world.b.admin, node, json!({ "id": id })).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "another tenant's ADMIN");
    let body = app.gql(&world.b.admin, REVOKE, json!({ "id": id })).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "another tenant's ADMIN");
    app.data(&token, METRICS, json!({})).await;
}

#[tokio::test]
async fn a_socket_opened_with_a_token_closes_when_it_expires() {
    let world = World::new().await;
    let (app, a) = (&world.app, &world.a);
    let expires_at = Utc::now() + TimeDelta::seconds(2);
    let input = json!({ "name": "short", "role": "VIEWER", "expiresAt": expires_at.to_rfc3339() });
    let data = app.data(&a.admin, CREATE, json!({ "input": input })).await;
    let token = data["apiTokenCreate"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mut socket = Socket::ready(&app.ws_url(), &token).await;
    let closed = socket.closed_within(Duration::from_secs(5)).await;
    assert_eq!(closed.code, 4403, "{closed:?}");
    assert!(closed.reason.contains("expired"), "{closed:?}");
    assert!(Utc::now() >= expires_at, "closed before the token expired");
    let (status, message) = refused(app, &token, METRICS).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("expired"), "{message}");
}
