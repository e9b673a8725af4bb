//! Creating and changing incidents. The rules are `domain::incident`'s.

use super::super::outcome::{Outcome, refused};
use super::super::post_mortems;
use super::super::scope::Writer;
use super::super::write::{Change, Write};
use super::INCIDENT_SERVICES;
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::incident::{self as rules, IncidentChanges, NewIncident, UpdateFacts};
use crate::domain::time;
use crate::error::AppResult;
use entity::{PostMortemStatus, incident, tenant};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

impl Writer<'_> {
    /// Opens an incident, with its empty DRAFT post-mortem and the next number.
    pub async fn incident_create(&self, new: NewIncident) -> Outcome<incident::Model> {
        let now = time::now();
        let mut errors = new.timeline.validate(new.status, now);
        errors.extend(self.scope.unknown_services(&new.service_ids).await?);
        if !errors.is_empty() {
            return refused(errors);
        }
        let mut write = self.scope.begin_write().await?;
        let number = self.next_incident_number(write.txn()).await?;
        let saved = self
            .scope
            .insert(incident::ActiveModel {
                tenant_id: Set(self.scope.tenant_id()),
                id: Set(Uuid::now_v7()),
                number: Set(number),
                title: Set(new.title),
                summary: Set(new.summary),
                severity: Set(new.severity),
                status: Set(new.status),
                started_at: Set(new.timeline.started_at),
                detected_at: Set(new.timeline.detected_at),
                mitigated_at: Set(new.timeline.mitigated_at),
                resolved_at: Set(new.timeline.resolved_at),
                recurring: Set(false),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(write.txn())
            .await?;
        INCIDENT_SERVICES
            .replace(self.scope, write.txn(), saved.id, &new.service_ids)
            .await?;
        post_mortems::create_draft(write.txn(), self.scope, saved.id, now).await?;
        let changes = rules::changes(None, &saved).services(None, &new.service_ids);
        write.record(change(Action::IncidentCreate, saved.id, changes));
        write.commit().await?;
        Ok(saved)
    }

    /// Takes the next number under the tenant row's write lock, so concurrent creations get
    /// unique, gap-free numbers on both databases (a rolled-back creation returns its number).
    async fn next_incident_number(&self, txn: &DatabaseTransaction) -> AppResult<i64> {
        #[allow(clippy::disallowed_methods)] // the tenants table is keyed by the scope's tenant
        let bump = tenant::Entity::update_many()
            .col_expr(
                tenant::Column::IncidentSeq,
                Expr::col(tenant::Column::IncidentSeq).add(1),
            )
            .filter(tenant::Column::Id.eq(self.scope.tenant_id()));
        bump.exec(txn).await?;
        let tenant = self.scope.tenant_in(txn).await?;
        Ok(tenant.incident_seq)
    }

    /// Changes an incident, if nobody saved since `changes.version`. The rules read the
    /// post-mortem, so they are checked under the tenant lock that publication also takes:
    /// a publication cannot slip in between check and write.
    pub async fn incident_update(
        &self,
        id: Uuid,
        changes: IncidentChanges,
    ) -> Outcome<incident::Model> {
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self.scope.incident_in(write.txn(), id).await?;
        let status = self.scope.post_mortem_status_in(write.txn(), id).await?;
        let unknown_services = match &changes.service_ids {
            Some(service_ids) => self.scope.unknown_services(service_ids).await?,
            None => Vec::new(),
        };
        let facts = UpdateFacts {
            old: &old,
            shared: status != PostMortemStatus::Draft,
            unknown_services,
            now: time::now(),
        };
        let new = rules::update(facts, &changes)?;
        if !self.save_incident(&write, &new, old.version).await? {
            return refused(vec![rules::conflict(changes.version)]);
        }
        let mut audit = rules::changes(Some(&old), &new);
        if let Some(service_ids) = &changes.service_ids {
            let (before, after) = INCIDENT_SERVICES
                .relink(self.scope, write.txn(), id, service_ids)
                .await?;
            audit = audit.services(Some(&before), &after);
        }
        write.record(change(Action::IncidentUpdate, id, audit));
        self.refresh_signatures(write.txn(), id).await?;
        write.commit().await?;
        Ok(new)
    }

    /// Writes `new` only if the stored version is still `read`; `false` when someone else won.
    async fn save_incident(
        &self,
        write: &Write,
        new: &incident::Model,
        read: i32,
    ) -> AppResult<bool> {
        let updated = self
            .scope
            .update::<incident::Entity>()
            .set(incident::ActiveModel {
                title: Set(new.title.clone()),
                summary: Set(new.summary.clone()),
                severity: Set(new.severity),
                status: Set(new.status),
                started_at: Set(new.started_at),
                detected_at: Set(new.detected_at),
                mitigated_at: Set(new.mitigated_at),
                resolved_at: Set(new.resolved_at),
                version: Set(new.version),
                updated_at: Set(new.updated_at),
                ..Default::default()
            })
            .filter(incident::Column::Id.eq(new.id))
            .filter(incident::Column::Version.eq(read))
            .exec(write.txn())
            .await?;
        Ok(updated.rows_affected == 1)
    }
}

fn change(action: Action, id: Uuid, changes: Changes) -> Change {
    Change {
        action,
        subject_type: "Incident",
        subject_id: id,
        incident_id: Some(id),
        changes,
    }
}
