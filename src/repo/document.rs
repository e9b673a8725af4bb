//! The snapshot a written summary is rendered from: only client-facing text, filtered for
//! the reader, in a stable order.

use super::batch::{List, Part, Rows};
use super::scope::Scope;
use crate::domain::document::{Cause, Event, Impact, Measure, Presentation, Snapshot};
use crate::domain::{incident, labels, zone};
use crate::error::{AppError, AppResult};
use entity::{RootCauseKind, Visibility, client, client_impact, tenant, timeline_event};
use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// How a document addresses its reader: the tenant's name, contact line and portal, in the
/// client's zone when the copy is one client's, else the tenant's.
pub(super) fn presentation(tenant: &tenant::Model, reader: Option<&client::Model>) -> Presentation {
    Presentation {
        provider: tenant.name.clone(),
        client: reader.map(|c| c.name.clone()),
        zone: zone::for_reader(
            &tenant.time_zone,
            reader.and_then(|c| c.time_zone.as_deref()),
        ),
        contact_line: tenant.contact_line.clone(),
        portal_url: tenant.portal_url.clone(),
    }
}

impl Scope {
    /// The client whose copy of `incident_id`'s documents this caller gets: a CLIENT user
    /// always their own; staff the `for_client` they name ("preview as client"), which must
    /// be a client the incident impacted (another tenant's id is NOT_FOUND); otherwise none,
    /// the staff copy listing every client.
    pub async fn document_reader(
        &self,
        incident_id: Uuid,
        for_client: Option<Uuid>,
    ) -> AppResult<Option<client::Model>> {
        if let Some(own) = self.principal().client_id() {
            return self.client(own).await.map(Some);
        }
        let Some(id) = for_client else {
            return Ok(None);
        };
        let client = self.client(id).await?;
        if self.impact_of(self.db(), incident_id, id).await?.is_none() {
            return Err(AppError::bad_input(format!(
                "forClient: {} has no impact recorded on this incident, so it would not be \
                 shown this post-mortem",
                client.name
            )));
        }
        Ok(Some(client))
    }

    /// Everything the summary of `incident_id` shows to this caller, as `reader`'s copy
    /// (see [`Scope::document_reader`]). Internal timeline entries, internal analysis and
    /// lessons learned are never read into it; a client's copy holds only that client's
    /// impact.
    pub async fn document_snapshot(
        &self,
        incident_id: Uuid,
        reader: Option<&client::Model>,
    ) -> AppResult<Snapshot> {
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
                &[
                    List::RootCauses,
                    List::Impacts,
                    List::Measures,
                    List::IncidentServices,
                ]
                .map(|list| Part {
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
        let (causes, impacts, measures, services) = (
            take(List::RootCauses).root_causes()?,
            take(List::Impacts).impacts()?,
            take(List::Measures).measures()?,
            take(List::IncidentServices),
        );
        let impacts = impacts
            .into_iter()
            .filter(|i| reader.is_none_or(|r| r.id == i.client_id))
            .collect();
        Ok(Snapshot {
            reference: incident::reference(incident.number),
            title: incident.title,
            severity: labels::severity(incident.severity).into(),
            started_at: incident.started_at,
            resolved_at: incident.resolved_at,
            services: service_names(services)?,
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
            impacts: self.named_impacts(impacts).await?,
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
            presentation: presentation(&tenant, reader),
        })
    }

    /// Impacts with their clients' names, by name.
    async fn named_impacts(&self, impacts: Vec<client_impact::Model>) -> AppResult<Vec<Impact>> {
        let clients = self
            .clients_by_id(&impacts.iter().map(|i| i.client_id).collect::<Vec<_>>())
            .await?;
        let mut named: Vec<Impact> = impacts
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
        named.sort_by(|a, b| a.client.cmp(&b.client));
        Ok(named)
    }
}

/// The affected services' names, sorted.
fn service_names(rows: Rows) -> AppResult<Vec<String>> {
    let mut names: Vec<String> = rows.services()?.into_iter().map(|s| s.name).collect();
    names.sort();
    Ok(names)
}
