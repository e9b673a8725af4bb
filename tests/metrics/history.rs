//! Every figure, overall and per month, against the hand-worked history.

use super::*;
use crate::support::history;
use crate::support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn every_figure_matches_the_hand_worked_history() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
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
        "2026-07-01T00:00:00.000000Z",
        "2026-10-01T00:00:00.000000Z",
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
        "2026-07-01T00:00:00.000000Z",
        "2026-08-01T00:00:00.000000Z",
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
        "2026-08-01T00:00:00.000000Z",
        "2026-09-01T00:00:00.000000Z",
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
        "2026-09-01T00:00:00.000000Z",
        "2026-10-01T00:00:00.000000Z",
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
