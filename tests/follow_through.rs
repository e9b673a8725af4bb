//! Follow-through: the 30-day effectiveness review, and the lists of what needs doing.

use crate::support::record;
use crate::support::{TestApp, World, error_codes, spawn_app, user_error_codes};
use serde_json::{Value, json};

const PUBLISH: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }";
/// Publishes a bare incident's post-mortem, which readiness would block, as an ADMIN.
const PUBLISH_OVER_BLOCKERS: &str = "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id, override: { reason: \"fixture without a written record\" } }) { userErrors { code } } }";
const REVIEW: &str = "mutation($input: EffectivenessReviewRecordInput!) { effectivenessReviewRecord(input: $input) { review { heldAt summary verdicts { effectiveness note measure { title } } } userErrors { field code message } } }";

fn review_input(post_mortem: &str, measure: &str) -> Value {
    json!({ "input": {
        "postMortemId": post_mortem,
        "heldAt": chrono::Utc::now().to_rfc3339(),
        "summary": "The CI check shipped and caught two bad changes since.",
        "verdicts": [{ "measureId": measure, "effectiveness": "EFFECTIVE", "note": "Caught two changes" }],
    } })
}

async fn age_reviews(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    let past = (chrono::Utc::now() - chrono::TimeDelta::days(1)).to_rfc3339();
    let sql = match app.db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "UPDATE post_mortems SET review_due_at = $1::timestamptz WHERE review_due_at IS NOT NULL"
        }
        _ => "UPDATE post_mortems SET review_due_at = ? WHERE review_due_at IS NOT NULL",
    };
    app.owner_db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            app.db.get_database_backend(),
            sql,
            [past.into()],
        ))
        .await
        .expect("age reviews");
}

