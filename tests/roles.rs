//! The role matrix of DESIGN.md section 2: every operation, run by every role.

use crate::support::{TenantWorld, World, decode_uuid, error_codes, global_id};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Forbidden,
    NotFound,
}

use Outcome::{Allowed as A, Forbidden as F, NotFound as N};

/// Roles in the order of `TenantWorld::tokens`: ADMIN, EDITOR, VIEWER, REPORTER, CLIENT.
struct Case {
    name: &'static str,
    query: &'static str,
    variables: fn(&TenantWorld, &str) -> Value,
    expected: [Outcome; 5],
}

/// The global id of the world's incident's post-mortem.
fn post_mortem_of(w: &TenantWorld) -> String {
    global_id("PostMortem", decode_uuid(&w.incident_id))
}

fn none(_: &TenantWorld, _: &str) -> Value {
    json!({})
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "viewer",
            query: "{ viewer { role tenant { slug } } }",
            variables: none,
            expected: [A, A, A, A, A],
        },
        Case {
            name: "users",
            query: "{ users { totalCount nodes { email } } }",
            variables: none,
            expected: [A, A, A, F, F],
        },
        Case {
            name: "clients",
            query: "{ clients { totalCount nodes { name } } }",
            variables: none,
            expected: [A, A, A, A, F],
        },
        Case {
            name: "client.contactEmail",
            query: "query($id: ID!) { node(id: $id) { ... on Client { contactEmail } } }",
            variables: |w, _| json!({ "id": w.client_id }),
            expected: [A, A, A, F, F],
        },
        Case {
            name: "metrics",
            query: "{ metrics(from: \"2026-01-01T00:00:00Z\", to: \"2026-02-01T00:00:00Z\") { total { incidents { count } } } }",
            variables: none,
            expected: [A, A, A, A, F],
        },
        Case {
            name: "services",
            query: "{ services { totalCount nodes { name } } }",
            variables: none,
            expected: [A, A, A, A, F],
        },
        Case {
            name: "incidents",
            query: "{ incidents { totalCount nodes { title } } }",
            variables: none,
            expected: [A, A, A, A, A],
        },
        Case {
            name: "incident",
            query: "query($id: ID!) { incident(id: $id) { title severity services { name } } }",
            variables: |w, _| json!({ "id": w.incident_id }),
            expected: [A, A, A, A, N],
        },
        Case {
            name: "incidentByReference",
            query: "{ incidentByReference(reference: \"INC-1\") { title } }",
            variables: none,
            expected: [A, A, A, A, N],
        },
        Case {
            name: "incident.summary",
            query: "query($id: ID!) { incident(id: $id) { summary } }",
            variables: |w, _| json!({ "id": w.incident_id }),
            expected: [A, A, A, F, N],
        },
        Case {
            name: "node(user)",
            query: "query($id: ID!) { node(id: $id) { id } }",
            variables: |w, _| json!({ "id": w.editor_id }),
            expected: [A, A, A, N, N],
        },
        Case {
            name: "nodes",
            query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            variables: |w, _| json!({ "ids": [w.incident_id] }),
            expected: [A, A, A, A, N],
        },
        Case {
            name: "node(incident)",
            query: "query($id: ID!) { node(id: $id) { ... on Incident { reference } } }",
            variables: |w, _| json!({ "id": w.incident_id }),
            expected: [A, A, A, A, N],
        },
        Case {
            name: "node(service)",
            query: "query($id: ID!) { node(id: $id) { ... on Service { name } } }",
            variables: |w, _| json!({ "id": w.service_id }),
            expected: [A, A, A, A, N],
        },
        Case {
            name: "node(client)",
            query: "query($id: ID!) { node(id: $id) { ... on Client { name } } }",
            variables: |w, _| json!({ "id": w.other_client_id }),
            expected: [A, A, A, A, N],
        },
        Case {
            name: "node(tenant)",
            query: "query($id: ID!) { node(id: $id) { ... on Tenant { slug } } }",
            variables: |w, _| json!({ "id": w.tenant_node_id }),
            expected: [A, A, A, A, A],
        },
        Case {
            name: "tenant.settings",
            query: "{ viewer { tenant { settings { coolingOffHours } } } }",
            variables: none,
            expected: [A, A, A, A, F],
        },
        Case {
            name: "node(auditEntry)",
            query: "query($id: ID!) { node(id: $id) { ... on AuditEntry { action actor { displayName } } } }",
            variables: |w, _| json!({ "id": w.audit_entry_id }),
            expected: [A, N, N, N, N],
        },
        Case {
            name: "auditLog(filter)",
            query: "query($id: ID!) { auditLog(filter: { entityId: $id }) { totalCount nodes { entityId } } }",
            variables: |w, _| json!({ "id": w.incident_id }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "incidents(filter)",
            query: "query($s: ID!) { incidents(filter: { serviceId: $s, severity: [SEV2] }) { totalCount } }",
            variables: |w, _| json!({ "s": w.service_id }),
            expected: [A, A, A, A, A],
        },
        Case {
            name: "user.client",
            query: "{ viewer { user { client { name } } } }",
            variables: none,
            expected: [A, A, A, A, A],
        },
        Case {
            name: "events",
            query: "{ events(first: 5) { totalCount nodes { type subjectId } } }",
            variables: none,
            expected: [A, A, A, A, A],
        },
        Case {
            name: "auditLog",
            query: "{ auditLog(first: 5) { totalCount nodes { action } } }",
            variables: none,
            expected: [A, F, F, F, F],
        },
        Case {
            name: "apiTokens",
            query: "{ apiTokens { totalCount nodes { name } } }",
            variables: none,
            expected: [A, F, F, F, F],
        },
        Case {
            name: "apiTokenCreate",
            query: "mutation($at: DateTime!) { apiTokenCreate(input: { name: \"BI\", role: REPORTER, expiresAt: $at }) { token userErrors { code } } }",
            variables: |_, _| json!({ "at": (chrono::Utc::now() + chrono::TimeDelta::days(30)).to_rfc3339() }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "viewer.notificationPreferences",
            query: "{ viewer { notificationPreferences { mode } } }",
            variables: none,
            expected: [A, A, A, A, A],
        },
        Case {
            name: "notificationPreferencesUpdate",
            query: "mutation { notificationPreferencesUpdate(input: { mode: DAILY_DIGEST }) { notificationPreferences { mode } userErrors { code } } }",
            variables: none,
            expected: [A, A, F, F, A],
        },
        Case {
            name: "tenantSettingsUpdate",
            query: "mutation { tenantSettingsUpdate(input: { coolingOffHours: 24 }) { tenant { slug } userErrors { code } } }",
            variables: none,
            expected: [A, F, F, F, F],
        },
        Case {
            name: "userCreate",
            query: "mutation($email: String!) { userCreate(input: { email: $email, displayName: \"New\", role: VIEWER }) { user { id } userErrors { code } } }",
            variables: |_, role| json!({ "email": format!("new-{}@example.com", role.to_lowercase()) }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "userUpdate",
            query: "mutation($id: ID!) { userUpdate(input: { id: $id, displayName: \"Renamed\" }) { user { id } userErrors { code } } }",
            variables: |w, _| json!({ "id": w.editor_id }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "clientCreate",
            query: "mutation($name: String!) { clientCreate(input: { name: $name }) { client { id } userErrors { code } } }",
            variables: |_, role| json!({ "name": format!("Client by {role}") }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "clientUpdate",
            query: "mutation($id: ID!) { clientUpdate(input: { id: $id, contactEmail: \"new@impacted.example\" }) { client { id } userErrors { code } } }",
            variables: |w, _| json!({ "id": w.client_id }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "serviceCreate",
            query: "mutation($name: String!) { serviceCreate(input: { name: $name }) { service { id } userErrors { code } } }",
            variables: |_, role| json!({ "name": format!("Service by {role}") }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "serviceUpdate",
            query: "mutation($id: ID!) { serviceUpdate(input: { id: $id, name: \"Payments API\" }) { service { id } userErrors { code } } }",
            variables: |w, _| json!({ "id": w.service_id }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "incidentCreate",
            query: "mutation { incidentCreate(input: { title: \"Outage\", severity: SEV3, startedAt: \"2026-01-01T00:00:00Z\" }) { incident { id } userErrors { code } } }",
            variables: none,
            expected: [A, A, F, F, F],
        },
        Case {
            name: "incidentUpdate",
            query: "mutation($id: ID!, $version: Int!) { incidentUpdate(input: { id: $id, version: $version, title: \"Renamed\" }) { incident { id } userErrors { code } } }",
            variables: |w, _| json!({ "id": w.incident_id, "version": w.incident_version }),
            expected: [A, A, F, F, F],
        },
        Case {
            name: "postMortem.readiness",
            query: "query($id: ID!) { node(id: $id) { ... on PostMortem { readiness { ready findings { code } } } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w) }),
            expected: [A, A, A, F, N],
        },
        Case {
            name: "postMortemScheduleMeeting",
            query: "mutation($id: ID!) { postMortemScheduleMeeting(input: { postMortemId: $id, meetingAt: \"2026-02-01T10:00:00Z\" }) { postMortem { meetingAt } findings { code } userErrors { code } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w) }),
            expected: [A, A, F, F, F],
        },
        Case {
            name: "postMortemPublish(override)",
            query: "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id, override: { reason: \"board deadline\" } }) { postMortem { status } userErrors { code } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w) }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "postMortem.shareLinks",
            query: "query($id: ID!) { node(id: $id) { ... on PostMortem { shareLinks { totalCount } } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w) }),
            expected: [A, A, A, F, N],
        },
        Case {
            name: "postMortemShareLinkCreate",
            query: "mutation($id: ID!, $c: ID!) { postMortemShareLinkCreate(input: { postMortemId: $id, clientId: $c }) { url userErrors { code } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w), "c": w.client_id }),
            expected: [A, A, F, F, F],
        },
        Case {
            name: "postMortem.confidenceRatings",
            query: "query($id: ID!) { node(id: $id) { ... on PostMortem { confidenceRatings { confidence } } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w) }),
            expected: [A, A, A, A, N],
        },
        Case {
            name: "confidenceRate",
            query: "mutation($id: ID!) { confidenceRate(input: { postMortemId: $id, confidence: 3 }) { confidenceRating { phase } userErrors { code } } }",
            variables: |w, _| json!({ "id": post_mortem_of(w) }),
            expected: [F, F, F, F, N],
        },
        // No measure of this tenant has the id: staff who may write learn it is NOT_FOUND.
        Case {
            name: "effectivenessVerdictSet",
            query: "mutation($id: ID!) { effectivenessVerdictSet(input: { measureId: $id, effectiveness: EFFECTIVE }) { preventionMeasure { id } userErrors { code } } }",
            variables: |_, _| json!({ "id": global_id("PreventionMeasure", uuid::Uuid::now_v7()) }),
            expected: [N, N, F, F, F],
        },
        // After every case about the incident: the ADMIN's call deletes it.
        Case {
            name: "incidentDelete",
            query: "mutation($id: ID!) { incidentDelete(input: { id: $id, reason: \"Opened by mistake\" }) { deletedIncidentId userErrors { code } } }",
            variables: |w, _| json!({ "id": w.incident_id }),
            expected: [A, F, F, F, F],
        },
        Case {
            name: "userDeactivate",
            query: "mutation($id: ID!) { userDeactivate(input: { id: $id }) { user { active } userErrors { code } } }",
            variables: |w, _| json!({ "id": w.editor_id }),
            expected: [A, F, F, F, F],
        },
    ]
}

#[tokio::test]
async fn every_operation_answers_each_role_as_the_design_says() {
    let world = World::new().await;
    let a = &world.a;
    // ADMIN goes last, so its changes (such as deactivating the editor) come after the others ran.
    let order = [1, 2, 3, 4, 0];
    for case in cases() {
        for index in order {
            let (role, token) = a.tokens()[index];
            let before = world.app.audit_count(&a.admin).await;
            let body = world
                .app
                .gql(token, case.query, (case.variables)(a, role))
                .await;
            let codes = error_codes(&body);
            let expected = case.expected[index];
            match expected {
                Outcome::Allowed => assert!(
                    codes.is_empty(),
                    "{} as {role}: expected success, got {body}",
                    case.name
                ),
                Outcome::Forbidden => {
                    assert_eq!(codes, ["FORBIDDEN"], "{} as {role}: {body}", case.name)
                }
                Outcome::NotFound => {
                    assert_eq!(codes, ["NOT_FOUND"], "{} as {role}: {body}", case.name)
                }
            }
            let after = world.app.audit_count(&a.admin).await;
            let saved = case.query.starts_with("mutation")
                && expected == Outcome::Allowed
                && first_payload_saved(&body);
            let expected_entries = if saved { before + 1 } else { before };
            assert_eq!(
                after, expected_entries,
                "{} as {role}: every saved mutation is audited once, nothing else is",
                case.name
            );
        }
    }
}

#[tokio::test]
async fn a_client_user_sees_their_own_account_and_nothing_internal() {
    let world = World::new().await;
    let data = world
        .app
        .data(
            &world.a.client,
            "{ viewer { role client { id name } user { email } } incidents { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["viewer"]["role"], "CLIENT");
    assert_eq!(data["viewer"]["client"]["id"], world.a.client_id);
    assert_eq!(data["viewer"]["client"]["name"], "Impacted Co");
    assert_eq!(data["viewer"]["user"]["email"], "client@tenant-a.example");
    assert_eq!(
        data["incidents"]["totalCount"], 0,
        "no post-mortem is published, so a CLIENT sees no incident"
    );
    let other = world
        .app
        .gql(
            &world.a.client,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": world.a.other_client_id }),
        )
        .await;
    assert_eq!(error_codes(&other), ["NOT_FOUND"]);
}

/// Whether the first mutation payload in `body` saved something (no user errors).
fn first_payload_saved(body: &Value) -> bool {
    body["data"]
        .as_object()
        .and_then(|data| data.values().next())
        .is_some_and(|payload| payload["userErrors"] == json!([]))
}
