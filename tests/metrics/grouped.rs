//! `metrics(groupBy:)` against the hand-worked history: long-format rows per client,
//! service, severity and measure kind, for the whole range and per bucket.

use super::*;
use crate::support::history;
use crate::support::spawn_app;
use serde_json::json;

pub const ROWS: &str = "query($from: DateTime!, $to: DateTime!, $bucket: MetricsBucket, $groupBy: MetricsGroupBy) {
  metrics(from: $from, to: $to, bucket: $bucket, groupBy: $groupBy) {
    series { start followThrough { byKind { kind committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete } } }
    rows { start end dimension dimensionId
      incidents { count bySeverity { severity count } postMortemDue
        timeToResolve { count meanHours medianHours p90Hours }
        timeToPublish { count meanHours medianHours p90Hours } }
      followThrough { committed completed completedOnTime overdue cancelled completionRate onTimeRate medianDaysToComplete } }
  }
}";

const FROM: &str = "2026-07-01T00:00:00.000000Z";
const TO: &str = "2026-10-01T00:00:00.000000Z";

async fn rows(app: &crate::support::TestApp, token: &str, group_by: &str, bucket: Value) -> Value {
    let variables = json!({ "from": FROM, "to": TO, "bucket": bucket, "groupBy": group_by });
    app.data(token, ROWS, variables).await["metrics"].clone()
}

fn row(dimension: &str, id: Value, incidents: Value, follow_through: Value) -> Value {
    json!({ "start": FROM, "end": TO, "dimension": dimension, "dimensionId": id,
            "incidents": incidents, "followThrough": follow_through })
}

/// Days to complete of the measures the rows name (see `history.rs`).
const M1: f64 = 12.5;
const M2: f64 = 28.0 + 23.0 / 24.0;
const M3: f64 = 35.0 + 10.0 / 24.0;
const M6: f64 = 34.0;
const M8: f64 = 21.0 + 10.0 / 24.0;
const M10: f64 = 9.0 + 8.0 / 24.0;

#[tokio::test]
async fn rows_by_severity_carry_each_severitys_incidents() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let got = rows(&app, &h.reporter, "SEVERITY", NULL).await;
    // SEV1: INC-1 4 h, INC-4 6 h, INC-7 4 h; published 96 and 168 h; INC-7 a draft past due.
    // SEV2: INC-2 12 h, INC-5 3 h, INC-9 24 h; published 120 and 48 h; INC-5 past due.
    // SEV3: INC-3 2 h, INC-8 1 h, INC-11 8 h; published 120 h. SEV4: INC-10 0.5 h, INC-6 open.
    let expected = json!([
        row(
            "SEV1",
            NULL,
            incidents(
                3,
                [3, 0, 0, 0],
                hours(3, json!(14.0 / 3.0), json!(4.0), json!(6.0)),
                hours(2, json!(132.0), json!(132.0), json!(168.0)),
                1
            ),
            NULL
        ),
        row(
            "SEV2",
            NULL,
            incidents(
                3,
                [0, 3, 0, 0],
                hours(3, json!(13.0), json!(12.0), json!(24.0)),
                hours(2, json!(84.0), json!(84.0), json!(120.0)),
                1
            ),
            NULL
        ),
        row(
            "SEV3",
            NULL,
            incidents(
                3,
                [0, 0, 3, 0],
                hours(3, json!(11.0 / 3.0), json!(2.0), json!(8.0)),
                hours(1, json!(120.0), json!(120.0), json!(120.0)),
                0
            ),
            NULL
        ),
        row(
            "SEV4",
            NULL,
            incidents(
                2,
                [0, 0, 0, 2],
                hours(1, json!(0.5), json!(0.5), json!(0.5)),
                hours(0, NULL, NULL, NULL),
                0
            ),
            NULL
        ),
    ]);
    assert_matches(&got["rows"], &expected, "rows");
}

#[tokio::test]
async fn rows_by_client_count_an_incident_for_each_client_it_impacted() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let got = rows(&app, &h.reporter, "CLIENT", NULL).await;
    let bolt = got["rows"][1]["dimensionId"].clone();
    // Acme: INC-1 4 h, INC-3 2 h, INC-4 6 h, INC-8 1 h, INC-9 24 h; published 96 168 120 48.
    // Its measures M1 M2 M5 M6 M7 M8 M10: done M1 M2 M6 M8 M10, on time M1 M2 M6 M8,
    // overdue M5 M7. Bolt: INC-2 12 h, INC-4 6 h, INC-7 4 h; published 120 and 168; INC-7
    // past due. Its measures M3 M4 M5 M6 M7: done M3 M6 (M6 on time), M4 cancelled.
    let expected = json!([
        row(
            "Acme",
            json!(h.acme),
            incidents(
                5,
                [2, 1, 2, 0],
                hours(5, json!(7.4), json!(4.0), json!(24.0)),
                hours(4, json!(108.0), json!(108.0), json!(168.0)),
                0
            ),
            ft(7, 5, 4, 2, 0, json!(5.0 / 7.0), json!(0.8), json!(M8))
        ),
        row(
            "Bolt",
            bolt.clone(),
            incidents(
                3,
                [2, 1, 0, 0],
                hours(3, json!(22.0 / 3.0), json!(6.0), json!(12.0)),
                hours(2, json!(144.0), json!(144.0), json!(168.0)),
                1
            ),
            ft(
                5,
                2,
                1,
                2,
                1,
                json!(0.5),
                json!(0.5),
                json!((M3 + M6) / 2.0)
            )
        ),
    ]);
    assert_matches(&got["rows"], &expected, "rows");
    assert!(bolt.is_string(), "{got}");
}

