//! The rows of one generated incident: a deterministic, plausible history drawn from a
//! seeded random generator, so every run of the generator writes the same data.

use chrono::{DateTime, TimeDelta, Utc};
use entity::*;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use uuid::Uuid;

/// The tenant's directory the generated incidents refer to.
pub struct Directory {
    pub tenant_id: Uuid,
    pub services: Vec<Uuid>,
    /// Each client with its contact (the author of that client's feedback).
    pub clients: Vec<(Uuid, Uuid)>,
    /// Incidents start uniformly between these two times.
    pub first_start: DateTime<Utc>,
    pub last_start: DateTime<Utc>,
}

/// Every row of one or more incidents, table by table.
#[derive(Default)]
pub struct IncidentRows {
    pub incident: Vec<incident::Model>,
    pub timeline: Vec<timeline_event::Model>,
    pub services: Vec<incident_service::Model>,
    pub causes: Vec<root_cause::Model>,
    pub impacts: Vec<client_impact::Model>,
    pub post_mortem: Vec<post_mortem::Model>,
    pub review: Vec<effectiveness_review::Model>,
    pub measures: Vec<prevention_measure::Model>,
    pub feedback: Vec<feedback::Model>,
}

impl IncidentRows {
    /// Appends `other`'s rows to these.
    pub fn append(&mut self, mut other: IncidentRows) {
        self.incident.append(&mut other.incident);
        self.timeline.append(&mut other.timeline);
        self.services.append(&mut other.services);
        self.causes.append(&mut other.causes);
        self.impacts.append(&mut other.impacts);
        self.post_mortem.append(&mut other.post_mortem);
        self.review.append(&mut other.review);
        self.measures.append(&mut other.measures);
        self.feedback.append(&mut other.feedback);
    }
}

const SEVERITIES: [(Severity, u32); 4] = [
    (Severity::Sev1, 10),
    (Severity::Sev2, 20),
    (Severity::Sev3, 35),
    (Severity::Sev4, 35),
];
const CATEGORIES: [RootCauseCategory; 9] = [
    RootCauseCategory::CodeChange,
    RootCauseCategory::Configuration,
    RootCauseCategory::Infrastructure,
    RootCauseCategory::Capacity,
    RootCauseCategory::ThirdParty,
    RootCauseCategory::Process,
    RootCauseCategory::MonitoringGap,
    RootCauseCategory::Security,
    RootCauseCategory::Other,
];
const KINDS: [MeasureKind; 3] = [
    MeasureKind::Technical,
    MeasureKind::Process,
    MeasureKind::Monitoring,
];
const VERDICTS: [Effectiveness; 3] = [
    Effectiveness::Effective,
    Effectiveness::PartiallyEffective,
    Effectiveness::NotEffective,
];

fn hours(rng: &mut StdRng, from: i64, to: i64) -> TimeDelta {
    TimeDelta::minutes(rng.random_range(from * 60..to * 60))
}

fn severity(rng: &mut StdRng) -> Severity {
    let mut roll = rng.random_range(0..100);
    for (severity, weight) in SEVERITIES {
        if roll < weight {
            return severity;
        }
        roll -= weight;
    }
    Severity::Sev4
}

/// The kinds of generated timeline entries, in order; the rest are notes.
const EVENT_KINDS: [TimelineEventKind; 7] = [
    TimelineEventKind::Started,
    TimelineEventKind::Detected,
    TimelineEventKind::ResponseInitiated,
    TimelineEventKind::ClientNotified,
    TimelineEventKind::CauseIdentified,
    TimelineEventKind::Mitigated,
    TimelineEventKind::Resolved,
];

/// `count` timeline entries from `started` on, a few minutes apart; every third is internal.
fn timeline(
    rng: &mut StdRng,
    t: Uuid,
    incident_id: Uuid,
    started: DateTime<Utc>,
    count: u32,
) -> Vec<timeline_event::Model> {
    let mut at = started;
    (0..count)
        .map(|n| {
            at += TimeDelta::minutes(rng.random_range(1..30));
            let kind = EVENT_KINDS
                .get(n as usize)
                .copied()
                .unwrap_or(TimelineEventKind::Note);
            timeline_event::Model {
                tenant_id: t,
                id: Uuid::now_v7(),
                incident_id,
                occurred_at: at,
                kind,
                body: format!("Generated update {n}: what we saw and what we did next."),
                visibility: if n % 3 == 2 {
                    Visibility::Internal
                } else {
                    Visibility::Client
                },
                author_id: None,
                created_at: at,
                updated_at: at,
            }
        })
        .collect()
}