async fn listed(app: &TestApp, token: &str, filter: Value) -> Vec<String> {
    let data = app
        .data(
            token,
            "query($f: IncidentFilter) { incidents(filter: $f) { nodes { title } } }",
            json!({ "f": filter }),
        )
        .await;
    data["incidents"]["nodes"]
        .as_array()
        .map(|n| {
            n.iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_review_records_verdicts_and_moves_the_post_mortem_to_reviewed() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 2).await;
    let draft = app
        .data(
            &tenant.admin,
            REVIEW,
            review_input(&record.post_mortem_id, &record.measure_ids[0]),
        )
        .await;
    assert_eq!(
        user_error_codes(&draft["effectivenessReviewRecord"]),
        ["INVALID"],
        "a draft cannot be reviewed"
    );
    app.data(
        &tenant.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let reviewed = app
        .data(
            &tenant.admin,
            REVIEW,
            review_input(&record.post_mortem_id, &record.measure_ids[0]),
        )
        .await;
    let review = &reviewed["effectivenessReviewRecord"]["review"];
    assert_eq!(
        review["verdicts"],
        json!([{ "effectiveness": "EFFECTIVE", "note": "Caught two changes", "measure": { "title": "Measure 0" } }]),
        "{reviewed}"
    );
    let after = app
        .data(&tenant.admin, "query($id: ID!) { node(id: $id) { ... on PostMortem { status reviewOverdue review { summary } incident { measures { effectiveness effectivenessNote } } } } }", json!({ "id": record.post_mortem_id }))
        .await;
    assert_eq!(after["node"]["status"], "REVIEWED");
    assert_eq!(after["node"]["reviewOverdue"], false);
    assert_eq!(
        after["node"]["review"]["summary"],
        "The CI check shipped and caught two bad changes since."
    );
    assert_eq!(
        after["node"]["incident"]["measures"],
        json!([{ "effectiveness": "EFFECTIVE", "effectivenessNote": "Caught two changes" }, { "effectiveness": "NOT_REVIEWED", "effectivenessNote": null }])
    );
    let mut earlier = review_input(&record.post_mortem_id, &record.measure_ids[0]);
    earlier["input"]["heldAt"] =
        json!((chrono::Utc::now() - chrono::TimeDelta::hours(1)).to_rfc3339());
    let again = app.data(&tenant.admin, REVIEW, earlier).await;
    assert_eq!(
        user_error_codes(&again["effectivenessReviewRecord"]),
        ["OUT_OF_ORDER"],
        "a later review is held after the one before it"
    );
    let log = app.data(&tenant.admin, "query($id: ID!) { auditLog(filter: { entityId: $id }, first: 1) { nodes { action } } }", json!({ "id": record.post_mortem_id })).await;
    assert_eq!(
        log["auditLog"]["nodes"][0]["action"],
        "effectiveness_review.record"
    );
}

#[tokio::test]
async fn bad_reviews_are_refused_and_nothing_is_written() {
    let world = World::new().await;
    let app = &world.app;
    let record = record::build(app, &world.a.admin, 1).await;
    let other = record::build(app, &world.a.admin, 1).await;
    app.data(
        &world.a.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let before = app.audit_count(&world.a.admin).await;
    let foreign = app
        .data(
            &world.a.admin,
            REVIEW,
            review_input(&record.post_mortem_id, &other.measure_ids[0]),
        )
        .await;
    assert_eq!(
        user_error_codes(&foreign["effectivenessReviewRecord"]),
        ["NOT_FOUND"],
        "a measure of another post-mortem"
    );
    let mut blank = review_input(&record.post_mortem_id, &record.measure_ids[0]);
    blank["input"]["summary"] = json!(" ");
    blank["input"]["verdicts"][0]["note"] = json!("n".repeat(5_001));
    let blank = app.data(&world.a.admin, REVIEW, blank).await;
    let payload = &blank["effectivenessReviewRecord"];
    assert_eq!(user_error_codes(payload), ["BLANK", "TOO_LONG"]);
    assert_eq!(payload["userErrors"][0]["field"], json!(["summary"]));
    assert_eq!(
        payload["userErrors"][1]["field"],
        json!(["verdicts", "0", "note"]),
        "the path of the verdict's own field"
    );
    let mut not_reviewed = review_input(&record.post_mortem_id, &record.measure_ids[0]);
    not_reviewed["input"]["verdicts"][0]["effectiveness"] = json!("NOT_REVIEWED");
    let (_, body) = app
        .post(
            Some(&world.a.admin),
            json!({ "query": REVIEW, "variables": not_reviewed }),
        )
        .await;
    assert_eq!(
        error_codes(&body),
        ["BAD_USER_INPUT"],
        "not a verdict: {body}"
    );
    let mut twice = review_input(&record.post_mortem_id, &record.measure_ids[0]);
    let verdict = twice["input"]["verdicts"][0].clone();
    twice["input"]["verdicts"] = json!([verdict.clone(), verdict]);
    let twice = app.data(&world.a.admin, REVIEW, twice).await;
    let payload = &twice["effectivenessReviewRecord"];
    assert_eq!(
        user_error_codes(payload),
        ["INVALID"],
        "one verdict per measure"
    );
    assert_eq!(
        payload["userErrors"][0]["field"],
        json!(["verdicts", "1", "measureId"])
    );
    let mut early = review_input(&record.post_mortem_id, &record.measure_ids[0]);
    early["input"]["heldAt"] = json!("2026-01-01T00:00:00Z");
    let early = app.data(&world.a.admin, REVIEW, early).await;
    assert_eq!(
        user_error_codes(&early["effectivenessReviewRecord"]),
        ["OUT_OF_ORDER"]
    );
    for (role, token) in [
        ("VIEWER", &world.a.viewer),
        ("REPORTER", &world.a.reporter),
        ("CLIENT", &world.a.client),
    ] {
        let body = app
            .gql(
                token,
                REVIEW,
                review_input(&record.post_mortem_id, &record.measure_ids[0]),
            )
            .await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{role}");
    }
    let body = app
        .gql(
            &world.b.admin,
            REVIEW,
            review_input(&record.post_mortem_id, &record.measure_ids[0]),
        )
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "another tenant");
    let mut invalid = review_input(&record.post_mortem_id, &record.measure_ids[0]);
    invalid["input"]["summary"] = json!(" ");
    let body = app.gql(&world.b.admin, REVIEW, invalid).await;
    assert_eq!(
        error_codes(&body),
        ["NOT_FOUND"],
        "another tenant's post-mortem is not found before its input is judged: {body}"
    );
    assert_eq!(app.audit_count(&world.a.admin).await, before);
}

#[tokio::test]
async fn reviews_past_their_date_are_overdue_and_listed_until_held() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let record = record::build(&app, &tenant.admin, 1).await;
    app.data(
        &tenant.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    assert!(
        listed(&app, &tenant.admin, json!({ "reviewDue": true }))
            .await
            .is_empty(),
        "not due yet"
    );
    age_reviews(&app).await;
    assert_eq!(
        listed(&app, &tenant.admin, json!({ "reviewDue": true })).await,
        ["Checkout failures"]
    );
    let overdue = app
        .data(
            &tenant.admin,
            "query($id: ID!) { node(id: $id) { ... on PostMortem { reviewOverdue } } }",
            json!({ "id": record.post_mortem_id }),
        )
        .await;
    assert_eq!(overdue["node"]["reviewOverdue"], true);
    app.data(
        &tenant.admin,
        REVIEW,
        review_input(&record.post_mortem_id, &record.measure_ids[0]),
    )
    .await;
    assert!(
        listed(&app, &tenant.admin, json!({ "reviewDue": true }))
            .await
            .is_empty(),
        "held"
    );
    assert_eq!(
        listed(&app, &tenant.admin, json!({ "reviewDue": false })).await,
        ["Checkout failures"]
    );
}

#[tokio::test]
async fn significant_incidents_with_a_late_post_mortem_are_listed_as_due() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let create = "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { incident { postMortem { id } } } }";
    let resolved = |title: &str, severity: &str, resolved: &str| json!({ "input": { "title": title, "severity": severity, "status": "RESOLVED", "startedAt": "2026-01-01T00:00:00Z", "resolvedAt": resolved } });
    let recent = chrono::Utc::now() - chrono::TimeDelta::days(2);
    app.data(
        &tenant.admin,
        create,
        resolved("Old SEV1", "SEV1", "2026-01-02T00:00:00Z"),
    )
    .await;
    app.data(
        &tenant.admin,
        create,
        resolved("Old SEV3", "SEV3", "2026-01-02T00:00:00Z"),
    )
    .await;
    app.data(
        &tenant.admin,
        create,
        resolved("Recent SEV2", "SEV2", &recent.to_rfc3339()),
    )
    .await;
    let published = app
        .data(
            &tenant.admin,
            create,
            resolved("Published SEV2", "SEV2", "2026-01-02T00:00:00Z"),
        )
        .await;
    app.data(
        &tenant.admin,
        PUBLISH_OVER_BLOCKERS,
        json!({ "id": published["incidentCreate"]["incident"]["postMortem"]["id"] }),
    )
    .await;
    app.data(&tenant.admin, create, json!({ "input": { "title": "Open SEV1", "severity": "SEV1", "startedAt": "2026-01-01T00:00:00Z" } })).await;
    assert_eq!(
        listed(&app, &tenant.admin, json!({ "postMortemDue": true })).await,
        ["Old SEV1"]
    );
    app.data(&tenant.admin, "mutation { tenantSettingsUpdate(input: { postMortemDueDays: 1 }) { userErrors { code } } }", json!({})).await;
    assert_eq!(
        listed(&app, &tenant.admin, json!({ "postMortemDue": true })).await,
        ["Recent SEV2", "Old SEV1"]
    );
}

#[tokio::test]
async fn a_later_incident_sharing_a_category_and_a_service_is_a_recurrence() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("acme").await;
    let token = &tenant.admin;
    let service = app
        .data(
            token,
            "mutation { serviceCreate(input: { name: \"Payments\" }) { service { id } } }",
            json!({}),
        )
        .await["serviceCreate"]["service"]["id"]
        .clone();
    let other_service = app
        .data(
            token,
            "mutation { serviceCreate(input: { name: \"Email\" }) { service { id } } }",
            json!({}),
        )
        .await["serviceCreate"]["service"]["id"]
        .clone();
    let create = "mutation($input: IncidentCreateInput!) { incidentCreate(input: $input) { incident { id postMortem { id } } } }";
    let incident = |title: &str,
                    started: String,
                    resolved: Option<String>,
                    services: Vec<Value>| {
        let status = if resolved.is_some() {
            "RESOLVED"
        } else {
            "INVESTIGATING"
        };
        json!({ "input": { "title": title, "severity": "SEV2", "status": status, "startedAt": started, "resolvedAt": resolved, "serviceIds": services } })
    };
    let cause = |id: &Value, category: &str| json!({ "input": { "incidentId": id, "kind": "ROOT_CAUSE", "category": category } });
    let original = app
        .data(
            token,
            create,
            incident(
                "Original",
                "2026-01-01T00:00:00Z".into(),
                Some("2026-01-01T02:00:00Z".into()),
                vec![service.clone()],
            ),
        )
        .await;
    let original_id = original["incidentCreate"]["incident"]["id"].clone();
    app.data(
        token,
        record::ROOT_CAUSE_CREATE,
        cause(&original_id, "CONFIGURATION"),
    )
    .await;
    let before = app
        .data(
            token,
            create,
            incident(
                "Before publication",
                "2026-02-01T00:00:00Z".into(),
                None,
                vec![service.clone()],
            ),
        )
        .await;
    app.data(
        token,
        record::ROOT_CAUSE_CREATE,
        cause(&before["incidentCreate"]["incident"]["id"], "CONFIGURATION"),
    )
    .await;
    app.data(
        token,
        PUBLISH_OVER_BLOCKERS,
        json!({ "id": original["incidentCreate"]["incident"]["postMortem"]["id"] }),
    )
    .await;
    let soon = (chrono::Utc::now() + chrono::TimeDelta::minutes(5)).to_rfc3339();
    let again = app
        .data(
            token,
            create,
            incident("Again", soon.clone(), None, vec![service.clone()]),
        )
        .await;
    let again_cause = app
        .data(
            token,
            record::ROOT_CAUSE_CREATE,
            cause(&again["incidentCreate"]["incident"]["id"], "CONFIGURATION"),
        )
        .await["rootCauseCreate"]["rootCause"]["id"]
        .clone();
    let other_cause = app
        .data(
            token,
            create,
            incident("Other category", soon.clone(), None, vec![service.clone()]),
        )
        .await;
    app.data(
        token,
        record::ROOT_CAUSE_CREATE,
        cause(&other_cause["incidentCreate"]["incident"]["id"], "CAPACITY"),
    )
    .await;
    let other_system = app
        .data(
            token,
            create,
            incident("Other service", soon, None, vec![other_service]),
        )
        .await;
    app.data(
        token,
        record::ROOT_CAUSE_CREATE,
        cause(
            &other_system["incidentCreate"]["incident"]["id"],
            "CONFIGURATION",
        ),
    )
    .await;
    let links = app
        .data(token, "{ incidents(orderBy: { field: NUMBER, direction: ASC }) { nodes { title recurrenceOf { title } recurrences { title } } } }", json!({}))
        .await;
    assert_eq!(
        links["incidents"]["nodes"],
        json!([
            { "title": "Original", "recurrenceOf": [], "recurrences": [{ "title": "Again" }] },
            { "title": "Before publication", "recurrenceOf": [], "recurrences": [] },
            { "title": "Again", "recurrenceOf": [{ "title": "Original" }], "recurrences": [] },
            { "title": "Other category", "recurrenceOf": [], "recurrences": [] },
            { "title": "Other service", "recurrenceOf": [], "recurrences": [] },
        ])
    );

    // Metrics count the same link from what each write keeps up to date.
    let counted = || async {
        let range = json!({ "from": "2026-01-01T00:00:00Z", "to": (chrono::Utc::now() + chrono::TimeDelta::days(1)).to_rfc3339() });
        app.data(token, "query($from: DateTime!, $to: DateTime!) { metrics(from: $from, to: $to) { total { reviews { recurrences } } } }", range)
            .await["metrics"]["total"]["reviews"]["recurrences"]
            .clone()
    };
    assert_eq!(counted().await, 1, "Again recurs Original");
    let recategorise = "mutation($id: ID!, $category: RootCauseCategory!) { rootCauseUpdate(input: { id: $id, category: $category }) { userErrors { code } } }";
    app.data(
        token,
        recategorise,
        json!({ "id": again_cause, "category": "CAPACITY" }),
    )
    .await;
    assert_eq!(counted().await, 0, "no shared category any more");
    app.data(
        token,
        recategorise,
        json!({ "id": again_cause, "category": "CONFIGURATION" }),
    )
    .await;
    assert_eq!(counted().await, 1);
    let unpublish = "mutation($id: ID!) { postMortemUnpublish(input: { postMortemId: $id, reason: \"corrections\" }) { userErrors { code } } }";
    app.data(
        token,
        unpublish,
        json!({ "id": original["incidentCreate"]["incident"]["postMortem"]["id"] }),
    )
    .await;
    assert_eq!(counted().await, 0, "nothing published to recur");
}

