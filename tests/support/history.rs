//! A small, hand-built history for the metrics tests: twelve incidents from July to
//! October 2026, written straight into the database because the API stamps publication,
//! completion and reply times with the present. `tests/metrics.rs` works every figure out
//! by hand from the tables below.

use super::TestApp;
use super::world::global_id;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use entity::*;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use FeedbackStatus::{Answered, Closed, Open};
use MeasureKind::{Monitoring, Process, Technical};
use MeasureStatus::{Cancelled, Done, InProgress, Planned};
use RootCauseCategory as Cat;

/// The history's tenant: tokens and the global ids filters need.
pub struct History {
    pub admin: String,
    pub reporter: String,
    pub client: String,
    /// Client "Acme", services "Payments" and "Search".
    pub acme: String,
    pub payments: String,
    pub search: String,
    /// A client of another tenant.
    pub foreign_client: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Who {
    Acme,
    Bolt,
}

#[derive(Clone, Copy, PartialEq)]
enum Svc {
    Payments,
    Search,
}

/// One incident: number, severity, started, resolved, services, root-cause categories,
/// impacted clients, post-mortem published, review held.
struct Incident {
    number: i64,
    severity: Severity,
    started: &'static str,
    resolved: Option<&'static str>,
    services: &'static [Svc],
    causes: &'static [Cat],
    impacts: &'static [Who],
    published: Option<&'static str>,
    reviewed: Option<&'static str>,
}

const fn inc(
    number: i64,
    severity: Severity,
    started: &'static str,
    resolved: Option<&'static str>,
    services: &'static [Svc],
    causes: &'static [Cat],
) -> Incident {
    Incident {
        number,
        severity,
        started,
        resolved,
        services,
        causes,
        impacts: &[],
        published: None,
        reviewed: None,
    }
}

const INCIDENTS: [Incident; 12] = {
    use Severity::*;
    use Svc::*;
    [
        Incident {
            impacts: &[Who::Acme],
            published: Some("07-06T14:00"),
            reviewed: Some("08-04T10:00"),
            ..inc(
                1,
                Sev1,
                "07-02T10:00",
                Some("07-02T14:00"),
                &[Payments],
                &[Cat::Configuration],
            )
        },
        Incident {
            impacts: &[Who::Bolt],
            published: Some("07-20T20:00"),
            reviewed: Some("08-25T10:00"),
            ..inc(
                2,
                Sev2,
                "07-15T08:00",
                Some("07-15T20:00"),
                &[Search],
                &[Cat::Capacity],
            )
        },
        Incident {
            impacts: &[Who::Acme],
            ..inc(
                3,
                Sev3,
                "07-31T23:30",
                Some("08-01T01:30"),
                &[Payments],
                &[Cat::CodeChange],
            )
        },
        Incident {
            impacts: &[Who::Acme, Who::Bolt],
            published: Some("08-12T12:00"),
            ..inc(
                4,
                Sev1,
                "08-05T06:00",
                Some("08-05T12:00"),
                &[Payments],
                &[Cat::Configuration],
            )
        },
        inc(
            5,
            Sev2,
            "08-10T10:00",
            Some("08-10T13:00"),
            &[Search],
            &[Cat::ThirdParty],
        ),
        inc(6, Sev4, "08-20T00:00", None, &[Search], &[]),
        Incident {
            impacts: &[Who::Bolt],
            ..inc(
                7,
                Sev1,
                "08-31T22:00",
                Some("09-01T02:00"),
                &[Search],
                &[Cat::Capacity],
            )
        },
        Incident {
            impacts: &[Who::Acme],
            published: Some("09-08T10:00"),
            reviewed: Some("10-05T10:00"),
            ..inc(
                8,
                Sev3,
                "09-03T09:00",
                Some("09-03T10:00"),
                &[Payments],
                &[Cat::Process],
            )
        },
        Incident {
            impacts: &[Who::Acme],
            published: Some("09-15T12:00"),
            ..inc(
                9,
                Sev2,
                "09-12T12:00",
                Some("09-13T12:00"),
                &[Payments, Search],
                &[Cat::Infrastructure],
            )
        },
        inc(
            10,
            Sev4,
            "09-20T15:00",
            Some("09-20T15:30"),
            &[Search],
            &[Cat::Other],
        ),
        inc(
            11,
            Sev3,
            "09-28T10:00",
            Some("09-28T18:00"),
            &[Payments],
            &[Cat::CodeChange],
        ),
        Incident {
            impacts: &[Who::Acme],
            ..inc(
                12,
                Sev2,
                "10-02T10:00",
                Some("10-02T12:00"),
                &[Payments],
                &[Cat::Configuration],
            )
        },
    ]
};

/// Measure: incident, kind, created, committed day, status, completed, effectiveness.
type Measure = (
    i64,
    MeasureKind,
    &'static str,
    &'static str,
    MeasureStatus,
    Option<&'static str>,
    Effectiveness,
);

const MEASURES: [Measure; 10] = {
    use Effectiveness::*;
    [
        (
            1,
            Technical,
            "07-03T00:00",
            "07-20",
            Done,
            Some("07-15T12:00"),
            Effective,
        ),
        (
            1,
            Process,
            "07-03T00:00",
            "07-31",
            Done,
            Some("07-31T23:00"),
            PartiallyEffective,
        ),
        (
            2,
            Technical,
            "07-16T00:00",
            "08-10",
            Done,
            Some("08-20T10:00"),
            NotEffective,
        ),
        (
            2,
            Monitoring,
            "07-16T00:00",
            "08-15",
            Cancelled,
            None,
            NotReviewed,
        ),
        (
            4,
            Technical,
            "08-06T00:00",
            "09-01",
            InProgress,
            None,
            NotReviewed,
        ),
        (
            4,
            Process,
            "08-06T00:00",
            "09-10",
            Done,
            Some("09-09T00:00"),
            NotReviewed,
        ),
        (
            4,
            Monitoring,
            "08-06T00:00",
            "09-30",
            Planned,
            None,
            NotReviewed,
        ),
        (
            8,
            Process,
            "09-04T00:00",
            "09-25",
            Done,
            Some("09-25T10:00"),
            Effective,
        ),
        (
            8,
            Technical,
            "09-04T00:00",
            "10-15",
            Done,
            Some("10-10T00:00"),
            NotReviewed,
        ),
        (
            9,
            Monitoring,
            "09-13T00:00",
            "09-20",
            Done,
            Some("09-22T08:00"),
            NotReviewed,
        ),
    ]
};

/// Feedback: incident, client, created, first response, status, confidence.
type Feedback = (
    i64,
    Who,
    &'static str,
    Option<&'static str>,
    FeedbackStatus,
    Option<i32>,
);

const FEEDBACK: [Feedback; 6] = [
    (
        1,
        Who::Acme,
        "07-07T09:00",
        Some("07-07T21:00"),
        Answered,
        Some(2),
    ),
    (
        1,
        Who::Acme,
        "08-10T08:00",
        Some("08-13T08:00"),
        Closed,
        Some(4),
    ),
    (
        2,
        Who::Bolt,
        "07-21T10:00",
        Some("07-24T10:00"),
        Answered,
        Some(1),
    ),
    (4, Who::Acme, "08-13T00:00", None, Open, Some(3)),
    (
        4,
        Who::Bolt,
        "08-14T12:00",
        Some("08-16T12:00"),
        Answered,
        None,
    ),
    (
        8,
        Who::Acme,
        "09-09T10:00",
        Some("09-09T11:00"),
        Answered,
        Some(5),
    ),
];

/// `MM-DDTHH:MM` in 2026, UTC.
fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-{text}:00Z"))
        .expect("fixture time")
        .with_timezone(&Utc)
}

