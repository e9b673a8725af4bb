//! Share links: made once with a secret URL, shown to whoever holds it while the post-mortem
//! is published, counted, withdrawn, expired; every failure the same 404 page.

use super::published;
use crate::support::{TestApp, error_codes, spawn_app, user_error_codes};
use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: PostMortemShareLinkCreateInput!) { postMortemShareLinkCreate(input: $input) { url shareLink { id state viewCount expiresAt client { name } } userErrors { field code message } } }";
const REVOKE: &str = "mutation($id: ID!) { postMortemShareLinkRevoke(input: { id: $id }) { shareLink { id state revokedAt } userErrors { code } } }";
const LINKS: &str = "query($id: ID!) { node(id: $id) { ... on PostMortem { shareLinks { totalCount nodes { id state viewCount lastViewedAt client { name } } } } } }";
const UNPUBLISH: &str = "mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: \"corrections\" }) { userErrors { code } } }";
const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }";

/// Makes a link and returns its payload.
async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(token, CREATE, json!({ "input": input })).await
}

/// GETs a page: its status, headers and body.
async fn get(app: &TestApp, url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = app.http.get(url).send().await.expect("GET the page");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.expect("body"))
}

/// A link that must be made, and its URL.
async fn made(app: &TestApp, token: &str, post_mortem: &str, client: &str) -> (String, String) {
    let answer = create(
        app,
        token,
        json!({ "postMortemId": post_mortem, "clientId": client }),
    )
    .await;
    let payload = &answer["data"]["postMortemShareLinkCreate"];
    assert_eq!(user_error_codes(payload), Vec::<String>::new(), "{answer}");
    (
        payload["shareLink"]["id"].as_str().expect("id").to_owned(),
        payload["url"].as_str().expect("url").to_owned(),
    )
}

#[tokio::test]
async fn a_link_shows_its_clients_copy_counts_views_and_stops_when_revoked() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let (pm, reader) = (&world.record.post_mortem_id, &world.clients[1]);
    let (id, url) = made(&app, &admin, pm, &reader.id).await;
    assert!(url.starts_with(&format!("{}/share/dbs_", app.url)), "{url}");
    let (status, headers, page) = get(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .starts_with("default-src 'none'; style-src 'sha256-")
    );
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("<h2>8. Your questions</h2>"),
        "{page}"
    );
    assert!(page.contains(&reader.impact), "{page}");
    for other in world.clients.iter().filter(|c| c.id != reader.id) {
        assert!(
            !page.contains(&other.name) && !page.contains(&other.impact),
            "{page}"
        );
    }
    assert!(!page.contains("SECRET"), "{page}");
    assert!(
        !page.contains("what we implemented"),
        "no follow-up before the review"
    );
    get(&app, &url).await;
    let listed = app.data(&admin, LINKS, json!({ "id": pm })).await;
    let link = &listed["node"]["shareLinks"]["nodes"][0];
    assert_eq!(listed["node"]["shareLinks"]["totalCount"], 1);
    assert_eq!(
        (
            link["id"].as_str(),
            link["viewCount"].as_i64(),
            link["state"].as_str()
        ),
        (Some(id.as_str()), Some(2), Some("ACTIVE")),
        "{listed}"
    );
    assert!(link["lastViewedAt"].is_string() && link["client"]["name"] == reader.name.as_str());
    let revoked = app.data(&admin, REVOKE, json!({ "id": id })).await;
    assert_eq!(
        revoked["postMortemShareLinkRevoke"]["shareLink"]["state"], "REVOKED",
        "{revoked}"
    );
    let (status, _, gone) = get(&app, &url).await;
    assert_eq!(
        (status, gone),
        (StatusCode::NOT_FOUND, not_found_page(&app).await)
    );
    let again = app.data(&admin, REVOKE, json!({ "id": id })).await;
    assert_eq!(
        again["postMortemShareLinkRevoke"]["shareLink"]["revokedAt"],
        revoked["postMortemShareLinkRevoke"]["shareLink"]["revokedAt"],
        "revoking twice changes nothing"
    );
    let log = app
        .data(
            &admin,
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { action changes } } }",
            json!({ "id": id }),
        )
        .await;
    let log = log["auditLog"]["nodes"].to_string();
    assert!(
        log.contains("share_link.create") && log.contains("share_link.revoke"),
        "{log}"
    );
    let token = url.rsplit('/').next().unwrap_or_default();
    assert!(!log.contains(token), "the token is never audited: {log}");
    let stored = app
        .owner_db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT token_hash FROM share_links",
        ))
        .await
        .expect("read hashes");
    assert_eq!(stored.len(), 1);
    let hash: String = stored[0].try_get("", "token_hash").expect("hash");
    assert!(
        !hash.contains(token) && !token.contains(&hash),
        "only a hash is stored"
    );
}

/// The page a token that opens nothing gets.
async fn not_found_page(app: &TestApp) -> String {
    let (status, _, page) = get(app, &format!("{}/share/dbs_nothing", app.url)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("This link is not available"), "{page}");
    page
}

