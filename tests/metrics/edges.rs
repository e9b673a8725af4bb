//! UTC buckets, ranges given in other offsets, and empty ranges.

use super::*;
use crate::support::history;
use crate::support::spawn_app;
use serde_json::{Value, json};

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
        ["2026-07-27T00:00:00.000000Z", "2026-08-03T00:00:00.000000Z"]
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
            (&json!("2026-07-01T00:00:00.000000Z"), &json!(1)),
            (&json!("2026-08-01T00:00:00.000000Z"), &json!(3))
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
        "2025-01-01T00:00:00.000000Z",
        "2025-02-01T00:00:00.000000Z",
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
