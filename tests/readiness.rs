//! Readiness checks and the publish gate, through the API: every rule reported with its code,
//! severity and path; publication refused while blockers remain; the BLOCK policy; the
//! ADMIN override and its audit entry; tenant phrases; scheduling the client meeting.

use crate::support::record::{
    self, IMPACT_SET, MEASURE_CREATE, POST_MORTEM_UPDATE, ROOT_CAUSE_CREATE, TIMELINE_CREATE,
    mutate,
};
use crate::support::{TestApp, World, error_codes, user_error_codes};
use serde_json::{Value, json};

const READINESS: &str = "query($id: ID!) { node(id: $id) { ... on PostMortem { status readiness { ready findings { code severity path message excerpt } } } } }";
const PUBLISH: &str = "mutation($input: PostMortemPublishInput!) { postMortemPublish(input: $input) { postMortem { status } userErrors { field code message findingPath } } }";
const SCHEDULE: &str = "mutation($id: ID!, $at: DateTime) { postMortemScheduleMeeting(input: { postMortemId: $id, meetingAt: $at }) { postMortem { meetingAt } findings { code severity path } userErrors { code } } }";
const SETTINGS: &str = "mutation($input: TenantSettingsUpdateInput!) { tenantSettingsUpdate(input: $input) { tenant { settings { blamelessPolicy blamelessTerms defensiveTerms selfFlagellationTerms } } userErrors { field code } } }";

/// A resolved incident whose draft breaks every rule once, with the ids the paths name.
struct Broken {
    post_mortem: String,
    client: String,
    cause: String,
    impact: String,
    vague: String,
    late: String,
}