#[tokio::test]
async fn wrong_expired_and_unpublished_links_all_answer_the_same_404_page() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let pm = &world.record.post_mortem_id;
    let plain = not_found_page(&app).await;
    let (_, url) = made(&app, &admin, pm, &world.clients[0].id).await;
    let token = url.rsplit('/').next().unwrap_or_default().to_owned();
    let mut tampered = token.clone();
    let last = if tampered.ends_with('A') { "B" } else { "A" };
    tampered.replace_range(tampered.len() - 1.., last);
    for wrong in [
        tampered.as_str(),
        "dbs_",
        "%00",
        "dbs_AAAA",
        &"x".repeat(5000),
        &token[..token.len() - 1],
    ] {
        let (status, _, page) = get(&app, &format!("{}/share/{wrong}", app.url)).await;
        assert_eq!((status, &page), (StatusCode::NOT_FOUND, &plain), "{wrong}");
    }
    let unpublished = app.data(&admin, UNPUBLISH, json!({ "id": pm })).await;
    assert_eq!(
        user_error_codes(&unpublished["postMortemUnpublish"]),
        Vec::<String>::new()
    );
    assert_eq!(
        get(&app, &url).await.2,
        plain,
        "an unpublished post-mortem shows nothing"
    );
    app.data(&admin, PUBLISH, json!({ "id": pm })).await;
    assert_eq!(
        get(&app, &url).await.0,
        StatusCode::OK,
        "published again, shown again"
    );
    let backend = app.db.get_database_backend();
    let past = sea_orm::Statement::from_sql_and_values(
        backend,
        if backend == sea_orm::DbBackend::Postgres {
            "UPDATE share_links SET expires_at = $1"
        } else {
            "UPDATE share_links SET expires_at = ?"
        },
        [(Utc::now() - TimeDelta::minutes(1)).into()],
    );
    app.owner_db
        .execute_raw(past)
        .await
        .expect("expire the link");
    assert_eq!(
        get(&app, &url).await.2,
        plain,
        "an expired link shows nothing"
    );
    let listed = app.data(&admin, LINKS, json!({ "id": pm })).await;
    assert_eq!(listed["node"]["shareLinks"]["nodes"][0]["state"], "EXPIRED");
}

#[tokio::test]
async fn the_follow_up_report_joins_the_page_once_the_review_is_recorded() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let pm = &world.record.post_mortem_id;
    let (_, url) = made(&app, &admin, pm, &world.clients[2].id).await;
    let review = app.data(&admin, "mutation($input: EffectivenessReviewRecordInput!) { effectivenessReviewRecord(input: $input) { userErrors { code message } } }", json!({ "input": { "postMortemId": pm, "heldAt": Utc::now().to_rfc3339(), "summary": "Both measures held under load.", "verdicts": [] } })).await;
    assert_eq!(
        user_error_codes(&review["effectivenessReviewRecord"]),
        Vec::<String>::new(),
        "{review}"
    );
    let (status, _, page) = get(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("what we implemented") && page.contains("Both measures held under load."),
        "{page}"
    );
    assert_eq!(page.matches("<article>").count(), 2, "{page}");
}

#[tokio::test]
async fn links_are_made_by_writers_for_impacted_clients_and_live_at_most_ninety_days() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let pm = &world.record.post_mortem_id;
    let client = &world.clients[0];
    let base = json!({ "postMortemId": pm, "clientId": client.id });
    let with = |patch: Value| {
        let mut input = base.clone();
        if let (Some(input), Some(patch)) = (input.as_object_mut(), patch.as_object()) {
            input.extend(patch.clone());
        }
        input
    };
    let too_long = create(
        &app,
        &admin,
        with(json!({ "expiresAt": (Utc::now() + TimeDelta::days(91)).to_rfc3339() })),
    )
    .await;
    assert_eq!(
        user_error_codes(&too_long["data"]["postMortemShareLinkCreate"]),
        ["INVALID"],
        "{too_long}"
    );
    let past = create(
        &app,
        &admin,
        with(json!({ "expiresAt": (Utc::now() - TimeDelta::hours(1)).to_rfc3339() })),
    )
    .await;
    assert_eq!(
        user_error_codes(&past["data"]["postMortemShareLinkCreate"]),
        ["INVALID"],
        "{past}"
    );
    let soon = Utc::now() + TimeDelta::days(7);
    let week = create(
        &app,
        &admin,
        with(json!({ "expiresAt": soon.to_rfc3339() })),
    )
    .await;
    let expires = week["data"]["postMortemShareLinkCreate"]["shareLink"]["expiresAt"]
        .as_str()
        .unwrap_or_default();
    assert!(
        expires.starts_with(&soon.format("%Y-%m-%dT%H:%M").to_string()),
        "{week}"
    );
    let bystander = app
        .data(
            &admin,
            "mutation { clientCreate(input: { name: \"Bystander\" }) { client { id } } }",
            json!({}),
        )
        .await;
    let not_impacted = create(
        &app,
        &admin,
        with(json!({ "clientId": bystander["clientCreate"]["client"]["id"] })),
    )
    .await;
    assert_eq!(
        user_error_codes(&not_impacted["data"]["postMortemShareLinkCreate"]),
        ["INVALID"],
        "{not_impacted}"
    );
    let (elsewhere, other_admin) = published(&app, "globex").await;
    let foreign_client = create(
        &app,
        &admin,
        with(json!({ "clientId": elsewhere.clients[0].id })),
    )
    .await;
    assert_eq!(
        user_error_codes(&foreign_client["data"]["postMortemShareLinkCreate"]),
        ["NOT_FOUND"],
        "{foreign_client}"
    );
    let foreign_pm = create(&app, &other_admin, base.clone()).await;
    assert_eq!(error_codes(&foreign_pm), ["NOT_FOUND"], "{foreign_pm}");
    for token in [&client.token] {
        let refused = create(&app, token, base.clone()).await;
        assert_eq!(error_codes(&refused), ["FORBIDDEN"], "{refused}");
        let listing = app.gql(token, LINKS, json!({ "id": pm })).await;
        assert_eq!(error_codes(&listing), ["FORBIDDEN"], "{listing}");
    }
    let (id, _) = made(&app, &admin, pm, &client.id).await;
    let foreign_revoke = app.gql(&other_admin, REVOKE, json!({ "id": id })).await;
    assert_eq!(
        error_codes(&foreign_revoke),
        ["NOT_FOUND"],
        "{foreign_revoke}"
    );
}
