//! The batched lists decode every column of every batched entity: each row is written with
//! every column set (nullable ones included) to a value of its own, then read back through
//! `Scope::record_parts` and compared with what was written, on either database.

use crate::support::{TestApp, spawn_app};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use debrief::auth::{Authenticator, TokenVerifier};
use debrief::repo::Scope;
use debrief::repo::batch::{List, Part};
use entity::{
    Effectiveness, FeedbackKind, FeedbackStatus, ImpactLevel, IncidentStatus, MeasureKind,
    MeasureStatus, PostMortemStatus, RootCauseCategory, RootCauseKind, Severity, client,
    client_impact, feedback, incident, incident_service, measure_root_cause, post_mortem,
    prevention_measure, root_cause, root_cause_service, service,
};
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, IntoActiveModel};
use uuid::Uuid;

/// A distinct timestamp for each column, with microseconds (the precision both databases keep).
fn at(second: u32) -> DateTime<Utc> {
    let whole = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, second);
    whole.single().expect("a valid time") + chrono::TimeDelta::microseconds(123_456)
}

fn day(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, day).expect("a valid date")
}

async fn insert<A>(app: &TestApp, row: A) -> <A::Entity as sea_orm::EntityTrait>::Model
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as sea_orm::EntityTrait>::Model: IntoActiveModel<A>,
{
    row.insert(&app.owner_db).await.expect("insert a row")
}

/// The scope of the tenant's ADMIN, as the server builds it for a request.
async fn admin_scope(app: &TestApp, token: &str) -> Scope {
    let config = crate::support::config(app.database_url());
    let verifier = TokenVerifier::new(&config.jwt).expect("a verifier");
    Authenticator::new(verifier, app.db.clone())
        .authenticate(Some(&format!("Bearer {token}")))
        .await
        .expect("the admin signs in")
}

/// One row of each batched entity, every column set, linked to one incident.
struct Written {
    incident: Uuid,
    client: client::Model,
    service: service::Model,
    cause: root_cause::Model,
    impact: client_impact::Model,
    measure: prevention_measure::Model,
    post_mortem: post_mortem::Model,
    thread: feedback::Model,
}

async fn write_every_column(app: &TestApp, tenant: Uuid, author: Uuid) -> Written {
    let client = insert(
        app,
        client::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            name: "Acme".into(),
            contact_email: Some("ops@acme.test".into()),
            time_zone: Some("Europe/Paris".into()),
            created_at: at(1),
            updated_at: at(2),
        }
        .into_active_model(),
    )
    .await;
    let service = insert(
        app,
        service::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            name: "Payments".into(),
            created_at: at(3),
            updated_at: at(4),
        }
        .into_active_model(),
    )
    .await;
    let incident = insert(
        app,
        incident::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            number: 7,
            title: "Checkout down".into(),
            summary: "Card payments failed".into(),
            severity: Severity::Sev2,
            status: IncidentStatus::Resolved,
            started_at: at(5),
            detected_at: Some(at(6)),
            mitigated_at: Some(at(7)),
            resolved_at: Some(at(8)),
            recurring: true,
            version: 3,
            created_at: at(9),
            updated_at: at(10),
        }
        .into_active_model(),
    )
    .await;
    insert(
        app,
        incident_service::Model {
            tenant_id: tenant,
            incident_id: incident.id,
            service_id: service.id,
        }
        .into_active_model(),
    )
    .await;
    let cause = insert(
        app,
        root_cause::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            incident_id: incident.id,
            kind: RootCauseKind::ContributingFactor,
            category: RootCauseCategory::ThirdParty,
            internal_analysis: "The vendor's certificate expired".into(),
            client_explanation: "A supplier's outage".into(),
            created_at: at(11),
            updated_at: at(12),
        }
        .into_active_model(),
    )
    .await;
    insert(
        app,
        root_cause_service::Model {
            tenant_id: tenant,
            root_cause_id: cause.id,
            service_id: service.id,
        }
        .into_active_model(),
    )
    .await;
    let impact = insert(
        app,
        client_impact::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            incident_id: incident.id,
            client_id: client.id,
            level: ImpactLevel::PartialOutage,
            description: "Half the orders failed".into(),
            started_at: at(13),
            ended_at: Some(at(14)),
            created_at: at(15),
            updated_at: at(16),
        }
        .into_active_model(),
    )
    .await;
    let measure = insert(
        app,
        prevention_measure::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            incident_id: incident.id,
            kind: MeasureKind::Monitoring,
            title: "Alert on expiry".into(),
            description: "Page 30 days before".into(),
            success_criterion: "No expired certificate".into(),
            owner_team: "Platform".into(),
            due_on: Some(day(10)),
            committed_due_on: Some(day(11)),
            status: MeasureStatus::Cancelled,
            completed_at: Some(at(17)),
            cancel_reason: Some("Replaced".into()),
            tracker_url: Some("https://tracker.test/1".into()),
            effectiveness: Effectiveness::PartiallyEffective,
            effectiveness_note: Some("Caught one of two".into()),
            created_at: at(18),
            updated_at: at(19),
        }
        .into_active_model(),
    )
    .await;
    insert(
        app,
        measure_root_cause::Model {
            tenant_id: tenant,
            measure_id: measure.id,
            root_cause_id: cause.id,
        }
        .into_active_model(),
    )
    .await;
    let post_mortem = insert(
        app,
        post_mortem::Model {
            tenant_id: tenant,
            incident_id: incident.id,
            status: PostMortemStatus::Reviewed,
            impact_summary: "Orders lost for an hour".into(),
            went_well: "Fast rollback".into(),
            could_be_better: "Earlier detection".into(),
            lessons_learned: "Watch certificates".into(),
            meeting_at: Some(at(20)),
            published_at: Some(at(21)),
            review_due_at: Some(at(22)),
            version: 4,
            created_at: at(23),
            updated_at: at(24),
        }
        .into_active_model(),
    )
    .await;
    let thread = insert(
        app,
        feedback::Model {
            tenant_id: tenant,
            id: Uuid::now_v7(),
            incident_id: incident.id,
            client_id: client.id,
            author_id: author,
            kind: FeedbackKind::Concern,
            body: "Will it happen again?".into(),
            confidence: Some(2),
            status: FeedbackStatus::Answered,
            first_response_at: Some(at(25)),
            closed_at: Some(at(26)),
            created_at: at(27),
            updated_at: at(28),
        }
        .into_active_model(),
    )
    .await;
    Written {
        incident: incident.id,
        client,
        service,
        cause,
        impact,
        measure,
        post_mortem,
        thread,
    }
}