fn day(text: &str) -> NaiveDate {
    format!("2026-{text}").parse().expect("fixture day")
}

async fn put<A: ActiveModelTrait + Send>(db: &DatabaseConnection, row: A) {
    A::Entity::insert(row.reset_all())
        .exec_without_returning(db)
        .await
        .expect("insert fixture row");
}

/// Writes the history into a new tenant, plus a second tenant whose one incident must
/// never be counted.
pub async fn build(app: &TestApp) -> History {
    let tenant = app.create_tenant("history").await;
    let other = app.create_tenant("elsewhere").await;
    let db = &app.db;
    let t = tenant.id;
    let acme = client(db, t, "Acme").await;
    let bolt = client(db, t, "Bolt").await;
    let payments = service(db, t, "Payments").await;
    let search = service(db, t, "Search").await;
    let acme_contact = user(db, t, "contact@acme.example", Role::Client, Some(acme)).await;
    let bolt_contact = user(db, t, "contact@bolt.example", Role::Client, Some(bolt)).await;
    let reporter = user(db, t, "reporter@history.example", Role::Reporter, None).await;
    let who = |w: Who| if w == Who::Acme { acme } else { bolt };
    let contact = |w: Who| {
        if w == Who::Acme {
            acme_contact
        } else {
            bolt_contact
        }
    };
    let svc = |s: Svc| if s == Svc::Payments { payments } else { search };

    let mut ids = std::collections::HashMap::new();
    for spec in &INCIDENTS {
        let id = incident(db, t, spec).await;
        ids.insert(spec.number, id);
        for s in spec.services {
            put(
                db,
                incident_service::Model {
                    tenant_id: t,
                    incident_id: id,
                    service_id: svc(*s),
                }
                .into_active_model(),
            )
            .await;
        }
        for category in spec.causes {
            root_cause(db, t, id, *category).await;
        }
        for w in spec.impacts {
            impact(db, t, id, who(*w), spec).await;
        }
    }
    for (number, kind, created, committed, status, completed, effectiveness) in MEASURES {
        measure(
            db,
            t,
            ids[&number],
            (kind, created, committed, status, completed, effectiveness),
        )
        .await;
    }
    for (number, w, created, answered, status, confidence) in FEEDBACK {
        feedback(
            db,
            t,
            ids[&number],
            who(w),
            contact(w),
            (created, answered, status, confidence),
        )
        .await;
    }
    let foreign_client = noise(db, other.id).await;
    for tenant in [t, other.id] {
        debrief::repo::signatures::rebuild(db, tenant)
            .await
            .expect("derive recurrence signatures");
    }

    History {
        admin: tenant.admin.clone(),
        reporter: app.token(t, reporter),
        client: app.token(t, acme_contact),
        acme: global_id("Client", acme),
        payments: global_id("Service", payments),
        search: global_id("Service", search),
        foreign_client: global_id("Client", foreign_client),
    }
}

