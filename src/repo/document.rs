//! The snapshot a written summary is rendered from: only client-facing text, filtered for
//! the reader, in a stable order.

use super::batch::{List, Part};
use super::scope::Scope;
use crate::domain::document::{Cause, Event, Impact, Measure, Snapshot};
use crate::domain::{incident, labels};
use crate::error::AppResult;
use entity::{RootCauseKind, Visibility, timeline_event};
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

impl Scope {
    /// Everything the summary of `incident_id` shows to this caller. Internal timeline
    /// entries, internal analysis and lessons learned are never read into it; a CLIENT
    /// user's snapshot holds only their own client's impact.
    pub async fn document_snapshot(&self, incident_id: Uuid) -> AppResult<Snapshot> {
        let incident = self.incident(incident_id).await?;
        let post_mortem = self.post_mortem(incident_id).await?;
        let tenant = self.tenant().await?;
        let events = self
            .select::<timeline_event::Entity>()
            .filter(timeline_event::Column::IncidentId.eq(incident_id))
            .filter(timeline_event::Column::Visibility.eq(Visibility::Client.to_value()))
            .order_by_asc(timeline_event::Column::OccurredAt)
            .order_by_asc(timeline_event::Column::Id)
            .all(self.db())
            .await?;
        let mut lists = self
            .record_parts(
                &[List::RootCauses, List::Impacts, List::Measures].map(|list| Part {
                    list,
                    parent: incident_id,
                }),
            )
            .await?;
        let mut take = |list: List| {
            lists
                .remove(&Part {
                    list,
                    parent: incident_id,
                })
                .unwrap_or_else(|| list.empty())
        };
        let (causes, impacts, measures) = (
            take(List::RootCauses).root_causes(),
            take(List::Impacts).impacts(),
            take(List::Measures).measures(),
        );
        let clients = self
            .clients_by_id(&impacts.iter().map(|i| i.client_id).collect::<Vec<_>>())
            .await?;
        let mut impacts: Vec<Impact> = impacts
            .into_iter()
            .map(|i| Impact {
                client: clients
                    .get(&i.client_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                level: labels::impact_level(i.level).into(),
                description: i.description,
                started_at: i.started_at,
                ended_at: i.ended_at,
            })
            .collect();
        impacts.sort_by(|a, b| a.client.cmp(&b.client));
        Ok(Snapshot {
            provider: tenant.name,
            reference: incident::reference(incident.number),
            title: incident.title,
            severity: labels::severity(incident.severity).into(),
            started_at: incident.started_at,
            resolved_at: incident.resolved_at,
            timeline: events
                .into_iter()
                .map(|e| Event {
                    occurred_at: e.occurred_at,
                    kind: labels::event_kind(e.kind).into(),
                    body: e.body,
                })
                .collect(),
            root_causes: causes
                .into_iter()
                .filter(|c| !c.client_explanation.trim().is_empty())
                .map(|c| Cause {
                    is_root_cause: c.kind == RootCauseKind::RootCause,
                    category: labels::category(c.category).into(),
                    explanation: c.client_explanation,
                })
                .collect(),
            impact_summary: post_mortem.impact_summary,
            impacts,
            went_well: post_mortem.went_well,
            could_be_better: post_mortem.could_be_better,
            measures: measures
                .into_iter()
                .map(|m| Measure {
                    kind: labels::measure_kind(m.kind).into(),
                    title: m.title,
                    description: m.description,
                    success_criterion: m.success_criterion,
                    owner_team: m.owner_team,
                    due_on: m.due_on,
                    status: labels::measure_status(m.status).into(),
                })
                .collect(),
            review_due_at: post_mortem.review_due_at,
            review_after_days: tenant.review_after_days,
        })
    }
}
