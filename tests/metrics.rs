//! `metrics` against the hand-built history of `support/history.rs`. Every expected value
//! below was worked out by hand from that file's tables; the comments show the working.

use crate::support::history::{self, History};
use crate::support::{TestApp, error_codes, spawn_app};
use serde_json::{Value, json};

const FOLLOW_THROUGH: &str = "committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete";

fn query() -> String {
    format!(
        "query($from: DateTime!, $to: DateTime!, $bucket: MetricsBucket, $client: ID, $service: ID) {{
          metrics(from: $from, to: $to, bucket: $bucket, clientId: $client, serviceId: $service) {{
            bucket total {{ ...figures }} series {{ ...figures }}
          }}
        }}
        fragment figures on MetricsPeriod {{
          start end
          followThrough {{ {FOLLOW_THROUGH} byKind {{ kind {FOLLOW_THROUGH} }} }}
          reviews {{ due held heldOnTime heldOnTimeRate overdue effective partiallyEffective notEffective recurrences }}
          incidents {{ count bySeverity {{ severity count }} postMortemDue
            timeToResolve {{ count meanHours medianHours p90Hours }}
            timeToPublish {{ count meanHours medianHours p90Hours }} }}
          feedback {{ received open answered medianFirstResponseHours answeredWithinSla answeredWithinSlaRate
            meanConfidenceAtPublication meanConfidenceAfterReview }}
        }}"
    )
}

async fn metrics(app: &TestApp, token: &str, variables: Value) -> Value {
    app.data(token, &query(), variables).await["metrics"].clone()
}

fn quarter() -> Value {
    json!({ "from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z", "bucket": "MONTH" })
}

/// Asserts `actual` equals `expected`, comparing numbers to 1e-9 and naming the first path
/// that differs.
fn assert_matches(actual: &Value, expected: &Value, path: &str) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (key, value) in e {
                assert_matches(&a[key], value, &format!("{path}.{key}"));
            }
        }
        (Value::Array(a), Value::Array(e)) => {
            assert_eq!(a.len(), e.len(), "{path}: {actual} vs {expected}");
            for (i, (a, e)) in a.iter().zip(e).enumerate() {
                assert_matches(a, e, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (a.as_f64().expect("number"), e.as_f64().expect("number"));
            assert!((a - e).abs() < 1e-9, "{path}: got {a}, expected {e}");
        }
        _ => assert_eq!(actual, expected, "{path}"),
    }
}

/// committed, completed, completedOnTime, overdue, cancelled, completionRate, onTimeRate,
/// medianDaysToComplete.
#[allow(clippy::too_many_arguments)]
fn ft(
    c: i64,
    d: i64,
    on_time: i64,
    late: i64,
    x: i64,
    rate: Value,
    on: Value,
    days: Value,
) -> Value {
    json!({ "committed": c, "completed": d, "completedOnTime": on_time, "overdue": late, "cancelled": x,
            "completionRate": rate, "onTimeRate": on, "medianDaysToComplete": days })
}

fn none() -> Value {
    ft(0, 0, 0, 0, 0, Value::Null, Value::Null, Value::Null)
}

fn follow_through(all: Value, technical: Value, process: Value, monitoring: Value) -> Value {
    let mut all = all;
    let kind = |kind: &str, mut figures: Value| {
        figures["kind"] = json!(kind);
        figures
    };
    all["byKind"] = json!([
        kind("TECHNICAL", technical),
        kind("PROCESS", process),
        kind("MONITORING", monitoring)
    ]);
    all
}

/// due, held, heldOnTime, heldOnTimeRate, overdue, effective, partially, not, recurrences.
#[allow(clippy::too_many_arguments)]
fn reviews(
    due: i64,
    held: i64,
    on_time: i64,
    rate: Value,
    late: i64,
    e: i64,
    p: i64,
    n: i64,
    rec: i64,
) -> Value {
    json!({ "due": due, "held": held, "heldOnTime": on_time, "heldOnTimeRate": rate, "overdue": late,
            "effective": e, "partiallyEffective": p, "notEffective": n, "recurrences": rec })
}

