//! `confidenceRate`: a client's confidence that the incident will not happen again, asked at
//! publication and again after the review; read by staff and that client, and in `metrics`.

use crate::support::record::{self, Record};
use crate::support::{World, decode_uuid, error_codes, user_error_codes};
use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

const RATE: &str = "mutation($input: ConfidenceRateInput!) { confidenceRate(input: $input) { confidenceRating { phase confidence comment client { id } } userErrors { field code } } }";
const RATINGS: &str = "query($id: ID!) { node(id: $id) { ... on PostMortem { confidenceRatings { phase confidence comment client { id } } } } }";

/// A published record that impacted the world's client (so its CLIENT user can rate it) and
/// the record's own first client; with a CLIENT user of that second client.
struct Setup {
    world: World,
    record: Record,
    /// A CLIENT user of `record.client_id`.
    other_client: String,
}

async fn setup() -> Setup {
    let world = World::new().await;
    let (app, admin) = (&world.app, &world.a.admin);
    let record = record::build(app, admin, 3).await;
    record::mutate(app, admin, record::IMPACT_SET, json!({ "incidentId": record.incident_id, "clientId": world.a.client_id, "level": "DEGRADED", "description": "Slow checkout", "startedAt": "2026-03-01T09:00:00Z", "endedAt": "2026-03-01T10:00:00Z" }), "clientImpactSet", "clientImpact").await;
    let published = app
        .data(admin, "mutation($id: ID!) { postMortemPublish(input: { postMortemId: $id }) { userErrors { code } } }", json!({ "id": record.post_mortem_id }))
        .await;
    assert_eq!(published["postMortemPublish"]["userErrors"], json!([]));
    let user = record::mutate(app, admin, "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code } } }", json!({ "email": "contact@client00.example", "displayName": "Contact", "role": "CLIENT", "clientId": record.client_id }), "userCreate", "user").await;
    let other_client = app.token(decode_uuid(&world.a.tenant_node_id), decode_uuid(&user));
    Setup {
        world,
        record,
        other_client,
    }
}

impl Setup {
    async fn rate(&self, token: &str, confidence: i32, comment: Option<&str>) -> Value {
        let input = json!({ "postMortemId": self.record.post_mortem_id, "confidence": confidence, "comment": comment });
        self.world
            .app
            .gql(token, RATE, json!({ "input": input }))
            .await
    }

    async fn ratings(&self, token: &str) -> Value {
        let body = self
            .world
            .app
            .gql(token, RATINGS, json!({ "id": self.record.post_mortem_id }))
            .await;
        body["data"]["node"]["confidenceRatings"].clone()
    }

    async fn review(&self) {
        let input = json!({ "postMortemId": self.record.post_mortem_id, "heldAt": Utc::now().to_rfc3339(), "summary": "The load test holds." });
        let data = self
            .world
            .app
            .data(&self.world.a.editor, "mutation($input: EffectivenessReviewRecordInput!) { effectivenessReviewRecord(input: $input) { userErrors { code } } }", json!({ "input": input }))
            .await;
        assert_eq!(data["effectivenessReviewRecord"]["userErrors"], json!([]));
    }
}

#[tokio::test]
async fn a_client_rates_at_publication_then_after_the_review_and_rating_again_replaces() {
    let s = setup().await;
    let client = &s.world.a.client;
    let first = s.rate(client, 2, Some(" Not yet ")).await;
    let rating = &first["data"]["confidenceRate"]["confidenceRating"];
    assert_eq!(rating["phase"], "AT_PUBLICATION", "{first}");
    assert_eq!(rating["comment"], "Not yet");
    assert_eq!(rating["client"]["id"], s.world.a.client_id.as_str());
    s.rate(client, 3, None).await;
    let ratings = s.ratings(&s.world.a.admin).await;
    assert_eq!(
        ratings,
        json!([{ "phase": "AT_PUBLICATION", "confidence": 3, "comment": null, "client": { "id": s.world.a.client_id } }]),
        "the second rating of the phase replaced the first"
    );
    s.review().await;
    let after = s.rate(client, 5, Some("The load test convinced us")).await;
    assert_eq!(
        after["data"]["confidenceRate"]["confidenceRating"]["phase"],
        "AFTER_REVIEW"
    );
    let phases: Vec<_> = s
        .ratings(client)
        .await
        .as_array()
        .expect("ratings")
        .iter()
        .map(|r| (r["phase"].clone(), r["confidence"].clone()))
        .collect();
    assert_eq!(
        phases,
        [
            (json!("AT_PUBLICATION"), json!(3)),
            (json!("AFTER_REVIEW"), json!(5))
        ]
    );
}

