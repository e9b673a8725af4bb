//! The demo's post-mortems: one complete and published, one draft still being written.

use super::demo::ok;
use crate::auth;
use crate::domain::time;
use crate::repo::feedback::NewFeedback;
use crate::repo::impacts::ImpactInput;
use crate::repo::measures::NewMeasure;
use crate::repo::post_mortems::PostMortemChanges;
use crate::repo::root_causes::NewRootCause;
use crate::repo::timeline::NewTimelineEvent;
use crate::repo::{Grouping, TenantConnection};
use crate::repo::{Scope, Writer, identity};
use chrono::{TimeDelta, Utc};
use entity::{
    FeedbackKind, ImpactLevel, MeasureKind, RootCauseCategory, RootCauseKind, TimelineEventKind,
    Visibility, incident,
};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

/// Writes the post-mortem of the first demo incident, publishes it, and has Globex's contact
/// ask a question that the editor answers; starts a draft for the second incident.
pub(super) async fn seed(
    db: &DatabaseConnection,
    scope: &Scope,
    incidents: &[incident::Model],
    globex: Uuid,
    services: &[Uuid],
) -> Result<(), String> {
    let writer = scope.writer().map_err(|e| e.to_string())?;
    if let Some(checkout) = incidents.first() {
        published(&writer, checkout, globex, services).await?;
        conversation(db, scope, checkout.id).await?;
    }
    if let Some(email) = incidents.get(1) {
        draft(&writer, email, globex, services).await?;
    }
    Ok(())
}

async fn published(
    writer: &Writer<'_>,
    incident: &incident::Model,
    globex: Uuid,
    services: &[Uuid],
) -> Result<(), String> {
    let at = |minutes: i64| {
        time::to_storage_precision(incident.started_at + TimeDelta::minutes(minutes))
    };
    let events = [
        (
            0,
            TimelineEventKind::Started,
            "Card payments from EU customers began failing at checkout.",
            Visibility::Client,
        ),
        (
            12,
            TimelineEventKind::Detected,
            "Our payment success-rate alert fired and the on-call engineer was paged.",
            Visibility::Client,
        ),
        (
            20,
            TimelineEventKind::ResponseInitiated,
            "Incident declared; payments and platform teams joined the bridge.",
            Visibility::Internal,
        ),
        (
            35,
            TimelineEventKind::ClientNotified,
            "We posted a status update and emailed affected clients.",
            Visibility::Client,
        ),
        (
            70,
            TimelineEventKind::CauseIdentified,
            "A configuration change had lowered the connection limit to the card processor.",
            Visibility::Client,
        ),
        (
            180,
            TimelineEventKind::Mitigated,
            "The previous limit was restored and payments began succeeding again.",
            Visibility::Client,
        ),
        (
            300,
            TimelineEventKind::Resolved,
            "Success rates stayed normal for two hours; the incident was resolved.",
            Visibility::Client,
        ),
    ];
    for (minutes, kind, body, visibility) in events {
        let new = NewTimelineEvent {
            incident_id: incident.id,
            occurred_at: at(minutes),
            kind,
            body: body.into(),
            visibility,
        };
        ok(writer.timeline_event_create(new).await)?;
    }
    let cause = ok(writer
        .root_cause_create(NewRootCause {
            incident_id: incident.id,
            kind: RootCauseKind::RootCause,
            category: RootCauseCategory::Configuration,
            internal_analysis: "The limit lives in a shared config file without a schema; the review did not show the effective value.".into(),
            client_explanation: "A configuration change lowered the number of connections we keep open to our card processor, so payments queued and timed out under normal load.".into(),
            service_ids: vec![services[1]],
        })
        .await)?;
    let factor = ok(writer
        .root_cause_create(NewRootCause {
            incident_id: incident.id,
            kind: RootCauseKind::ContributingFactor,
            category: RootCauseCategory::MonitoringGap,
            internal_analysis: "Connection-pool saturation had no alert; only the end-to-end success rate did.".into(),
            client_explanation: "We had no alert on the connection pool itself, so detection waited for the overall success rate to drop.".into(),
            service_ids: vec![services[0]],
        })
        .await)?;
    ok(writer
        .client_impact_set(ImpactInput {
            incident_id: incident.id,
            client_id: globex,
            level: ImpactLevel::FullOutage,
            description: "Checkout on the Globex web shop could not take card payments.".into(),
            started_at: at(0),
            ended_at: Some(at(180)),
        })
        .await)?;
    let due = |days: i64| (Utc::now() + TimeDelta::days(days)).date_naive();
    let measures = [
        (
            MeasureKind::Technical,
            "Validate connection limits in CI",
            "Reject configuration changes that lower processor connection limits below measured peak.",
            "A change below peak fails the pipeline in a test.",
            "Payments Platform",
            21,
            cause.id,
        ),
        (
            MeasureKind::Process,
            "Show effective values in config reviews",
            "Config review diffs show the resulting value, not just the changed line.",
            "Every config review in the next month shows effective values.",
            "Developer Experience",
            30,
            cause.id,
        ),
        (
            MeasureKind::Monitoring,
            "Alert on connection-pool saturation",
            "Page on-call when the processor pool stays above 90% for 2 minutes.",
            "The alert fires within 3 minutes in a load drill.",
            "SRE",
            14,
            factor.id,
        ),
    ];
    for (kind, title, description, criterion, team, days, addresses) in measures {
        let new = NewMeasure {
            incident_id: incident.id,
            kind,
            title: title.into(),
            description: description.into(),
            success_criterion: criterion.into(),
            owner_team: team.into(),
            due_on: Some(due(days)),
            tracker_url: Some(format!(
                "https://tracker.acme.example/{}",
                title.to_lowercase().replace(' ', "-")
            )),
            addresses: vec![addresses],
        };
        ok(writer.measure_create(new).await)?;
    }
    let sections = PostMortemChanges {
        version: 1,
        impact_summary: Some("For about three hours, card payments at checkout failed for clients serving EU customers.".into()),
        went_well: Some("Our success-rate alert paged the on-call engineer within 12 minutes, and clients heard from us within 35.".into()),
        could_be_better: Some("We should have detected the saturated connection pool directly, and restored the previous setting sooner.".into()),
        lessons_learned: Some("Config values need schema validation; rollbacks of config should be one command.".into()),
    };
    ok(writer.post_mortem_update(incident.id, sections).await)?;
    ok(writer.post_mortem_publish(incident.id, None).await)?;
    Ok(())
}