fn hours(count: i64, mean: Value, median: Value, p90: Value) -> Value {
    json!({ "count": count, "meanHours": mean, "medianHours": median, "p90Hours": p90 })
}

fn incidents(count: i64, sev: [i64; 4], resolve: Value, publish: Value, due: i64) -> Value {
    let by = ["SEV1", "SEV2", "SEV3", "SEV4"]
        .iter()
        .zip(sev)
        .map(|(s, c)| json!({ "severity": s, "count": c }))
        .collect::<Vec<_>>();
    json!({ "count": count, "bySeverity": by, "timeToResolve": resolve, "timeToPublish": publish, "postMortemDue": due })
}

/// received, open, answered, median response hours, within SLA, SLA rate, confidence
/// before and after the review.
#[allow(clippy::too_many_arguments)]
fn feedback(
    r: i64,
    open: i64,
    a: i64,
    median: Value,
    within: i64,
    rate: Value,
    before: Value,
    after: Value,
) -> Value {
    json!({ "received": r, "open": open, "answered": a, "medianFirstResponseHours": median,
            "answeredWithinSla": within, "answeredWithinSlaRate": rate,
            "meanConfidenceAtPublication": before, "meanConfidenceAfterReview": after })
}

fn period(start: &str, end: &str, ft: Value, rv: Value, inc: Value, fb: Value) -> Value {
    json!({ "start": start, "end": end, "followThrough": ft, "reviews": rv, "incidents": inc, "feedback": fb })
}

const NULL: Value = Value::Null;