#[tokio::test]
async fn ratings_are_read_by_staff_and_by_their_own_client_only() {
    let s = setup().await;
    s.rate(&s.world.a.client, 4, Some("SECRET comment of Impacted Co"))
        .await;
    s.rate(&s.other_client, 2, Some("SECRET comment of Client 00"))
        .await;
    for staff in [&s.world.a.admin, &s.world.a.editor, &s.world.a.viewer] {
        let ratings = s.ratings(staff).await;
        assert_eq!(ratings.as_array().map(Vec::len), Some(2), "{ratings}");
    }
    let own = s.ratings(&s.other_client).await;
    assert_eq!(
        own,
        json!([{ "phase": "AT_PUBLICATION", "confidence": 2, "comment": "SECRET comment of Client 00", "client": { "id": s.record.client_id } }])
    );
    let reporter = s
        .world
        .app
        .gql(&s.world.a.reporter, "query($id: ID!) { node(id: $id) { ... on PostMortem { confidenceRatings { confidence comment } } } }", json!({ "id": s.record.post_mortem_id }))
        .await;
    let codes = error_codes(&reporter);
    assert_eq!(
        codes,
        ["FORBIDDEN", "FORBIDDEN"],
        "reporters read no comments: {reporter}"
    );
    assert!(!reporter.to_string().contains("SECRET"), "{reporter}");
    let author = s
        .world
        .app
        .gql(&s.world.a.client, "query($id: ID!) { node(id: $id) { ... on PostMortem { confidenceRatings { author { id } } } } }", json!({ "id": s.record.post_mortem_id }))
        .await;
    assert_eq!(error_codes(&author), ["FORBIDDEN"], "{author}");
}

#[tokio::test]
async fn bad_ratings_and_the_wrong_callers_are_refused() {
    let s = setup().await;
    let client = &s.world.a.client;
    for (confidence, comment, code) in [
        (0, None, "INVALID"),
        (6, None, "INVALID"),
        (3, Some("x".repeat(2_001)), "TOO_LONG"),
    ] {
        let body = s.rate(client, confidence, comment.as_deref()).await;
        assert_eq!(
            user_error_codes(&body["data"]["confidenceRate"]),
            [code],
            "{body}"
        );
    }
    for staff in [&s.world.a.admin, &s.world.a.editor, &s.world.a.reporter] {
        assert_eq!(error_codes(&s.rate(staff, 3, None).await), ["FORBIDDEN"]);
    }
    assert_eq!(
        error_codes(&s.rate(&s.world.b.client, 3, None).await),
        ["NOT_FOUND"]
    );
    let draft = json!({ "input": { "postMortemId": crate::support::global_id("PostMortem", decode_uuid(&s.world.a.incident_id)), "confidence": 3 } });
    let body = s.world.app.gql(client, RATE, draft).await;
    assert_eq!(
        error_codes(&body),
        ["NOT_FOUND"],
        "a draft is invisible: {body}"
    );
    assert_eq!(
        s.ratings(&s.world.a.admin).await,
        json!([]),
        "nothing was stored"
    );
}

const METRICS: &str = "query($from: DateTime!, $to: DateTime!, $client: ID) { metrics(from: $from, to: $to, clientId: $client) { total { confidence { trend atPublication { count ratings feedback mean } afterReview { count ratings feedback mean } } } } }";

#[tokio::test]
async fn metrics_combine_ratings_and_feedback_confidence_per_phase() {
    let s = setup().await;
    let (app, client) = (&s.world.app, &s.world.a.client);
    s.rate(client, 2, None).await;
    s.rate(client, 3, None).await;
    s.rate(&s.other_client, 1, None).await;
    let feedback = json!({ "input": { "incidentId": s.record.incident_id, "kind": "QUESTION", "body": "Will it recur?", "confidence": 4 } });
    app.data(client, "mutation($input: FeedbackSubmitInput!) { feedbackSubmit(input: $input) { userErrors { code } } }", feedback).await;
    s.review().await;
    s.rate(client, 5, None).await;
    let range = |client: Option<&str>| json!({ "from": (Utc::now() - TimeDelta::days(1)).to_rfc3339(), "to": (Utc::now() + TimeDelta::days(1)).to_rfc3339(), "client": client });
    let all = app.data(&s.world.a.reporter, METRICS, range(None)).await;
    // At publication: ratings 3 (replacing 2) and 1, and the thread's 4: mean 8 / 3.
    // After the review: the rating 5. Trend: 5 − 8/3 = 7/3.
    let confidence = &all["metrics"]["total"]["confidence"];
    assert_eq!(confidence["atPublication"]["count"], 3, "{all}");
    assert_eq!(confidence["atPublication"]["ratings"], 2);
    assert_eq!(confidence["atPublication"]["feedback"], 1);
    assert_close(&confidence["atPublication"]["mean"], 8.0 / 3.0);
    assert_eq!(
        confidence["afterReview"],
        json!({ "count": 1, "ratings": 1, "feedback": 0, "mean": 5.0 })
    );
    assert_close(&confidence["trend"], 7.0 / 3.0);
    let own = app
        .data(&s.world.a.admin, METRICS, range(Some(&s.world.a.client_id)))
        .await;
    let confidence = &own["metrics"]["total"]["confidence"];
    assert_eq!(
        confidence["atPublication"],
        json!({ "count": 2, "ratings": 1, "feedback": 1, "mean": 3.5 }),
        "{own}"
    );
    let other = app
        .data(&s.world.a.admin, METRICS, range(Some(&s.record.client_id)))
        .await;
    let confidence = &other["metrics"]["total"]["confidence"];
    assert_eq!(
        confidence["atPublication"],
        json!({ "count": 1, "ratings": 1, "feedback": 0, "mean": 1.0 }),
        "{other}"
    );
    assert_eq!(
        confidence["afterReview"],
        json!({ "count": 0, "ratings": 0, "feedback": 0, "mean": null })
    );
    assert_eq!(confidence["trend"], Value::Null);
}

fn assert_close(value: &Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((got - expected).abs() < 1e-9, "{got} is not {expected}");
}
