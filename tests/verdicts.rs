//! Follow-up verdicts: a measure judged after the review, a second review, and the history of
//! every verdict behind the measure's latest one.

use crate::support::record::{self, Record};
use crate::support::{TestApp, World, error_codes, user_error_codes};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

const VERDICT: &str = "mutation($input: EffectivenessVerdictSetInput!) { effectivenessVerdictSet(input: $input) { preventionMeasure { effectiveness effectivenessNote effectivenessJudgedAt } userErrors { field code message } } }";
const REVIEW: &str = "mutation($input: EffectivenessReviewRecordInput!) { effectivenessReviewRecord(input: $input) { review { number heldAt } userErrors { field code } } }";
const HISTORY: &str = "query($id: ID!) { node(id: $id) { ... on PreventionMeasure { effectiveness effectivenessNote effectivenessJudgedAt verdicts { effectiveness note judgedAt fromReview recordedBy { id } } } } }";

async fn verdict(
    app: &TestApp,
    token: &str,
    measure: &str,
    effectiveness: &str,
    note: Option<&str>,
) -> Value {
    let input = json!({ "measureId": measure, "effectiveness": effectiveness, "note": note });
    app.gql(token, VERDICT, json!({ "input": input })).await
}

async fn review(
    app: &TestApp,
    token: &str,
    record: &Record,
    held_at: DateTime<Utc>,
    verdicts: Value,
) -> Value {
    let input = json!({ "postMortemId": record.post_mortem_id, "heldAt": held_at.to_rfc3339(), "summary": format!("Reviewed at {held_at}"), "verdicts": verdicts });
    app.gql(token, REVIEW, json!({ "input": input })).await
}

/// A published record of three measures, which impacted the world's client.
async fn published(world: &World) -> Record {
    let record = record::build(&world.app, &world.a.admin, 3).await;
    let impact = json!({ "incidentId": record.incident_id, "clientId": world.a.client_id, "level": "DEGRADED", "description": "Slow checkout", "startedAt": "2026-03-01T09:00:00Z", "endedAt": "2026-03-01T10:00:00Z" });
    record::mutate(
        &world.app,
        &world.a.admin,
        record::IMPACT_SET,
        impact,
        "clientImpactSet",
        "clientImpact",
    )
    .await;
    let data = world
        .app
        .data(&world.a.admin, "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }", json!({ "id": record.post_mortem_id }))
        .await;
    assert_eq!(data["postMortemPublish"]["userErrors"], json!([]));
    record
}

#[tokio::test]
async fn a_measure_finished_after_the_review_gets_its_verdict_and_keeps_the_history() {
    let world = World::new().await;
    let (app, editor) = (&world.app, &world.a.editor);
    let record = published(&world).await;
    let (first, second) = (&record.measure_ids[0], &record.measure_ids[1]);
    let early = verdict(app, editor, second, "EFFECTIVE", None).await;
    let refusal = &early["data"]["effectivenessVerdictSet"];
    assert_eq!(user_error_codes(refusal), ["INVALID"], "{early}");
    assert_eq!(refusal["userErrors"][0]["field"], json!(["measureId"]));
    assert!(
        refusal["userErrors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("effectivenessReviewRecord"))
    );
    let held_at = Utc::now();
    let reviewed = review(app, editor, &record, held_at, json!([{ "measureId": first, "effectiveness": "PARTIALLY_EFFECTIVE", "note": "Half the alerts" }])).await;
    assert_eq!(
        reviewed["data"]["effectivenessReviewRecord"]["userErrors"],
        json!([]),
        "{reviewed}"
    );
    let judged = verdict(
        app,
        editor,
        second,
        "EFFECTIVE",
        Some("Finished after the review"),
    )
    .await;
    let measure = &judged["data"]["effectivenessVerdictSet"]["preventionMeasure"];
    assert_eq!(measure["effectiveness"], "EFFECTIVE", "{judged}");
    assert_eq!(measure["effectivenessNote"], "Finished after the review");
    assert!(measure["effectivenessJudgedAt"].is_string());
    let rejudged = verdict(app, editor, first, "EFFECTIVE", Some("All alerts now")).await;
    assert_eq!(
        rejudged["data"]["effectivenessVerdictSet"]["userErrors"],
        json!([])
    );
    let history = app
        .data(&world.a.admin, HISTORY, json!({ "id": first }))
        .await;
    let node = &history["node"];
    assert_eq!(
        (&node["effectiveness"], &node["effectivenessNote"]),
        (&json!("EFFECTIVE"), &json!("All alerts now"))
    );
    let verdicts = node["verdicts"].as_array().expect("verdicts");
    assert_eq!(verdicts.len(), 2, "{history}");
    assert_eq!(
        (
            &verdicts[0]["effectiveness"],
            &verdicts[0]["note"],
            &verdicts[0]["fromReview"]
        ),
        (
            &json!("PARTIALLY_EFFECTIVE"),
            &json!("Half the alerts"),
            &json!(true)
        )
    );
    let stored = held_at.format("%Y-%m-%dT%H:%M:%S").to_string();
    assert!(
        verdicts[0]["judgedAt"]
            .as_str()
            .is_some_and(|at| at.starts_with(&stored)),
        "the review's heldAt: {history}"
    );
    assert_eq!(
        (&verdicts[1]["fromReview"], &verdicts[1]["note"]),
        (&json!(false), &json!("All alerts now"))
    );
    assert_eq!(
        verdicts[1]["judgedAt"], node["effectivenessJudgedAt"],
        "the latest verdict's date"
    );
    assert_eq!(verdicts[1]["recordedBy"]["id"], world.a.editor_id.as_str());
    let report = app
        .data(
            &world.a.admin,
            "query($id: ID!) { node(id: $id) { ... on PostMortem { followUpReport } } }",
            json!({ "id": record.post_mortem_id }),
        )
        .await;
    let report = report["node"]["followUpReport"]
        .as_str()
        .expect("report")
        .to_owned();
    let today = Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        report.contains(&format!("Verdict ({today}): effective. All alerts now")),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "Verdict ({today}): effective. Finished after the review"
        )),
        "{report}"
    );
    assert!(
        !report.contains("Half the alerts"),
        "only the latest verdict: {report}"
    );
}

