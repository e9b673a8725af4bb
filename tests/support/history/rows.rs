//! Writing the history's rows straight into the tables.

use super::tables::Incident;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use entity::*;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use FeedbackStatus::Closed;
use MeasureStatus::Cancelled;
use RootCauseCategory as Cat;

pub(super) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2026-{text}:00Z"))
        .expect("fixture time")
        .with_timezone(&Utc)
}

pub(super) fn day(text: &str) -> NaiveDate {
    format!("2026-{text}").parse().expect("fixture day")
}

pub(super) async fn put<A: ActiveModelTrait + Send>(db: &DatabaseConnection, row: A) {
    A::Entity::insert(row.reset_all())
        .exec_without_returning(db)
        .await
        .expect("insert fixture row");
}

pub(super) async fn client(db: &DatabaseConnection, t: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    let now = Utc::now();
    put(
        db,
        client::Model {
            tenant_id: t,
            id,
            name: name.into(),
            contact_email: None,
            time_zone: None,
            created_at: now,
            updated_at: now,
        }
        .into_active_model(),
    )
    .await;
    id
}

pub(super) async fn service(db: &DatabaseConnection, t: Uuid, name: &str) -> Uuid {
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

pub(super) async fn user(
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

pub(super) async fn incident(db: &DatabaseConnection, t: Uuid, spec: &Incident) -> Uuid {
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
            id: Uuid::now_v7(),
            incident_id: id,
            ordinal: 1,
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

pub(super) async fn root_cause(db: &DatabaseConnection, t: Uuid, incident_id: Uuid, category: Cat) {
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

pub(super) async fn impact(
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

pub(super) type MeasureRow = (
    MeasureKind,
    &'static str,
    &'static str,
    MeasureStatus,
    Option<&'static str>,
    Effectiveness,
);

pub(super) async fn measure(db: &DatabaseConnection, t: Uuid, incident_id: Uuid, m: MeasureRow) {
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

pub(super) type FeedbackRow = (
    &'static str,
    Option<&'static str>,
    FeedbackStatus,
    Option<i32>,
);

pub(super) async fn feedback(
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
