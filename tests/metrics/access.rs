//! Client and service filters, other tenants' ids, roles, and bad ranges.

use super::*;
use crate::support::error_codes;
use crate::support::history;
use crate::support::spawn_app;
use serde_json::json;

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
async fn ranges_must_be_ordered_within_1970_to_9999_and_at_most_five_years() {
    let app = spawn_app().await;
    let h = history::build(&app).await;
    for (from, to) in [
        ("2026-07-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        ("2026-07-01T00:00:00Z", "2026-06-01T00:00:00Z"),
        ("2020-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        ("1969-12-01T00:00:00Z", "1970-02-01T00:00:00Z"),
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