#[tokio::test]
async fn every_figure_matches_the_hand_worked_history() {
    let app = spawn_app().await;
    let h: History = history::build(&app).await;
    let got = metrics(&app, &h.reporter, quarter()).await;

    // Days to complete: M1 12.5, M2 28 23/24, M3 35 10/24, M6 34, M8 21 10/24, M10 9 8/24.
    let (m1, m2, m3, m6, m8, m10) = (
        12.5,
        28.0 + 23.0 / 24.0,
        35.0 + 10.0 / 24.0,
        34.0,
        21.0 + 10.0 / 24.0,
        9.0 + 8.0 / 24.0,
    );
    let total = period(
        "2026-07-01T00:00:00+00:00",
        "2026-10-01T00:00:00+00:00",
        // Committed M1-M8 and M10 (M9 is due in October); done M1 M2 M3 M6 M8 M10, on time
        // M1 M2 M6 M8; overdue M5 M7; cancelled M4. 6/(9-1), 4/6, median of six.
        follow_through(
            ft(
                9,
                6,
                4,
                2,
                1,
                json!(0.75),
                json!(4.0 / 6.0),
                json!((m8 + m2) / 2.0),
            ),
            ft(
                3,
                2,
                1,
                1,
                0,
                json!(2.0 / 3.0),
                json!(0.5),
                json!((m1 + m3) / 2.0),
            ),
            ft(3, 3, 3, 0, 0, json!(1.0), json!(1.0), json!(m2)),
            ft(3, 1, 0, 1, 1, json!(0.5), json!(0.0), json!(m10)),
        ),
        // Due: INC-1 (held on time), INC-2 (held late), INC-4 (overdue). Verdicts on M1-M3.
        // Recurrences: INC-4 of INC-1, INC-7 of INC-2 (INC-11 shares only with a draft).
        reviews(3, 2, 1, json!(1.0 / 3.0), 1, 1, 1, 1, 2),
        // Eleven incidents; resolve hours 0.5 1 2 3 4 4 6 8 12 24 (INC-6 unresolved);
        // publish hours 48 96 120 120 168; INC-5 and INC-7 are SEV1/2 drafts past 5 days.
        incidents(
            11,
            [3, 3, 3, 2],
            hours(10, json!(6.45), json!(4.0), json!(12.0)),
            hours(5, json!(110.4), json!(120.0), json!(168.0)),
            2,
        ),
        // Six threads; responses 1 12 48 72 72 h; within 48 h: 12, 48, 1; the open thread's
        // window has closed, so all six are judged. Ratings before a review 2 1 3 5, after 4.
        feedback(6, 1, 5, json!(48.0), 3, json!(0.5), json!(2.75), json!(4.0)),
    );
    let july = period(
        "2026-07-01T00:00:00+00:00",
        "2026-08-01T00:00:00+00:00",
        follow_through(
            ft(
                2,
                2,
                2,
                0,
                0,
                json!(1.0),
                json!(1.0),
                json!((m1 + m2) / 2.0),
            ),
            ft(1, 1, 1, 0, 0, json!(1.0), json!(1.0), json!(m1)),
            ft(1, 1, 1, 0, 0, json!(1.0), json!(1.0), json!(m2)),
            none(),
        ),
        reviews(0, 0, 0, NULL, 0, 0, 0, 0, 0),
        // INC-1 4 h, INC-2 12 h, INC-3 (23:30 on the 31st) 2 h; published 96 and 120 h.
        incidents(
            3,
            [1, 1, 1, 0],
            hours(3, json!(6.0), json!(4.0), json!(12.0)),
            hours(2, json!(108.0), json!(108.0), json!(120.0)),
            0,
        ),
        feedback(2, 0, 2, json!(42.0), 1, json!(0.5), json!(1.5), NULL),
    );
    let august = period(
        "2026-08-01T00:00:00+00:00",
        "2026-09-01T00:00:00+00:00",
        follow_through(
            ft(2, 1, 0, 0, 1, json!(1.0), json!(0.0), json!(m3)),
            ft(1, 1, 0, 0, 0, json!(1.0), json!(0.0), json!(m3)),
            none(),
            ft(1, 0, 0, 0, 1, NULL, NULL, NULL),
        ),
        reviews(2, 2, 1, json!(0.5), 0, 1, 1, 1, 2),
        // INC-4 6 h, INC-5 3 h, INC-7 (22:00 on the 31st) 4 h; INC-6 unresolved.
        incidents(
            4,
            [2, 1, 0, 1],
            hours(3, json!(13.0 / 3.0), json!(4.0), json!(6.0)),
            hours(1, json!(168.0), json!(168.0), json!(168.0)),
            2,
        ),
        feedback(
            3,
            1,
            2,
            json!(60.0),
            1,
            json!(1.0 / 3.0),
            json!(3.0),
            json!(4.0),
        ),
    );
    let september = period(
        "2026-09-01T00:00:00+00:00",
        "2026-10-01T00:00:00+00:00",
        follow_through(
            ft(5, 3, 2, 2, 0, json!(0.6), json!(2.0 / 3.0), json!(m8)),
            ft(1, 0, 0, 1, 0, json!(0.0), NULL, NULL),
            ft(
                2,
                2,
                2,
                0,
                0,
                json!(1.0),
                json!(1.0),
                json!((m6 + m8) / 2.0),
            ),
            ft(2, 1, 0, 1, 0, json!(0.5), json!(0.0), json!(m10)),
        ),
        reviews(1, 0, 0, json!(0.0), 1, 0, 0, 0, 0),
        incidents(
            4,
            [0, 1, 2, 1],
            hours(4, json!(8.375), json!(4.5), json!(24.0)),
            hours(2, json!(84.0), json!(84.0), json!(120.0)),
            0,
        ),
        feedback(1, 0, 1, json!(1.0), 1, json!(1.0), json!(5.0), NULL),
    );
    assert_eq!(got["bucket"], "MONTH");
    assert_matches(&got["total"], &total, "total");
    assert_matches(&got["series"], &json!([july, august, september]), "series");
}