#[tokio::test]
async fn the_follow_up_report_states_each_measure_against_its_commitment() {
    let world = World::new().await;
    let app = &world.app;
    let record = record::build(app, &world.a.admin, 3).await;
    let viewer = app
        .data(&world.a.client, "{ viewer { user { id } } }", json!({}))
        .await;
    app.data(&world.a.admin, "mutation($id: ID!, $c: ID!) { userUpdate(input: { id: $id, clientId: $c }) { userErrors { code } } }", json!({ "id": viewer["viewer"]["user"]["id"], "c": record.client_id })).await;
    app.data(
        &world.a.admin,
        PUBLISH,
        json!({ "id": record.post_mortem_id }),
    )
    .await;
    let update = "mutation($input: PreventionMeasureUpdateInput!) { preventionMeasureUpdate(input: $input) { userErrors { code } } }";
    app.data(
        &world.a.admin,
        update,
        json!({ "input": { "id": record.measure_ids[0], "status": "IN_PROGRESS" } }),
    )
    .await;
    app.data(
        &world.a.admin,
        update,
        json!({ "input": { "id": record.measure_ids[0], "status": "DONE" } }),
    )
    .await;
    app.data(&world.a.admin, update, json!({ "input": { "id": record.measure_ids[1], "status": "CANCELLED", "cancelReason": "Replaced by the platform migration" } })).await;
    app.data(
        &world.a.admin,
        update,
        json!({ "input": { "id": record.measure_ids[2], "dueOn": "2027-02-01" } }),
    )
    .await;
    let question = app
        .data(&world.a.client, "mutation($id: ID!) { feedbackSubmit(input: { incidentId: $id, kind: QUESTION, body: \"Is the limit monitored now?\" }) { feedback { id } } }", json!({ "id": record.incident_id }))
        .await;
    app.data(&world.a.editor, "mutation($id: ID!) { feedbackReply(input: { feedbackId: $id, body: \"Yes.\" }) { userErrors { code } } }", json!({ "id": question["feedbackSubmit"]["feedback"]["id"] })).await;
    let report = |token: &str| {
        let token = token.to_owned();
        let id = record.post_mortem_id.clone();
        async move {
            let data = app
                .data(
                    &token,
                    "query($id: ID!) { node(id: $id) { ... on PostMortem { followUpReport } } }",
                    json!({ "id": id }),
                )
                .await;
            data["node"]["followUpReport"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let text = report(&world.a.client).await;
    let today = chrono::Utc::now().date_naive();
    let committed = chrono::NaiveDate::from_ymd_opt(2099, 12, 1).expect("date");
    let done = match (today - committed).num_days() {
        0 => format!("Done on {today}, on the committed date."),
        late if late > 0 => format!(
            "Done on {today}, {late} day{} after the committed date of 2099-12-01.",
            if late == 1 { "" } else { "s" }
        ),
        early => format!(
            "Done on {today}, {} day{} before the committed date of 2099-12-01.",
            -early,
            if early == -1 { "" } else { "s" }
        ),
    };
    for expected in [
        "— what we implemented",
        "## Prevention measures",
        &format!("1. **Measure 0** (Technical). {done}"),
        "2. **Measure 1** (Process). Cancelled: Replaced by the platform migration",
        "The due date has moved to 2027-02-01.",
        "## Did it work?",
        "The effectiveness review is due on",
        "## Recurrence",
        "No later incident has shared this incident's cause and service.",
        "## Your questions",
        "- **Question** (answered): Is the limit monitored now?",
    ] {
        assert!(text.contains(expected), "missing `{expected}`:\n{text}");
    }
    let reporter = report(&world.a.reporter).await;
    assert!(
        reporter.contains("- **Question** (answered)")
            && !reporter.contains("Is the limit monitored"),
        "reporters do not read question text:\n{reporter}"
    );
    let html = app.data(&world.a.admin, "query($id: ID!) { node(id: $id) { ... on PostMortem { followUpReport(format: HTML) } } }", json!({ "id": record.post_mortem_id })).await;
    assert!(
        html["node"]["followUpReport"]
            .as_str()
            .unwrap_or_default()
            .contains("<h2>Did it work?</h2>")
    );
}
