//! The snapshot the readiness checks read: the post-mortem's client-facing record, the
//! tenant's settings, and the names that must not appear in it.

use super::scope::Scope;
use crate::domain::policy::Capability;
use crate::domain::readiness::{
    self, CauseFacts, EventFacts, Finding, ImpactFacts, MeasureFacts, Person, PostMortemFacts,
    Settings, Snapshot, TenantTerms,
};
use crate::domain::time;
use crate::error::AppResult;
use entity::{
    client, client_impact, prevention_measure, root_cause, service, timeline_event, user,
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

impl Scope {
    /// The readiness findings of an incident's post-mortem. Staff only.
    pub async fn readiness(&self, incident_id: Uuid) -> AppResult<Vec<Finding>> {
        self.principal().require(Capability::ReadInternal)?;
        let snapshot = self.readiness_snapshot(self.db(), incident_id).await?;
        Ok(readiness::check(&snapshot))
    }

    /// Everything the checks read, through `db` (inside a transaction when publishing).
    pub(super) async fn readiness_snapshot<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<Snapshot> {
        let incident = self.incident_in(db, incident_id).await?;
        let post_mortem = self.post_mortem_in(db, incident_id).await?;
        let tenant = self.tenant_in(db).await?;
        let terms = tenant.readiness_terms;
        let mut other_names = self.readiness_other_names(db).await?;
        other_names.extend([tenant.name, tenant.slug]);
        Ok(Snapshot {
            incident_status: incident.status,
            resolved_at: incident.resolved_at,
            post_mortem: PostMortemFacts {
                status: post_mortem.status,
                impact_summary: post_mortem.impact_summary,
                went_well: post_mortem.went_well,
                could_be_better: post_mortem.could_be_better,
                meeting_at: post_mortem.meeting_at,
                published_at: post_mortem.published_at,
            },
            timeline: self.readiness_events(db, incident_id).await?,
            root_causes: self.readiness_causes(db, incident_id).await?,
            impacts: self.readiness_impacts(db, incident_id).await?,
            measures: self.readiness_measures(db, incident_id).await?,
            settings: Settings {
                cooling_off_hours: tenant.cooling_off_hours,
                blameless_policy: tenant.blameless_policy,
                terms: TenantTerms {
                    blame: terms.blame,
                    defensive: terms.defensive,
                    self_flagellation: terms.self_flagellation,
                },
            },
            people: self.readiness_people(db).await?,
            other_names,
            now: time::now(),
        })
    }

    async fn readiness_events<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<Vec<EventFacts>> {
        let rows = self
            .select::<timeline_event::Entity>()
            .filter(timeline_event::Column::IncidentId.eq(incident_id))
            .order_by_asc(timeline_event::Column::OccurredAt)
            .order_by_asc(timeline_event::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|e| EventFacts {
                id: e.id,
                visibility: e.visibility,
                body: e.body,
            })
            .collect())
    }

    async fn readiness_causes<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<Vec<CauseFacts>> {
        let rows = self
            .select::<root_cause::Entity>()
            .filter(root_cause::Column::IncidentId.eq(incident_id))
            .order_by_asc(root_cause::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| CauseFacts {
                id: c.id,
                kind: c.kind,
                client_explanation: c.client_explanation,
            })
            .collect())
    }

    async fn readiness_impacts<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<Vec<ImpactFacts>> {
        let rows = self
            .select::<client_impact::Entity>()
            .filter(client_impact::Column::IncidentId.eq(incident_id))
            .order_by_asc(client_impact::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|i| ImpactFacts {
                id: i.id,
                description: i.description,
            })
            .collect())
    }

    async fn readiness_measures<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
    ) -> AppResult<Vec<MeasureFacts>> {
        let rows = self
            .select::<prevention_measure::Entity>()
            .filter(prevention_measure::Column::IncidentId.eq(incident_id))
            .order_by_asc(prevention_measure::Column::Id)
            .all(db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| MeasureFacts {
                id: m.id,
                kind: m.kind,
                title: m.title,
                description: m.description,
                success_criterion: m.success_criterion,
                owner_team: m.owner_team,
                due_on: m.due_on,
                status: m.status,
            })
            .collect())
    }

    /// Every user of the tenant, active or not: a former colleague is still a person.
    async fn readiness_people<C: ConnectionTrait>(&self, db: &C) -> AppResult<Vec<Person>> {
        let rows = self.select::<user::Entity>().all(db).await?;
        Ok(rows
            .into_iter()
            .map(|u| Person {
                display_name: u.display_name,
                email: u.email,
            })
            .collect())
    }

    async fn readiness_other_names<C: ConnectionTrait>(&self, db: &C) -> AppResult<Vec<String>> {
        let services = self.select::<service::Entity>().all(db).await?;
        let clients = self.select::<client::Entity>().all(db).await?;
        Ok(services
            .into_iter()
            .map(|s| s.name)
            .chain(clients.into_iter().map(|c| c.name))
            .collect())
    }
}
