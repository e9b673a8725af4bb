//! Internal text never leaves through a client's channels: a marker planted in every
//! internal field (and in another client's thread) appears in no client rendering, share page
//! or CSV row.

use super::{DOCUMENT, FOLLOW_UP, FORMATS, published, render};
use crate::support::spawn_app;
use chrono::Utc;
use serde_json::json;

const MARK: &str = "SENTINEL-internal";

#[tokio::test]
async fn a_marker_in_every_internal_text_reaches_no_client_copy_share_page_or_csv_row() {
    let app = spawn_app().await;
    let (world, admin) = published(&app, "acme").await;
    let (record, pm) = (&world.record, &world.record.post_mortem_id);
    let (reader, other) = (&world.clients[0], &world.clients[1]);
    let version = app
        .data(
            &admin,
            "query($id: ID!) { incident(id: $id) { version } }",
            json!({ "id": record.incident_id }),
        )
        .await;
    let plants = [
        (
            "incidentUpdate",
            "mutation($id: ID!, $v: Int!, $t: String!) { incidentUpdate(input: { id: $id, version: $v, summary: $t }) { userErrors { code } } }",
            json!({ "id": record.incident_id, "v": version["incident"]["version"], "t": format!("{MARK} summary") }),
        ),
        (
            "rootCauseUpdate",
            "mutation($id: ID!, $t: String!) { rootCauseUpdate(input: { id: $id, internalAnalysis: $t }) { userErrors { code } } }",
            json!({ "id": record.root_cause_id, "t": format!("{MARK} analysis") }),
        ),
        (
            "timelineEventCreate",
            "mutation($id: ID!, $t: String!) { timelineEventCreate(input: { incidentId: $id, occurredAt: \"2026-03-01T09:45:00Z\", kind: NOTE, body: $t, visibility: INTERNAL }) { userErrors { code } } }",
            json!({ "id": record.incident_id, "t": format!("{MARK} note") }),
        ),
    ];
    for (field, mutation, variables) in plants {
        let planted = app.data(&admin, mutation, variables).await;
        assert_eq!(planted[field]["userErrors"], json!([]), "{planted}");
    }
    let asked = app.data(&other.token, "mutation($id: ID!, $b: String!) { feedbackSubmit(input: { incidentId: $id, kind: CONCERN, body: $b }) { feedback { id } } }", json!({ "id": record.incident_id, "b": format!("{MARK} another client's concern") })).await;
    let replied = app.data(&admin, "mutation($id: ID!, $b: String!) { feedbackReply(input: { feedbackId: $id, body: $b }) { userErrors { code } } }", json!({ "id": asked["feedbackSubmit"]["feedback"]["id"], "b": format!("{MARK} answer to another client") })).await;
    assert_eq!(
        replied["feedbackReply"]["userErrors"],
        json!([]),
        "{replied}"
    );
    let reviewed = app.data(&admin, "mutation($input: EffectivenessReviewRecordInput!) { effectivenessReviewRecord(input: $input) { userErrors { code } } }", json!({ "input": { "postMortemId": pm, "heldAt": Utc::now().to_rfc3339(), "summary": "The measures held.", "verdicts": [] } })).await;
    assert_eq!(
        reviewed["effectivenessReviewRecord"]["userErrors"],
        json!([]),
        "{reviewed}"
    );
    let staff = render(&app, &admin, FOLLOW_UP, pm, "MARKDOWN", None).await;
    assert!(
        staff.contains(MARK),
        "the staff copy does show the other client's concern:\n{staff}"
    );
    for query in [DOCUMENT, FOLLOW_UP] {
        for format in FORMATS {
            let own = render(&app, &reader.token, query, pm, format, None).await;
            let preview = render(&app, &admin, query, pm, format, Some(&reader.id)).await;
            for text in [own, preview] {
                assert!(!text.contains(MARK) && !text.contains("SECRET"), "{text}");
            }
        }
    }
    let made = app.data(&admin, "mutation($pm: ID!, $c: ID!) { postMortemShareLinkCreate(input: { postMortemId: $pm, clientId: $c }) { url } }", json!({ "pm": pm, "c": reader.id })).await;
    let url = made["postMortemShareLinkCreate"]["url"]
        .as_str()
        .expect("url");
    let page = app
        .http
        .get(url)
        .send()
        .await
        .expect("share page")
        .text()
        .await
        .expect("body");
    assert!(
        page.contains("The measures held.") && !page.contains(MARK) && !page.contains("SECRET"),
        "{page}"
    );
    for group in ["CLIENT", "SERVICE", "SEVERITY", "KIND"] {
        let csv = app
            .http
            .get(format!("{}/reports/metrics.csv?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&groupBy={group}", app.url))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("csv");
        assert!(csv.status().is_success(), "{group}: {}", csv.status());
        let csv = csv.text().await.expect("csv body");
        assert!(
            !csv.contains(MARK) && !csv.contains("SECRET"),
            "{group}:\n{csv}"
        );
    }
}