async fn broken(app: &TestApp, admin: &str) -> Broken {
    mutate(app, admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code } } }", json!({ "email": "dana.w@acme.example", "displayName": "Dana Whitfield", "role": "EDITOR" }), "userCreate", "user").await;
    let client = mutate(app, admin, "mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { code } } }", json!({ "name": "Globex" }), "clientCreate", "client").await;
    let incident = app
        .data(admin, "mutation { incidentCreate(input: { title: \"Queue delays\", severity: SEV2, status: RESOLVED, startedAt: \"2026-03-01T09:00:00Z\", resolvedAt: \"2026-03-01T11:00:00Z\" }) { incident { id postMortem { id } } } }", json!({}))
        .await;
    let incident_id = incident["incidentCreate"]["incident"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let post_mortem = incident["incidentCreate"]["incident"]["postMortem"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    mutate(app, admin, TIMELINE_CREATE, json!({ "incidentId": incident_id, "occurredAt": "2026-03-01T09:10:00Z", "kind": "NOTE", "body": "Paged the on-call engineer.", "visibility": "INTERNAL" }), "timelineEventCreate", "timelineEvent").await;
    let cause = mutate(app, admin, ROOT_CAUSE_CREATE, json!({ "incidentId": incident_id, "kind": "CONTRIBUTING_FACTOR", "category": "CAPACITY", "clientExplanation": "Dana's change was careless." }), "rootCauseCreate", "rootCause").await;
    let impact = mutate(app, admin, IMPACT_SET, json!({ "incidentId": incident_id, "clientId": client, "level": "DEGRADED", "startedAt": "2026-03-01T09:00:00Z" }), "clientImpactSet", "clientImpact").await;
    let vague = mutate(app, admin, MEASURE_CREATE, json!({ "incidentId": incident_id, "kind": "TECHNICAL", "title": "Try to be more careful" }), "preventionMeasureCreate", "preventionMeasure").await;
    let late = mutate(app, admin, MEASURE_CREATE, json!({ "incidentId": incident_id, "kind": "PROCESS", "title": "Review queue settings weekly", "ownerTeam": "Messaging", "dueOn": "2026-03-02", "successCriterion": "Better alerting" }), "preventionMeasureCreate", "preventionMeasure").await;
    mutate(app, admin, POST_MORTEM_UPDATE, json!({ "postMortemId": post_mortem, "version": 1, "wentWell": "Honestly, it was beyond our control.", "couldBeBetter": "This was an inexcusable, terrible failure." }), "postMortemUpdate", "postMortem").await;
    Broken {
        post_mortem,
        client,
        cause,
        impact,
        vague,
        late,
    }
}

/// `(code, severity, path)` of each finding.
fn findings(readiness: &Value) -> Vec<(String, String, String)> {
    readiness["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|f| {
                    let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
                    (text("code"), text("severity"), text("path"))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn row(code: &str, severity: &str, path: String) -> (String, String, String) {
    (code.to_owned(), severity.to_owned(), path)
}

/// The audit entry of the post-mortem's publication (null when there is none).
async fn publish_entry(app: &TestApp, admin: &str, post_mortem: &str) -> Value {
    let log = app
        .data(
            admin,
            "query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { action changes } } }",
            json!({ "id": post_mortem }),
        )
        .await;
    log["auditLog"]["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["action"] == "post_mortem.publish"))
        .cloned()
        .unwrap_or_default()
}

async fn readiness(app: &TestApp, token: &str, post_mortem: &str) -> Value {
    app.data(token, READINESS, json!({ "id": post_mortem }))
        .await["node"]["readiness"]
        .clone()
}

#[tokio::test]
async fn a_post_mortem_breaking_every_rule_reports_exactly_its_codes_and_paths() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let b = broken(app, &tenant.admin).await;
    let scheduled = app
        .data(
            &tenant.admin,
            SCHEDULE,
            json!({ "id": b.post_mortem, "at": "2026-03-01T20:00:00Z" }),
        )
        .await;
    assert_eq!(
        scheduled["postMortemScheduleMeeting"],
        json!({
            "postMortem": { "meetingAt": "2026-03-01T20:00:00.000000Z" },
            "findings": [
                { "code": "MEETING_TOO_SOON", "severity": "WARNING", "path": "meetingAt" },
                { "code": "MEETING_BEFORE_SUMMARY", "severity": "WARNING", "path": "meetingAt" },
            ],
            "userErrors": [],
        })
    );
    let report = readiness(app, &tenant.editor, &b.post_mortem).await;
    assert_eq!(report["ready"], false);
    let (cause, vague, late) = (&b.cause, &b.vague, &b.late);
    assert_eq!(
        findings(&report),
        [
            row("NO_CLIENT_TIMELINE", "BLOCKER", "timeline".into()),
            row("NO_ROOT_CAUSE_EXPLANATION", "BLOCKER", "rootCauses".into()),
            row("NO_IMPACT_SUMMARY", "BLOCKER", "impactSummary".into()),
            row(
                "IMPACT_DESCRIPTION_MISSING",
                "BLOCKER",
                format!("impacts[{}].description", b.impact)
            ),
            row(
                "PERSON_NAMED",
                "WARNING",
                format!("rootCauses[{cause}].clientExplanation")
            ),
            row(
                "BLAMING_LANGUAGE",
                "WARNING",
                format!("rootCauses[{cause}].clientExplanation")
            ),
            row("DEFENSIVE_TONE", "WARNING", "wentWell".into()),
            row("SELF_FLAGELLATION", "WARNING", "couldBeBetter".into()),
            row("SELF_FLAGELLATION", "WARNING", "couldBeBetter".into()),
            row(
                "MEASURE_OWNER_MISSING",
                "BLOCKER",
                format!("measures[{vague}].ownerTeam")
            ),
            row(
                "MEASURE_DUE_DATE_MISSING",
                "BLOCKER",
                format!("measures[{vague}].dueOn")
            ),
            row(
                "MEASURE_CRITERION_MISSING",
                "BLOCKER",
                format!("measures[{vague}].successCriterion")
            ),
            row(
                "VAGUE_MEASURE",
                "WARNING",
                format!("measures[{vague}].title")
            ),
            row(
                "VAGUE_MEASURE",
                "WARNING",
                format!("measures[{late}].successCriterion")
            ),
            row(
                "MEASURE_PAST_DUE",
                "WARNING",
                format!("measures[{late}].dueOn")
            ),
            row("MEASURE_KIND_MISSING", "WARNING", "measures".into()),
            row("MEETING_TOO_SOON", "WARNING", "meetingAt".into()),
            row("MEETING_BEFORE_SUMMARY", "WARNING", "meetingAt".into()),
        ],
        "{report}"
    );
    let person = &report["findings"][4];
    assert_eq!(person["excerpt"], "Dana's change was careless.");
    assert!(
        person["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Dana Whitfield"),
        "{person}"
    );

    let before = app.audit_count(&tenant.admin).await;
    let refused = app
        .data(
            &tenant.editor,
            PUBLISH,
            json!({ "input": { "postMortemId": b.post_mortem } }),
        )
        .await;
    let errors = &refused["postMortemPublish"]["userErrors"];
    let blockers: Vec<(String, String)> = findings(&report)
        .into_iter()
        .filter(|(_, severity, _)| severity == "BLOCKER")
        .map(|(code, _, path)| (code, path))
        .collect();
    let returned: Vec<(String, String)> = errors
        .as_array()
        .map(|all| {
            all.iter()
                .map(|e| {
                    (
                        e["code"].as_str().unwrap_or_default().to_owned(),
                        e["findingPath"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(returned, blockers, "{refused}");
    assert_eq!(refused["postMortemPublish"]["postMortem"], Value::Null);
    assert_eq!(
        app.audit_count(&tenant.admin).await,
        before,
        "nothing was written"
    );
    let still = app
        .data(&tenant.admin, READINESS, json!({ "id": b.post_mortem }))
        .await;
    assert_eq!(still["node"]["status"], "DRAFT");
}

#[tokio::test]
async fn once_fixed_it_reports_ready_and_publishes() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let record = record::build(app, &tenant.admin, 3).await;
    app.data(
        &tenant.admin,
        SCHEDULE,
        json!({ "id": record.post_mortem_id, "at": "2099-03-04T10:00:00Z" }),
    )
    .await;
    let report = readiness(app, &tenant.viewer, &record.post_mortem_id).await;
    assert_eq!(report["ready"], true, "{report}");
    assert_eq!(
        findings(&report),
        [row("MEETING_BEFORE_SUMMARY", "WARNING", "meetingAt".into())],
        "a warning does not stop publication"
    );
    let published = app
        .data(
            &tenant.editor,
            PUBLISH,
            json!({ "input": { "postMortemId": record.post_mortem_id } }),
        )
        .await;
    assert_eq!(
        published["postMortemPublish"],
        json!({ "postMortem": { "status": "PUBLISHED" }, "userErrors": [] })
    );
    let after = readiness(app, &tenant.admin, &record.post_mortem_id).await;
    assert_eq!(
        after,
        json!({ "ready": true, "findings": [] }),
        "the summary now precedes the meeting"
    );
}

#[tokio::test]
async fn fixing_each_blocker_clears_it() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let b = broken(app, &tenant.admin).await;
    let update = "mutation($input: PreventionMeasureUpdateInput!) { preventionMeasureUpdate(input: $input) { userErrors { code } } }";
    let incident = app
        .data(
            &tenant.admin,
            "query($id: ID!) { node(id: $id) { ... on PostMortem { incident { id } } } }",
            json!({ "id": b.post_mortem }),
        )
        .await;
    let incident_id = incident["node"]["incident"]["id"].clone();
    app.data(&tenant.admin, TIMELINE_CREATE, json!({ "input": { "incidentId": incident_id, "occurredAt": "2026-03-01T09:05:00Z", "kind": "DETECTED", "body": "Queue delays were detected.", "visibility": "CLIENT" } })).await;
    app.data(&tenant.admin, "mutation($input: RootCauseUpdateInput!) { rootCauseUpdate(input: $input) { userErrors { code } } }", json!({ "input": { "id": b.cause, "kind": "ROOT_CAUSE", "clientExplanation": "A settings change halved the number of queue workers." } })).await;
    app.data(&tenant.admin, IMPACT_SET, json!({ "input": { "incidentId": incident_id, "clientId": b.client, "level": "DEGRADED", "startedAt": "2026-03-01T09:00:00Z", "description": "Emails arrived late." } })).await;
    app.data(&tenant.admin, update, json!({ "input": { "id": b.vague, "title": "Alert when queue depth exceeds 1,000", "ownerTeam": "Messaging", "dueOn": "2099-01-01", "successCriterion": "The alert fires within 2 minutes in a drill." } })).await;
    app.data(&tenant.admin, POST_MORTEM_UPDATE, json!({ "input": { "postMortemId": b.post_mortem, "version": 2, "impactSummary": "Emails were delayed for two hours." } })).await;
    let report = readiness(app, &tenant.admin, &b.post_mortem).await;
    assert_eq!(report["ready"], true, "{report}");
    let codes: Vec<String> = findings(&report)
        .into_iter()
        .map(|(code, ..)| code)
        .collect();
    assert_eq!(
        codes,
        [
            "DEFENSIVE_TONE",
            "SELF_FLAGELLATION",
            "SELF_FLAGELLATION",
            "VAGUE_MEASURE",
            "MEASURE_PAST_DUE",
            "MEASURE_KIND_MISSING"
        ],
        "{report}"
    );
    let published = app
        .data(
            &tenant.editor,
            PUBLISH,
            json!({ "input": { "postMortemId": b.post_mortem } }),
        )
        .await;
    assert_eq!(
        published["postMortemPublish"]["postMortem"]["status"], "PUBLISHED",
        "{published}"
    );
}

#[tokio::test]
async fn the_block_policy_turns_blame_into_blockers() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let record = record::build(app, &tenant.admin, 3).await;
    app.data(&tenant.admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { userErrors { code } } }", json!({ "input": { "email": "dana.w@acme.example", "displayName": "Dana Whitfield", "role": "VIEWER" } })).await;
    app.data(&tenant.admin, "mutation($input: RootCauseUpdateInput!) { rootCauseUpdate(input: $input) { userErrors { code } } }", json!({ "input": { "id": record.root_cause_id, "clientExplanation": "Dana forgot to raise the limit; it was beyond our control." } })).await;
    let warned = readiness(app, &tenant.admin, &record.post_mortem_id).await;
    let path = format!("rootCauses[{}].clientExplanation", record.root_cause_id);
    assert_eq!(warned["ready"], true);
    assert_eq!(
        findings(&warned),
        [
            row("PERSON_NAMED", "WARNING", path.clone()),
            row("BLAMING_LANGUAGE", "WARNING", path.clone()),
            row("DEFENSIVE_TONE", "WARNING", path.clone()),
        ]
    );
    let policy = app
        .data(
            &tenant.admin,
            SETTINGS,
            json!({ "input": { "blamelessPolicy": "BLOCK" } }),
        )
        .await;
    assert_eq!(policy["tenantSettingsUpdate"]["userErrors"], json!([]));
    let blocked = readiness(app, &tenant.admin, &record.post_mortem_id).await;
    assert_eq!(blocked["ready"], false);
    assert_eq!(
        findings(&blocked),
        [
            row("PERSON_NAMED", "BLOCKER", path.clone()),
            row("BLAMING_LANGUAGE", "BLOCKER", path.clone()),
            row("DEFENSIVE_TONE", "WARNING", path.clone()),
        ],
        "tone stays a warning"
    );
    let refused = app
        .data(
            &tenant.editor,
            PUBLISH,
            json!({ "input": { "postMortemId": record.post_mortem_id } }),
        )
        .await;
    assert_eq!(
        user_error_codes(&refused["postMortemPublish"]),
        ["PERSON_NAMED", "BLAMING_LANGUAGE"]
    );
    assert_eq!(
        refused["postMortemPublish"]["userErrors"][0]["field"],
        json!(["postMortemId"]),
        "an input path"
    );
    assert_eq!(
        refused["postMortemPublish"]["userErrors"][0]["findingPath"],
        json!(path)
    );
}

#[tokio::test]
async fn only_an_admin_overrides_with_a_reason_and_the_audit_log_keeps_it() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let record = record::build(app, &tenant.admin, 3).await;
    app.data(&tenant.admin, POST_MORTEM_UPDATE, json!({ "input": { "postMortemId": record.post_mortem_id, "version": 2, "impactSummary": "" } })).await;
    let overriding = |reason: &str| json!({ "input": { "postMortemId": record.post_mortem_id, "override": { "reason": reason } } });
    let before = app.audit_count(&tenant.admin).await;
    let editor = app
        .gql(&tenant.editor, PUBLISH, overriding("deadline"))
        .await;
    assert_eq!(error_codes(&editor), ["FORBIDDEN"], "{editor}");
    let blank = app.data(&tenant.admin, PUBLISH, overriding("   ")).await;
    assert_eq!(
        blank["postMortemPublish"]["userErrors"],
        json!([{ "field": ["override", "reason"], "code": "BLANK", "message": "reason must not be blank", "findingPath": null }])
    );
    let huge = app
        .data(&tenant.admin, PUBLISH, overriding(&"x".repeat(2_001)))
        .await;
    assert_eq!(user_error_codes(&huge["postMortemPublish"]), ["TOO_LONG"]);
    assert_eq!(
        app.audit_count(&tenant.admin).await,
        before,
        "refusals write nothing"
    );

    let published = app
        .data(
            &tenant.admin,
            PUBLISH,
            overriding("The client asked for the record before the board meeting."),
        )
        .await;
    assert_eq!(
        published["postMortemPublish"],
        json!({ "postMortem": { "status": "PUBLISHED" }, "userErrors": [] })
    );
    let entry = publish_entry(app, &tenant.admin, &record.post_mortem_id).await;
    assert_eq!(
        entry["changes"]["override"]["to"],
        json!({
            "reason": "The client asked for the record before the board meeting.",
            "findings": [{ "code": "NO_IMPACT_SUMMARY", "path": "impactSummary", "message": "The impact summary is empty; say what was affected, for whom and for how long." }],
        }),
        "{entry}"
    );
}

#[tokio::test]
async fn an_override_without_blockers_is_not_recorded_as_one() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let record = record::build(app, &tenant.admin, 3).await;
    let published = app
        .data(&tenant.admin, PUBLISH, json!({ "input": { "postMortemId": record.post_mortem_id, "override": { "reason": "just in case" } } }))
        .await;
    assert_eq!(
        published["postMortemPublish"]["postMortem"]["status"],
        "PUBLISHED"
    );
    let entry = publish_entry(app, &tenant.admin, &record.post_mortem_id).await;
    assert_eq!(entry["changes"]["status"]["to"], "PUBLISHED", "{entry}");
    assert_eq!(entry["changes"].get("override"), None, "{entry}");
}

#[tokio::test]
async fn tenant_phrases_extend_the_lists_and_bad_ones_are_refused() {
    let world = World::new().await;
    let (app, tenant) = (&world.app, &world.a);
    let record = record::build(app, &tenant.admin, 3).await;
    app.data(&tenant.admin, "mutation($input: RootCauseUpdateInput!) { rootCauseUpdate(input: $input) { userErrors { code } } }", json!({ "input": { "id": record.root_cause_id, "clientExplanation": "A cowboy deploy hit an act of god; mea culpa." } })).await;
    assert_eq!(
        findings(&readiness(app, &tenant.admin, &record.post_mortem_id).await),
        []
    );
    let saved = app
        .data(&tenant.admin, SETTINGS, json!({ "input": { "blamelessTerms": [" cowboy deploy ", "Cowboy Deploy"], "defensiveTerms": ["act of god"], "selfFlagellationTerms": ["mea culpa"] } }))
        .await;
    assert_eq!(
        saved["tenantSettingsUpdate"]["tenant"]["settings"],
        json!({ "blamelessPolicy": "WARN", "blamelessTerms": ["cowboy deploy"], "defensiveTerms": ["act of god"], "selfFlagellationTerms": ["mea culpa"] })
    );
    let codes: Vec<String> = findings(&readiness(app, &tenant.admin, &record.post_mortem_id).await)
        .into_iter()
        .map(|(code, ..)| code)
        .collect();
    assert_eq!(
        codes,
        ["BLAMING_LANGUAGE", "DEFENSIVE_TONE", "SELF_FLAGELLATION"]
    );

    let before = app.audit_count(&tenant.admin).await;
    for (terms, field, code) in [
        (
            json!({ "blamelessTerms": ["ok", "  "] }),
            json!(["blamelessTerms", "1"]),
            "BLANK",
        ),
        (
            json!({ "defensiveTerms": ["x".repeat(101)] }),
            json!(["defensiveTerms", "0"]),
            "TOO_LONG",
        ),
        (
            json!({ "selfFlagellationTerms": ["!!"] }),
            json!(["selfFlagellationTerms", "0"]),
            "INVALID",
        ),
        (
            json!({ "blamelessTerms": vec!["x"; 101] }),
            json!(["blamelessTerms"]),
            "TOO_LONG",
        ),
    ] {
        let refused = app
            .data(&tenant.admin, SETTINGS, json!({ "input": terms }))
            .await;
        assert_eq!(
            refused["tenantSettingsUpdate"]["userErrors"],
            json!([{ "field": field, "code": code }]),
            "{refused}"
        );
    }
    assert_eq!(
        app.audit_count(&tenant.admin).await,
        before,
        "nothing was saved"
    );
    let editor = app
        .gql(
            &tenant.editor,
            SETTINGS,
            json!({ "input": { "blamelessTerms": ["x"] } }),
        )
        .await;
    assert_eq!(error_codes(&editor), ["FORBIDDEN"]);
}

#[tokio::test]
async fn meetings_are_cancelled_with_null_and_foreign_or_bad_ids_are_not_found() {
    let world = World::new().await;
    let (app, tenant, other) = (&world.app, &world.a, &world.b);
    let record = record::build(app, &tenant.admin, 3).await;
    app.data(
        &tenant.admin,
        SCHEDULE,
        json!({ "id": record.post_mortem_id, "at": "2026-03-05T10:00:00Z" }),
    )
    .await;
    let cancelled = app
        .data(
            &tenant.admin,
            SCHEDULE,
            json!({ "id": record.post_mortem_id, "at": null }),
        )
        .await;
    assert_eq!(
        cancelled["postMortemScheduleMeeting"],
        json!({ "postMortem": { "meetingAt": null }, "findings": [], "userErrors": [] })
    );
    let before = app.audit_count(&other.admin).await;
    for token in [&other.admin, &other.editor] {
        let foreign = app
            .gql(
                token,
                SCHEDULE,
                json!({ "id": record.post_mortem_id, "at": "2026-03-05T10:00:00Z" }),
            )
            .await;
        assert_eq!(error_codes(&foreign), ["NOT_FOUND"], "{foreign}");
        let read = app
            .gql(token, READINESS, json!({ "id": record.post_mortem_id }))
            .await;
        assert_eq!(error_codes(&read), ["NOT_FOUND"], "{read}");
    }
    let garbage = app
        .gql(
            &tenant.admin,
            SCHEDULE,
            json!({ "id": "not-an-id", "at": "2026-03-05T10:00:00Z" }),
        )
        .await;
    assert_eq!(error_codes(&garbage), ["NOT_FOUND"], "{garbage}");
    let bad_time = app
        .gql(
            &tenant.admin,
            SCHEDULE,
            json!({ "id": record.post_mortem_id, "at": "tomorrow" }),
        )
        .await;
    assert_eq!(error_codes(&bad_time), ["BAD_USER_INPUT"], "{bad_time}");
    let ancient = app
        .data(
            &tenant.admin,
            SCHEDULE,
            json!({ "id": record.post_mortem_id, "at": "1969-12-31T23:00:00Z" }),
        )
        .await;
    assert_eq!(
        ancient["postMortemScheduleMeeting"],
        json!({ "postMortem": null, "findings": [], "userErrors": [{ "code": "INVALID" }] })
    );
    let precise = app
        .data(
            &tenant.admin,
            SCHEDULE,
            json!({ "id": record.post_mortem_id, "at": "2099-03-05T10:00:00.123456789Z" }),
        )
        .await;
    assert_eq!(
        precise["postMortemScheduleMeeting"]["postMortem"]["meetingAt"],
        "2099-03-05T10:00:00.123456Z",
        "stored to the microsecond"
    );
    assert_eq!(app.audit_count(&other.admin).await, before);
}