#[tokio::test]
async fn weekly_buckets_are_utc_weeks_starting_on_monday() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let range =
        json!({ "from": "2026-07-29T00:00:00Z", "to": "2026-08-06T00:00:00Z", "bucket": "WEEK" });
    let got = metrics(&app, &h.reporter, range).await;
    let starts: Vec<&str> = got["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|p| p["start"].as_str().expect("start"))
        .collect();
    // The first bucket starts on the Monday before the range; only the range counts in it.
    assert_eq!(
        starts,
        ["2026-07-27T00:00:00+00:00", "2026-08-03T00:00:00+00:00"]
    );
    let counts: Vec<&Value> = got["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|p| &p["incidents"]["count"])
        .collect();
    assert_eq!(
        counts,
        [&json!(1), &json!(1)],
        "INC-3 (Fri 31 Jul 23:30) and INC-4 (Wed 5 Aug)"
    );
    assert_eq!(
        got["total"]["followThrough"]["committed"], 1,
        "M2, due 31 July"
    );
    assert_eq!(
        got["series"][0]["followThrough"]["completedOnTime"], 1,
        "done 23:00 UTC on its day"
    );
}

#[tokio::test]
async fn a_range_given_in_another_offset_is_bucketed_in_utc() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    // August in UTC+2 is [31 Jul 22:00, 31 Aug 22:00) UTC: INC-3 (31 Jul 23:30 UTC) is in,
    // INC-7 (31 Aug 22:00 UTC, exactly the end) is out, and INC-3 falls in July's bucket.
    let range = json!({ "from": "2026-08-01T00:00:00+02:00", "to": "2026-09-01T00:00:00+02:00" });
    let got = metrics(&app, &h.reporter, range).await;
    assert_eq!(got["bucket"], "MONTH", "MONTH is the default");
    assert_eq!(got["total"]["incidents"]["count"], 4);
    let months: Vec<(&Value, &Value)> = got["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|p| (&p["start"], &p["incidents"]["count"]))
        .collect();
    assert_eq!(
        months,
        [
            (&json!("2026-07-01T00:00:00+00:00"), &json!(1)),
            (&json!("2026-08-01T00:00:00+00:00"), &json!(3))
        ]
    );
    // Days count when their UTC midnight is in range: 1-31 August, so M3 and M4.
    assert_eq!(got["total"]["followThrough"]["committed"], 2);
}

#[tokio::test]
async fn empty_ranges_count_zero_and_have_no_rates() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let got = metrics(
        &app,
        &h.reporter,
        json!({ "from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z" }),
    )
    .await;
    let empty = period(
        "2025-01-01T00:00:00+00:00",
        "2025-02-01T00:00:00+00:00",
        follow_through(none(), none(), none(), none()),
        reviews(0, 0, 0, NULL, 0, 0, 0, 0, 0),
        incidents(
            0,
            [0; 4],
            hours(0, NULL, NULL, NULL),
            hours(0, NULL, NULL, NULL),
            0,
        ),
        feedback(0, 0, 0, NULL, 0, NULL, NULL, NULL),
    );
    assert_matches(&got["total"], &empty, "total");
    assert_matches(&got["series"], &json!([empty]), "series");

    // 1 September: only M5 is due, and it is still in progress. Nothing completed, so no
    // on-time rate and no median; the completion rate is a true 0 of 1.
    let got = metrics(
        &app,
        &h.reporter,
        json!({ "from": "2026-09-01T00:00:00Z", "to": "2026-09-02T00:00:00Z" }),
    )
    .await;
    assert_matches(
        &got["total"]["followThrough"],
        &ft(1, 0, 0, 1, 0, json!(0.0), NULL, NULL),
        "followThrough",
    );
}

