use super::*;
use chrono::TimeZone;

fn presentation(zone: &str, client: Option<&str>) -> Presentation {
    Presentation {
        provider: "Acme Cloud".into(),
        client: client.map(Into::into),
        zone: zone::for_reader(zone, None),
        contact_line: "Questions? Write to support@acme.example.".into(),
        portal_url: Some("https://portal.acme.example/".into()),
    }
}

fn snapshot(zone: &str) -> Snapshot {
    let at = |h| Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0).unwrap();
    Snapshot {
        reference: "INC-7".into(),
        title: "Checkout failures".into(),
        severity: "SEV1".into(),
        started_at: at(9),
        resolved_at: Some(at(12)),
        services: vec!["API Gateway".into(), "Payments".into()],
        timeline: vec![Event {
            occurred_at: at(9),
            kind: "Started".into(),
            body: "Payments <script>alert(1)</script> failed. <img src=x onerror=alert(2)>".into(),
        }],
        root_causes: vec![
            Cause {
                is_root_cause: true,
                category: "Configuration".into(),
                explanation: "A limit was set too low.".into(),
            },
            Cause {
                is_root_cause: false,
                category: "Monitoring gap".into(),
                explanation: "No alert on error rate.".into(),
            },
        ],
        impact_summary: "Card payments failed.".into(),
        impacts: vec![Impact {
            client: "Globex".into(),
            level: "Full outage".into(),
            description: "No checkouts.".into(),
            started_at: at(9),
            ended_at: Some(at(11)),
        }],
        went_well: "Fast rollback.".into(),
        could_be_better: "Earlier detection.".into(),
        measures: vec![Measure {
            kind: "Monitoring".into(),
            title: "Alert on payment errors".into(),
            description: "Page on-call above 2% errors.\nCovers card and wallet payments.".into(),
            success_criterion: "Alert fires within 2 minutes in a drill.".into(),
            owner_team: "Payments SRE".into(),
            due_on: NaiveDate::from_ymd_opt(2026, 3, 15),
            status: "Planned".into(),
        }],
        review_due_at: Some(at(23) + chrono::TimeDelta::days(30)),
        review_after_days: 30,
        presentation: presentation(zone, Some("Globex")),
    }
}

#[test]
fn the_summary_has_the_eight_sections_in_order() {
    let text = markdown(&snapshot("UTC"));
    let headings = [
        "## 1. What happened",
        "## 2. Root cause",
        "## 3. Immediate impact",
        "## 4. What we did well",
        "## 5. What we could have done better",
        "## 6. Prevention measures",
        "## 7. Going forward",
        "## 8. Your questions",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| text.find(h).unwrap_or_else(|| panic!("{h} missing")))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order"
    );
    assert!(text.contains(INVITATION));
    assert!(text.contains("from 2026-03-01 09:00 UTC to 2026-03-01 11:00 UTC (2 h)"));
    assert!(text.contains("1. **Alert on payment errors** (Monitoring). Owner: Payments SRE. Due: 2026-03-15. Status: Planned."));
    assert!(text.contains("We will review how well these measures worked on 2026-03-31"));
}

#[test]
fn times_and_days_follow_the_readers_zone_and_the_zone_is_stated() {
    let text = markdown(&snapshot("Asia/Tokyo"));
    assert!(text.contains("- **Times are in:** Asia/Tokyo"), "{text}");
    assert!(
        text.contains("- **Started:** 2026-03-01 18:00 JST"),
        "{text}"
    );
    // 23:00 UTC on the 31st is already April 1st in Tokyo.
    assert!(text.contains("worked on 2026-04-01"), "{text}");
}

#[test]
fn a_measures_description_and_criterion_are_paragraphs_of_their_own() {
    let html = html(&snapshot("UTC"));
    assert!(
        html.contains("<p>Page on-call above 2% errors.\nCovers card and wallet payments.</p>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<p><em>How we will know it worked:</em> Alert fires within 2 minutes in a drill.</p>"
        ),
        "{html}"
    );
}

#[test]
fn without_a_portal_or_contact_line_the_reader_is_asked_to_reply() {
    let mut doc = snapshot("UTC");
    doc.presentation.portal_url = None;
    doc.presentation.contact_line = String::new();
    let text = markdown(&doc);
    assert!(text.ends_with("## 8. Your questions\n\nWhat questions or concerns do you have?\n\nReply to us and we will answer each one.\n"), "{text}");
}

#[test]
fn html_is_sanitised() {
    let html = html(&snapshot("UTC"));
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(html.contains("<h2>1. What happened</h2>"));
}

#[test]
fn rendering_is_deterministic() {
    let doc = snapshot("Europe/Berlin");
    assert_eq!(markdown(&doc), markdown(&doc));
    assert_eq!(standalone_html(&doc), standalone_html(&doc));
}

#[test]
fn the_client_document_in_two_zones() {
    for zone in ["Europe/Berlin", "America/New_York"] {
        let doc = snapshot(zone);
        let name = zone.replace('/', "_");
        insta::assert_snapshot!(format!("markdown_{name}"), markdown(&doc));
        insta::assert_snapshot!(format!("html_{name}"), html(&doc));
        insta::assert_snapshot!(format!("standalone_{name}"), standalone_html(&doc));
    }
}