async fn client(db: &DatabaseConnection, t: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    put(
        db,
        client::Model {
            tenant_id: t,
            id,
            name: name.into(),
            contact_email: None,
            created_at: now,
            updated_at: now,
        }
        .into_active_model(),
    )
    .await;
    id
}

async fn service(db: &DatabaseConnection, t: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    put(
        db,
        service::Model {
            tenant_id: t,
            id,
            name: name.into(),
            created_at: now,
            updated_at: now,
        }
        .into_active_model(),
    )
    .await;
    id
}

async fn user(
    db: &DatabaseConnection,
    t: Uuid,
    email: &str,
    role: Role,
    client_id: Option<Uuid>,
) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let row = user::Model {
        tenant_id: t,
        id,
        email: email.into(),
        display_name: email.into(),
        role,
        client_id,
        active: true,
        created_at: now,
        updated_at: now,
    };
    put(db, row.into_active_model()).await;
    id
}

async fn incident(db: &DatabaseConnection, t: Uuid, spec: &Incident) -> Uuid {
    let id = Uuid::now_v7();
    let started = at(spec.started);
    let resolved = spec.resolved.map(at);
    let status = if resolved.is_some() {
        IncidentStatus::Resolved
    } else {
        IncidentStatus::Monitoring
    };
    let row = incident::Model {
        tenant_id: t,
        id,
        number: spec.number,
        title: format!("Incident {}", spec.number),
        summary: "internal".into(),
        severity: spec.severity,
        status,
        started_at: started,
        detected_at: None,
        mitigated_at: None,
        resolved_at: resolved,
        recurring: false,
        version: 1,
        created_at: started,
        updated_at: started,
    };
    put(db, row.into_active_model()).await;
    let published = spec.published.map(at);
    let status = match (published, spec.reviewed) {
        (None, _) => PostMortemStatus::Draft,
        (Some(_), None) => PostMortemStatus::Published,
        (Some(_), Some(_)) => PostMortemStatus::Reviewed,
    };
    let row = post_mortem::Model {
        tenant_id: t,
        incident_id: id,
        status,
        impact_summary: String::new(),
        went_well: String::new(),
        could_be_better: String::new(),
        lessons_learned: String::new(),
        meeting_at: None,
        published_at: published,
        review_due_at: published.map(|p| p + TimeDelta::days(30)),
        version: 1,
        created_at: started,
        updated_at: started,
    };
    put(db, row.into_active_model()).await;
    if let Some(held) = spec.reviewed.map(at) {
        let row = effectiveness_review::Model {
            tenant_id: t,
            incident_id: id,
            held_at: held,
            summary: "Reviewed".into(),
            verdicts: serde_json::json!([]),
            recorded_by: None,
            created_at: held,
        };
        put(db, row.into_active_model()).await;
    }
    id
}