/// Gina from Globex asks a question and the editor answers it.
async fn conversation(
    db: &DatabaseConnection,
    scope: &Scope,
    incident_id: Uuid,
) -> Result<(), String> {
    let as_user = |email: &'static str| async move {
        let tenant_db = TenantConnection::new(
            db.clone(),
            scope.principal().tenant_id(),
            Grouping::EachStatement,
        );
        let user = identity::user_by_email(&tenant_db, email)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("demo user {email} is missing"))?;
        Ok::<Scope, String>(Scope::new(db.clone(), auth::acting_as(&user)))
    };
    let gina = as_user("client@globex.example").await?;
    let question = NewFeedback {
        incident_id,
        kind: FeedbackKind::Question,
        body: "Will the new connection-limit check also cover our EU payment gateway?".into(),
        confidence: Some(3),
    };
    let thread = ok(gina.feedback_submit(question, u32::MAX).await)?;
    let eddie = as_user("editor@acme.example").await?;
    let answer = "Yes: the CI check validates the limits of every processor connection, including the EU gateway.".to_owned();
    ok(eddie.feedback_reply(thread.id, answer).await)?;
    Ok(())
}

/// A draft still being written, with findings a newcomer can see in `readiness`: a named
/// person and blame in the root cause, a defensive sentence, a vague measure without a
/// success criterion, an impact without a description, and a meeting set too soon.
async fn draft(
    writer: &Writer<'_>,
    incident: &incident::Model,
    globex: Uuid,
    services: &[Uuid],
) -> Result<(), String> {
    let new = NewTimelineEvent {
        incident_id: incident.id,
        occurred_at: time::to_storage_precision(incident.started_at + TimeDelta::minutes(30)),
        kind: TimelineEventKind::Detected,
        body: "Email delivery delays were reported by a client.".into(),
        visibility: Visibility::Client,
    };
    ok(writer.timeline_event_create(new).await)?;
    let cause = ok(writer
        .root_cause_create(NewRootCause {
            incident_id: incident.id,
            kind: RootCauseKind::RootCause,
            category: RootCauseCategory::Capacity,
            internal_analysis: "The worker pool was halved in a settings change; queue depth had no alert.".into(),
            client_explanation: "Eddie's change to the queue settings was careless and halved the number of email workers.".into(),
            service_ids: vec![services[2]],
        })
        .await)?;
    ok(writer
        .client_impact_set(ImpactInput {
            incident_id: incident.id,
            client_id: globex,
            level: ImpactLevel::Degraded,
            description: String::new(),
            started_at: incident.started_at,
            ended_at: incident.resolved_at,
        })
        .await)?;
    let measure = NewMeasure {
        incident_id: incident.id,
        kind: MeasureKind::Technical,
        title: "Try to improve queue monitoring".into(),
        description: "Watch the queue more closely.".into(),
        success_criterion: String::new(),
        owner_team: "Messaging".into(),
        due_on: Some((Utc::now() + TimeDelta::days(10)).date_naive()),
        tracker_url: None,
        addresses: vec![cause.id],
    };
    ok(writer.measure_create(measure).await)?;
    let sections = PostMortemChanges {
        version: 1,
        impact_summary: Some("Notification emails arrived up to two hours late.".into()),
        could_be_better: Some(
            "Once our email provider throttled us, the delay was beyond our control.".into(),
        ),
        ..PostMortemChanges::default()
    };
    ok(writer.post_mortem_update(incident.id, sections).await)?;
    let too_soon = incident.resolved_at.map(|at| at + TimeDelta::hours(12));
    writer
        .post_mortem_schedule_meeting(incident.id, too_soon)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