#[tokio::test]
async fn a_client_or_a_service_narrows_every_section() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let mut range = quarter();
    range["client"] = json!(h.acme);
    let acme = metrics(&app, &h.reporter, range).await;
    // Acme was impacted by INC-1, 3, 4, 8 and 9; their measures due in range are M1, M2,
    // M5, M6, M7, M8 and M10; Acme's own threads are four (Bolt's on INC-4 is left out).
    assert_eq!(acme["total"]["incidents"]["count"], 5);
    assert_eq!(acme["total"]["followThrough"]["committed"], 7);
    assert_eq!(acme["total"]["feedback"]["received"], 4);
    assert_eq!(acme["total"]["reviews"]["due"], 2);

    let mut range = quarter();
    range["service"] = json!(h.search);
    let search = metrics(&app, &h.reporter, range).await;
    // Search: INC-2, 5, 6, 7, 9 and 10; measures M3, M4 and M10.
    assert_eq!(search["total"]["incidents"]["count"], 6);
    assert_eq!(search["total"]["followThrough"]["committed"], 3);
    assert_eq!(
        search["total"]["reviews"]["recurrences"], 1,
        "INC-7 of INC-2"
    );

    let mut range = quarter();
    range["client"] = json!(h.payments);
    let wrong_type = app.gql(&h.reporter, &query(), range).await;
    assert_eq!(
        error_codes(&wrong_type),
        ["NOT_FOUND"],
        "a service id is not a client"
    );
}

#[tokio::test]
async fn another_tenants_client_is_not_found() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let mut range = quarter();
    range["client"] = json!(h.foreign_client);
    let body = app.gql(&h.reporter, &query(), range).await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"]);
    assert!(body["data"].is_null(), "{body}");
}

#[tokio::test]
async fn metrics_are_for_staff_and_reporting_tools() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    for token in [&h.admin, &h.reporter] {
        let got = metrics(&app, token, quarter()).await;
        assert_eq!(got["total"]["incidents"]["count"], 11);
    }
    let client = app.gql(&h.client, &query(), quarter()).await;
    assert_eq!(error_codes(&client), ["FORBIDDEN"], "{client}");
    let (status, _) = app
        .post(None, json!({ "query": query(), "variables": quarter() }))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn ranges_must_be_ordered_and_at_most_five_years() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    for (from, to) in [
        ("2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        ("2026-07-01T00:00:00Z", "2026-06-01T00:00:00Z"),
        ("2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    ] {
        let body = app
            .gql(&h.reporter, &query(), json!({ "from": from, "to": to }))
            .await;
        assert_eq!(
            error_codes(&body),
            ["BAD_USER_INPUT"],
            "{from}..{to}: {body}"
        );
    }
}

#[tokio::test]
async fn a_reporter_drills_down_without_internal_text_or_feedback_bodies() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let list = app
        .data(
            &h.reporter,
            "{ incidents(first: 20, filter: { severity: [SEV1] }) { nodes { reference startedAt resolvedAt \
              measures { title status committedDueOn completedAt effectiveness } } } }",
            json!({}),
        )
        .await;
    let references: Vec<&str> = list["incidents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["reference"].as_str().expect("ref"))
        .collect();
    assert_eq!(references, ["INC-7", "INC-4", "INC-1"]);
    assert_eq!(
        list["incidents"]["nodes"][2]["measures"][0]["effectiveness"],
        "EFFECTIVE"
    );
    for field in [
        "summary",
        "rootCauses { internalAnalysis }",
        "feedback { nodes { body } }",
    ] {
        let body = app
            .gql(
                &h.reporter,
                &format!("{{ incidentByReference(reference: \"INC-1\") {{ {field} }} }}"),
                json!({}),
            )
            .await;
        let codes = error_codes(&body);
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c == "FORBIDDEN"),
            "{field}: {body}"
        );
        assert!(
            !body.to_string().contains("secret question")
                && !body.to_string().contains("internal analysis")
        );
    }
}