#[tokio::test]
async fn a_second_review_is_recorded_after_the_first_and_the_metrics_count_the_first() {
    let world = World::new().await;
    let (app, editor) = (&world.app, &world.a.editor);
    let record = published(&world).await;
    let first_at = Utc::now();
    let first = review(app, editor, &record, first_at, json!([])).await;
    assert_eq!(
        first["data"]["effectivenessReviewRecord"]["review"]["number"], 1,
        "{first}"
    );
    let too_early = review(
        app,
        editor,
        &record,
        first_at - TimeDelta::minutes(5),
        json!([]),
    )
    .await;
    assert_eq!(
        user_error_codes(&too_early["data"]["effectivenessReviewRecord"]),
        ["OUT_OF_ORDER"],
        "{too_early}"
    );
    let measure = &record.measure_ids[2];
    let second_at = first_at + TimeDelta::hours(2);
    let second = review(
        app,
        editor,
        &record,
        second_at,
        json!([{ "measureId": measure, "effectiveness": "NOT_EFFECTIVE" }]),
    )
    .await;
    assert_eq!(
        second["data"]["effectivenessReviewRecord"]["review"]["number"], 2,
        "{second}"
    );
    let read = app
        .data(&world.a.admin, "query($id: ID!) { node(id: $id) { ... on PostMortem { status version review { number } reviews { number summary } } } }", json!({ "id": record.post_mortem_id }))
        .await;
    let node = &read["node"];
    assert_eq!(node["status"], "REVIEWED");
    assert_eq!(node["review"]["number"], 2, "the latest review: {read}");
    let numbers: Vec<_> = node["reviews"]
        .as_array()
        .expect("reviews")
        .iter()
        .map(|r| r["number"].clone())
        .collect();
    assert_eq!(numbers, [json!(1), json!(2)]);
    let metrics = app
        .data(&world.a.reporter, "query($from: DateTime!, $to: DateTime!) { metrics(from: $from, to: $to) { total { reviews { due held notEffective } } } }", json!({ "from": (Utc::now() - TimeDelta::days(400)).to_rfc3339(), "to": (Utc::now() + TimeDelta::days(400)).to_rfc3339() }))
        .await;
    assert_eq!(
        metrics["metrics"]["total"]["reviews"],
        json!({ "due": 1, "held": 1, "notEffective": 1 }),
        "one review held, however many follow it: {metrics}"
    );
}

#[tokio::test]
async fn verdicts_are_for_writers_of_their_own_tenant_and_bounded() {
    let world = World::new().await;
    let app = &world.app;
    let record = published(&world).await;
    review(app, &world.a.editor, &record, Utc::now(), json!([])).await;
    let measure = &record.measure_ids[0];
    for token in [&world.a.viewer, &world.a.reporter, &world.a.client] {
        let body = verdict(app, token, measure, "EFFECTIVE", None).await;
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{body}");
    }
    let body = verdict(app, &world.b.admin, measure, "EFFECTIVE", None).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let long = "x".repeat(5_001);
    let body = verdict(app, &world.a.admin, measure, "EFFECTIVE", Some(&long)).await;
    assert_eq!(
        user_error_codes(&body["data"]["effectivenessVerdictSet"]),
        ["TOO_LONG"]
    );
    let history = app
        .data(&world.a.admin, HISTORY, json!({ "id": measure }))
        .await;
    assert_eq!(
        history["node"]["verdicts"],
        json!([]),
        "nothing was recorded"
    );
    assert_eq!(history["node"]["effectiveness"], "NOT_REVIEWED");
    verdict(app, &world.a.admin, measure, "EFFECTIVE", Some("Done")).await;
    let client = app
        .gql(&world.a.client, "query($id: ID!) { node(id: $id) { ... on PreventionMeasure { verdicts { effectiveness note recordedBy { id } } } } }", json!({ "id": measure }))
        .await;
    assert_eq!(
        error_codes(&client),
        ["FORBIDDEN"],
        "who recorded it is for staff: {client}"
    );
    let verdicts = &client["data"]["node"]["verdicts"];
    assert_eq!(
        verdicts,
        &json!([{ "effectiveness": "EFFECTIVE", "note": "Done", "recordedBy": null }])
    );
}