#[tokio::test]
async fn rows_by_service_count_an_incident_for_each_service_it_affected() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let got = rows(&app, &h.reporter, "SERVICE", NULL).await;
    // Payments: INC-1 4, INC-3 2, INC-4 6, INC-8 1, INC-9 24, INC-11 8 h; measures as Acme's.
    // Search: INC-2 12, INC-5 3, INC-6 open, INC-7 4, INC-9 24, INC-10 0.5 h; published
    // 120 and 48; INC-5 and INC-7 past due. Its measures M3 (late), M4 (cancelled), M10 (late).
    let expected = json!([
        row(
            "Payments",
            json!(h.payments),
            incidents(
                6,
                [2, 1, 3, 0],
                hours(6, json!(7.5), json!(5.0), json!(24.0)),
                hours(4, json!(108.0), json!(108.0), json!(168.0)),
                0
            ),
            ft(7, 5, 4, 2, 0, json!(5.0 / 7.0), json!(0.8), json!(M8))
        ),
        row(
            "Search",
            json!(h.search),
            incidents(
                6,
                [1, 3, 0, 2],
                hours(5, json!(8.7), json!(4.0), json!(24.0)),
                hours(2, json!(84.0), json!(84.0), json!(120.0)),
                2
            ),
            ft(
                3,
                2,
                0,
                0,
                1,
                json!(1.0),
                json!(0.0),
                json!((M3 + M10) / 2.0)
            )
        ),
    ]);
    assert_matches(&got["rows"], &expected, "rows");
}

#[tokio::test]
async fn rows_by_kind_per_bucket_are_the_series_follow_through_by_kind() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let whole = rows(&app, &h.reporter, "KIND", NULL).await;
    let expected = json!([
        row(
            "TECHNICAL",
            NULL,
            NULL,
            ft(
                3,
                2,
                1,
                1,
                0,
                json!(2.0 / 3.0),
                json!(0.5),
                json!((M1 + M3) / 2.0)
            )
        ),
        row(
            "PROCESS",
            NULL,
            NULL,
            ft(3, 3, 3, 0, 0, json!(1.0), json!(1.0), json!(M2))
        ),
        row(
            "MONITORING",
            NULL,
            NULL,
            ft(3, 1, 0, 1, 1, json!(0.5), json!(0.0), json!(M10))
        ),
    ]);
    assert_matches(&whole["rows"], &expected, "rows");
    let monthly = rows(&app, &h.reporter, "KIND", json!("MONTH")).await;
    let rows = monthly["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 9, "three months of three kinds");
    for (i, row) in rows.iter().enumerate() {
        let bucket = &monthly["series"][i / 3];
        assert_eq!(row["start"], bucket["start"]);
        let mut by_kind = bucket["followThrough"]["byKind"][i % 3].clone();
        assert_eq!(row["dimension"], by_kind["kind"]);
        by_kind.as_object_mut().expect("object").remove("kind");
        assert_eq!(row["followThrough"], by_kind, "row {i}");
    }
}

#[tokio::test]
async fn rows_per_bucket_list_a_client_wherever_it_has_an_incident_or_a_measure() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let got = rows(&app, &h.reporter, "CLIENT", json!("MONTH")).await;
    let seen: Vec<(String, String, i64, i64)> = got["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["start"].as_str().expect("start")[..10].to_owned(),
                row["dimension"].as_str().expect("name").to_owned(),
                row["incidents"]["count"].as_i64().expect("count"),
                row["followThrough"]["committed"]
                    .as_i64()
                    .expect("committed"),
            )
        })
        .collect();
    // July: Acme INC-1 INC-3, M1 M2; Bolt INC-2. August: Acme INC-4; Bolt INC-4 INC-7, M3 M4.
    // September: Acme INC-8 INC-9, M5-M8 M10; Bolt no incident but M5-M7 (INC-4's).
    let expected = [
        ("2026-07-01", "Acme", 2, 2),
        ("2026-07-01", "Bolt", 1, 0),
        ("2026-08-01", "Acme", 1, 0),
        ("2026-08-01", "Bolt", 2, 2),
        ("2026-09-01", "Acme", 2, 5),
        ("2026-09-01", "Bolt", 0, 3),
    ]
    .map(|(s, d, i, c)| (s.to_owned(), d.to_owned(), i, c));
    assert_eq!(seen, expected);
    assert_eq!(got["rows"][1]["end"], "2026-08-01T00:00:00.000000Z");
}

#[tokio::test]
async fn without_group_by_there_are_no_rows() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    let variables = json!({ "from": FROM, "to": TO });
    let got = app.data(&h.reporter, ROWS, variables).await;
    assert_eq!(got["metrics"]["rows"], json!([]));
}