async fn root_cause(db: &DatabaseConnection, t: Uuid, incident_id: Uuid, category: Cat) {
    let now = Utc::now();
    let row = root_cause::Model {
        tenant_id: t,
        id: Uuid::now_v7(),
        incident_id,
        kind: RootCauseKind::RootCause,
        category,
        internal_analysis: "internal analysis".into(),
        client_explanation: "explained".into(),
        created_at: now,
        updated_at: now,
    };
    put(db, row.into_active_model()).await;
}

async fn impact(
    db: &DatabaseConnection,
    t: Uuid,
    incident_id: Uuid,
    client_id: Uuid,
    spec: &Incident,
) {
    let started = at(spec.started);
    let row = client_impact::Model {
        tenant_id: t,
        id: Uuid::now_v7(),
        incident_id,
        client_id,
        level: ImpactLevel::Degraded,
        description: "Checkout was slow".into(),
        started_at: started,
        ended_at: spec.resolved.map(at),
        created_at: started,
        updated_at: started,
    };
    put(db, row.into_active_model()).await;
}

type MeasureRow = (
    MeasureKind,
    &'static str,
    &'static str,
    MeasureStatus,
    Option<&'static str>,
    Effectiveness,
);

async fn measure(db: &DatabaseConnection, t: Uuid, incident_id: Uuid, m: MeasureRow) {
    let (kind, created, committed, status, completed, effectiveness) = m;
    let row = prevention_measure::Model {
        tenant_id: t,
        id: Uuid::now_v7(),
        incident_id,
        kind,
        title: format!("{kind:?} measure"),
        description: "internal detail".into(),
        success_criterion: "No repeat in 90 days".into(),
        owner_team: "Platform".into(),
        due_on: Some(day(committed)),
        committed_due_on: Some(day(committed)),
        status,
        completed_at: completed.map(at),
        cancel_reason: (status == Cancelled).then(|| "Superseded".into()),
        tracker_url: None,
        effectiveness,
        effectiveness_note: None,
        created_at: at(created),
        updated_at: at(created),
    };
    put(db, row.into_active_model()).await;
}

type FeedbackRow = (
    &'static str,
    Option<&'static str>,
    FeedbackStatus,
    Option<i32>,
);

async fn feedback(
    db: &DatabaseConnection,
    t: Uuid,
    incident_id: Uuid,
    client_id: Uuid,
    author_id: Uuid,
    f: FeedbackRow,
) {
    let (created, answered, status, confidence) = f;
    let row = feedback::Model {
        tenant_id: t,
        id: Uuid::now_v7(),
        incident_id,
        client_id,
        author_id,
        kind: FeedbackKind::Question,
        body: "secret question".into(),
        confidence,
        status,
        first_response_at: answered.map(at),
        closed_at: (status == Closed).then(|| at(created) + TimeDelta::days(7)),
        created_at: at(created),
        updated_at: at(created),
    };
    put(db, row.into_active_model()).await;
}

/// Another tenant's client, and its SEV1 in July with a published post-mortem and a
/// completed measure.
async fn noise(db: &DatabaseConnection, t: Uuid) -> Uuid {
    let client = client(db, t, "Acme").await;
    let spec = Incident {
        published: Some("07-05T00:00"),
        ..inc(
            1,
            Severity::Sev1,
            "07-03T10:00",
            Some("07-03T12:00"),
            &[],
            &[],
        )
    };
    let id = incident(db, t, &spec).await;
    measure(
        db,
        t,
        id,
        (
            Technical,
            "07-04T00:00",
            "07-10",
            Done,
            Some("07-09T00:00"),
            Effectiveness::NotReviewed,
        ),
    )
    .await;
    client
}