/// The migration that numbers reviews and keeps verdicts, taken back and applied again over a
/// reviewed record: the review stays the first, and its verdict enters the measure's history.
#[tokio::test]
async fn migrating_keeps_each_review_and_turns_its_verdicts_into_history() {
    use migration::{Migrator, MigratorTrait};
    let world = World::new().await;
    let (app, editor) = (&world.app, &world.a.editor);
    let record = published(&world).await;
    let measure = &record.measure_ids[0];
    let verdicts =
        json!([{ "measureId": measure, "effectiveness": "EFFECTIVE", "note": "Worked" }]);
    review(app, editor, &record, Utc::now(), verdicts).await;
    // Back to before migration 13 (the verdicts' history), then forward again as a server
    // starting does, which grants the server's role the tables made again.
    let later = Migrator::migrations().len() - 12;
    Migrator::down(&app.owner_db, Some(later as u32))
        .await
        .expect("take the migrations back");
    debrief::repo::migrations::migrate(&app.owner_db, app.database_url())
        .await
        .expect("apply them again");
    let history = app
        .data(&world.a.admin, HISTORY, json!({ "id": measure }))
        .await;
    let verdicts = &history["node"]["verdicts"];
    assert_eq!(verdicts.as_array().map(Vec::len), Some(1), "{history}");
    assert_eq!(
        (&verdicts[0]["note"], &verdicts[0]["fromReview"]),
        (&json!("Worked"), &json!(true))
    );
    assert_eq!(verdicts[0]["recordedBy"]["id"], world.a.editor_id.as_str());
    let read = app
        .data(&world.a.admin, "query($id: ID!) { node(id: $id) { ... on PostMortem { reviews { number summary } } } }", json!({ "id": record.post_mortem_id }))
        .await;
    let reviews = read["node"]["reviews"].as_array().expect("reviews").clone();
    assert_eq!(reviews.len(), 1, "{read}");
    assert_eq!(reviews[0]["number"], 1);
    let second = review(
        app,
        editor,
        &record,
        Utc::now() + TimeDelta::hours(1),
        json!([]),
    )
    .await;
    assert_eq!(
        second["data"]["effectivenessReviewRecord"]["review"]["number"], 2,
        "{second}"
    );
}

#[tokio::test]
async fn a_review_recorded_late_joins_the_history_without_replacing_a_newer_verdict() {
    let world = World::new().await;
    let (app, editor) = (&world.app, &world.a.editor);
    let record = published(&world).await;
    let first_at = Utc::now();
    review(app, editor, &record, first_at, json!([])).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let between = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let measure = &record.measure_ids[0];
    let judged = verdict(
        app,
        editor,
        measure,
        "EFFECTIVE",
        Some("Held in the drill."),
    )
    .await;
    assert_eq!(
        user_error_codes(&judged["data"]["effectivenessVerdictSet"]),
        Vec::<String>::new(),
        "{judged}"
    );
    let late = review(
        app,
        editor,
        &record,
        between,
        json!([{ "measureId": measure, "effectiveness": "NOT_EFFECTIVE", "note": "As seen before the drill." }]),
    )
    .await;
    assert_eq!(
        late["data"]["effectivenessReviewRecord"]["review"]["number"], 2,
        "{late}"
    );
    let history = app
        .data(&world.a.admin, HISTORY, json!({ "id": measure }))
        .await;
    let node = &history["node"];
    assert_eq!(
        (
            node["effectiveness"].as_str(),
            node["effectivenessNote"].as_str()
        ),
        (Some("EFFECTIVE"), Some("Held in the drill.")),
        "the newer judgement stays on the measure: {history}"
    );
    let order: Vec<_> = node["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .map(|v| v["effectiveness"].clone())
        .collect();
    assert_eq!(
        order,
        [json!("NOT_EFFECTIVE"), json!("EFFECTIVE")],
        "earliest judged first: {history}"
    );
}