/// The rows of incident `number` and everything recorded about it, with `events` timeline
/// entries.
pub fn incident(rng: &mut StdRng, dir: &Directory, number: i64, events: u32) -> IncidentRows {
    let t = dir.tenant_id;
    let id = Uuid::now_v7();
    let span = (dir.last_start - dir.first_start).num_minutes();
    let started = dir.first_start + TimeDelta::minutes(rng.random_range(0..span));
    let resolved = rng.random_bool(0.95).then(|| started + hours(rng, 1, 48));
    let mut rows = IncidentRows::default();
    rows.incident.push(incident::Model {
        tenant_id: t,
        id,
        number,
        title: format!("Generated incident {number}"),
        summary: "Generated for volume tests.".into(),
        severity: severity(rng),
        status: if resolved.is_some() {
            IncidentStatus::Resolved
        } else {
            IncidentStatus::Monitoring
        },
        started_at: started,
        detected_at: None,
        mitigated_at: None,
        resolved_at: resolved,
        recurring: false,
        version: 1,
        created_at: started,
        updated_at: resolved.unwrap_or(started),
    });
    rows.timeline = timeline(rng, t, id, started, events);
    let count = rng.random_range(1..=2);
    let services: Vec<Uuid> = dir.services.choose_multiple(rng, count).copied().collect();
    for service in services {
        rows.services.push(incident_service::Model {
            tenant_id: t,
            incident_id: id,
            service_id: service,
        });
    }
    for _ in 0..rng.random_range(1..=2) {
        rows.causes.push(root_cause::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            incident_id: id,
            kind: RootCauseKind::RootCause,
            category: *CATEGORIES.choose(rng).unwrap_or(&RootCauseCategory::Other),
            internal_analysis: "Generated analysis.".into(),
            client_explanation: "Generated explanation.".into(),
            created_at: started,
            updated_at: started,
        });
    }
    let count = rng.random_range(0..=2);
    let impacted: Vec<(Uuid, Uuid)> = dir.clients.choose_multiple(rng, count).copied().collect();
    for (client, _) in &impacted {
        rows.impacts.push(client_impact::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            incident_id: id,
            client_id: *client,
            level: ImpactLevel::Degraded,
            description: "Generated impact.".into(),
            started_at: started,
            ended_at: resolved,
            created_at: started,
            updated_at: started,
        });
    }
    follow_up(rng, dir, &mut rows, resolved, &impacted);
    rows
}

/// The post-mortem, and for published ones the measures, review and feedback.
fn follow_up(
    rng: &mut StdRng,
    dir: &Directory,
    rows: &mut IncidentRows,
    resolved: Option<DateTime<Utc>>,
    impacted: &[(Uuid, Uuid)],
) {
    let (t, id, started) = (
        dir.tenant_id,
        rows.incident[0].id,
        rows.incident[0].started_at,
    );
    let published = resolved
        .filter(|_| rng.random_bool(0.7))
        .map(|r| r + hours(rng, 24, 240));
    let review_due = published.map(|p| p + TimeDelta::days(30));
    let held = review_due
        .filter(|_| rng.random_bool(0.6))
        .map(|due| due - TimeDelta::days(10) + hours(rng, 0, 480));
    rows.post_mortem.push(post_mortem::Model {
        tenant_id: t,
        incident_id: id,
        status: match (published, held) {
            (None, _) => PostMortemStatus::Draft,
            (Some(_), None) => PostMortemStatus::Published,
            (Some(_), Some(_)) => PostMortemStatus::Reviewed,
        },
        impact_summary: String::new(),
        went_well: String::new(),
        could_be_better: String::new(),
        lessons_learned: String::new(),
        meeting_at: None,
        published_at: published,
        review_due_at: review_due,
        version: 1,
        created_at: started,
        updated_at: started,
    });
    let (Some(published), Some(resolved)) = (published, resolved) else {
        return;
    };
    if let Some(held) = held {
        rows.review.push(effectiveness_review::Model {
            tenant_id: t,
            id,
            incident_id: id,
            ordinal: 1,
            held_at: held,
            summary: "Generated review.".into(),
            verdicts: serde_json::Value::Array(Vec::new()),
            recorded_by: None,
            created_at: held,
        });
    }
    for _ in 0..rng.random_range(1..=3) {
        let created = resolved + TimeDelta::days(1);
        let committed = (published + TimeDelta::days(rng.random_range(7..60))).date_naive();
        let roll = rng.random_range(0..100);
        let status = match roll {
            0..60 => MeasureStatus::Done,
            60..70 => MeasureStatus::Cancelled,
            70..85 => MeasureStatus::InProgress,
            _ => MeasureStatus::Planned,
        };
        let completed = (status == MeasureStatus::Done)
            .then(|| created + TimeDelta::days(rng.random_range(1..70)));
        let effectiveness = match (held, status) {
            (Some(_), MeasureStatus::Done) => *VERDICTS.choose(rng).unwrap_or(&VERDICTS[0]),
            _ => Effectiveness::NotReviewed,
        };
        rows.measures.push(prevention_measure::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            incident_id: id,
            kind: *KINDS.choose(rng).unwrap_or(&KINDS[0]),
            title: "Generated measure".into(),
            description: String::new(),
            success_criterion: "No repeat within 90 days".into(),
            owner_team: "Platform".into(),
            due_on: Some(committed),
            committed_due_on: Some(committed),
            status,
            completed_at: completed,
            cancel_reason: (status == MeasureStatus::Cancelled).then(|| "Superseded".into()),
            tracker_url: None,
            effectiveness,
            effectiveness_note: None,
            created_at: created,
            updated_at: completed.unwrap_or(created),
        });
    }
    for (client, contact) in impacted {
        if rng.random_bool(0.5) {
            continue;
        }
        let created = published + hours(rng, 1, 480);
        let answered = rng.random_bool(0.8).then(|| created + hours(rng, 1, 100));
        rows.feedback.push(feedback::Model {
            tenant_id: t,
            id: Uuid::now_v7(),
            incident_id: id,
            client_id: *client,
            author_id: *contact,
            kind: FeedbackKind::Question,
            body: "Generated question.".into(),
            confidence: rng.random_bool(0.7).then(|| rng.random_range(1..=5)),
            status: if answered.is_some() {
                FeedbackStatus::Answered
            } else {
                FeedbackStatus::Open
            },
            first_response_at: answered,
            closed_at: None,
            created_at: created,
            updated_at: answered.unwrap_or(created),
        });
    }
}
