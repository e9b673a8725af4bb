//! A complete, ready snapshot for the unit tests to break one rule at a time.

use super::*;
use chrono::{LocalResult, TimeZone};

/// A UTC time on the hour.
pub fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    match Utc.with_ymd_and_hms(year, month, day, hour, 0, 0) {
        LocalResult::Single(at) => at,
        _ => panic!("no such time"),
    }
}

pub fn now() -> DateTime<Utc> {
    at(2026, 3, 10, 12)
}

pub fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub fn measure(n: u128, kind: MeasureKind, title: &str) -> MeasureFacts {
    MeasureFacts {
        id: id(n),
        kind,
        title: title.into(),
        description: "Described in the tracker.".into(),
        success_criterion: "A drill at 2x peak passes within 5 minutes.".into(),
        owner_team: "Payments SRE".into(),
        due_on: NaiveDate::from_ymd_opt(2026, 4, 1),
        status: MeasureStatus::Planned,
    }
}

/// A resolved incident with a complete, blameless, specific post-mortem and no meeting yet.
pub fn ready() -> Snapshot {
    let resolved = at(2026, 3, 1, 11);
    Snapshot {
        incident_status: IncidentStatus::Resolved,
        resolved_at: Some(resolved),
        post_mortem: PostMortemFacts {
            status: PostMortemStatus::Draft,
            impact_summary: "Card payments failed for two hours.".into(),
            went_well: "The rollback took ten minutes.".into(),
            could_be_better: "Our alerting missed the rising error rate.".into(),
            meeting_at: None,
            published_at: None,
        },
        timeline: vec![EventFacts {
            id: id(1),
            visibility: Visibility::Client,
            body: "Payments began failing.".into(),
        }],
        root_causes: vec![CauseFacts {
            id: id(2),
            kind: RootCauseKind::RootCause,
            client_explanation: "A configuration change lowered a connection limit.".into(),
        }],
        impacts: vec![ImpactFacts {
            id: id(3),
            description: "Checkout was unavailable.".into(),
        }],
        measures: vec![
            measure(
                4,
                MeasureKind::Technical,
                "Validate connection limits in CI",
            ),
            measure(5, MeasureKind::Process, "Show effective values in reviews"),
            measure(
                6,
                MeasureKind::Monitoring,
                "Alert on pool saturation above 90%",
            ),
        ],
        settings: Settings {
            cooling_off_hours: 48,
            blameless_policy: BlamelessPolicy::Warn,
            terms: TenantTerms::default(),
        },
        people: vec![Person {
            display_name: "Dana Whitfield".into(),
            email: "dana.w@acme.example".into(),
        }],
        other_names: vec!["Payments".into(), "Globex".into()],
        now: now(),
    }
}

/// The codes of the findings about `snapshot`.
pub fn codes(snapshot: &Snapshot) -> Vec<FindingCode> {
    check(snapshot).iter().map(|f| f.code).collect()
}

/// The findings about an impact summary reading `text`.
pub fn about(text: &str, s: &mut Snapshot) -> Vec<Finding> {
    s.post_mortem.impact_summary = text.into();
    check(s)
        .into_iter()
        .filter(|f| f.target == Target::PostMortem("impactSummary"))
        .collect()
}

/// The codes of the findings about an impact summary reading `text` in the sample.
pub fn codes_of(text: &str) -> Vec<FindingCode> {
    about(text, &mut ready()).iter().map(|f| f.code).collect()
}

/// The path of a target, naming records by their raw UUID.
pub fn path(target: &Target) -> String {
    target.path(|_, id| id.to_string())
}

#[test]
fn the_sample_is_ready_with_no_findings() {
    let findings = check(&ready());
    assert_eq!(findings, vec![]);
    assert!(super::ready(&findings));
}