#[tokio::test]
async fn every_batched_entity_decodes_every_column() {
    let app = spawn_app().await;
    let tenant = app.create_tenant("rows").await;
    let written = write_every_column(&app, tenant.id, tenant.admin_id).await;
    let scope = admin_scope(&app, &tenant.admin).await;
    let part = |list, parent| Part { list, parent };
    let (incident, cause, measure) = (written.incident, written.cause.id, written.measure.id);
    let feedback = List::Feedback {
        status: Some(FeedbackStatus::Answered),
        first: 5,
    };
    let parts = [
        part(List::IncidentServices, incident),
        part(List::RootCauses, incident),
        part(List::Impacts, incident),
        part(List::Measures, incident),
        part(List::PostMortem, incident),
        part(feedback, incident),
        part(List::FeedbackCount(None), incident),
        part(List::RootCauseServices, cause),
        part(List::Client, written.client.id),
        part(List::MeasureAddresses, measure),
    ];
    let mut found = scope.record_parts(&parts).await.expect("the batch reads");
    let mut take = |list, parent| found.remove(&part(list, parent)).expect("a part");
    let service = take(List::IncidentServices, incident).services();
    assert_eq!(service.expect("services"), vec![written.service.clone()]);
    let causes = take(List::RootCauses, incident).root_causes();
    assert_eq!(causes.expect("causes"), vec![written.cause.clone()]);
    let impacts = take(List::Impacts, incident).impacts();
    assert_eq!(impacts.expect("impacts"), vec![written.impact]);
    let measures = take(List::Measures, incident).measures();
    assert_eq!(measures.expect("measures"), vec![written.measure]);
    let post_mortem = take(List::PostMortem, incident).post_mortem();
    assert_eq!(post_mortem.expect("post-mortem"), Some(written.post_mortem));
    let threads = take(feedback, incident).feedback();
    assert_eq!(threads.expect("threads"), vec![written.thread]);
    let count = take(List::FeedbackCount(None), incident).count();
    assert_eq!(count.expect("a count"), 1);
    let services = take(List::RootCauseServices, cause).services();
    assert_eq!(services.expect("services"), vec![written.service]);
    let client = take(List::Client, written.client.id).client();
    assert_eq!(client.expect("a client"), Some(written.client));
    let addressed = take(List::MeasureAddresses, measure).root_causes();
    assert_eq!(addressed.expect("causes"), vec![written.cause]);
}

#[tokio::test]
async fn a_list_read_as_another_is_an_error_not_an_empty_value() {
    let empty = List::Measures.empty();
    assert!(empty.clone().measures().is_ok_and(|m| m.is_empty()));
    assert!(empty.clone().services().is_err());
    assert!(empty.count().is_err());
}
