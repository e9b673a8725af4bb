//! Creating and changing incidents.

use super::super::changes::Changes;
use super::super::scope::Writer;
use super::super::write::Change;
use super::super::{Checked, post_mortems};
use super::INCIDENT_SERVICES;
use crate::domain::event::Action;
use crate::domain::incident::Timeline;
use crate::domain::{FieldError, FieldErrorCode, time};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{IncidentStatus, PostMortemStatus, Severity, incident, tenant};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
};
use uuid::Uuid;

/// A new incident, its text already validated.
pub struct NewIncident {
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub timeline: Timeline,
    pub service_ids: Vec<Uuid>,
}

/// Changes to an incident, made against the `version` the editor saw.
#[derive(Default)]
pub struct IncidentChanges {
    pub version: i32,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<IncidentStatus>,
    pub started_at: Option<DateTime<Utc>>,
    pub detected_at: Option<Option<DateTime<Utc>>>,
    pub mitigated_at: Option<Option<DateTime<Utc>>>,
    pub resolved_at: Option<Option<DateTime<Utc>>>,
    pub service_ids: Option<Vec<Uuid>>,
}

impl Writer<'_> {
    pub async fn incident_create(&self, new: NewIncident) -> AppResult<Checked<incident::Model>> {
        let now = time::now();
        let mut errors = new.timeline.validate(new.status, now);
        errors.extend(self.scope.unknown_services(&new.service_ids).await?);
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let mut write = self.scope.begin_write().await?;
        let number = self.next_incident_number(write.txn()).await?;
        let saved = incident::ActiveModel {
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
        }
        .insert(write.txn())
        .await?;
        INCIDENT_SERVICES
            .replace(self.scope, write.txn(), saved.id, &new.service_ids)
            .await?;
        post_mortems::create_draft(write.txn(), self.scope.tenant_id(), saved.id, now).await?;
        let changes = created(&saved).set("serviceIds", &new.service_ids);
        write.record(Change {
            action: Action::IncidentCreate,
            subject_type: "Incident",
            subject_id: saved.id,
            incident_id: Some(saved.id),
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
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

    pub async fn incident_update(
        &self,
        id: Uuid,
        changes: IncidentChanges,
    ) -> AppResult<Checked<incident::Model>> {
        // The rules read the post-mortem, so they are checked under the tenant lock that
        // publication also takes: a publication cannot slip in between check and write.
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self.scope.incident_in(write.txn(), id).await?;
        if old.version != changes.version {
            return Ok(Err(vec![conflict(changes.version)]));
        }
        let timeline = Timeline {
            started_at: changes.started_at.unwrap_or(old.started_at),
            detected_at: changes.detected_at.unwrap_or(old.detected_at),
            mitigated_at: changes.mitigated_at.unwrap_or(old.mitigated_at),
            resolved_at: changes.resolved_at.unwrap_or(old.resolved_at),
        };
        let status = changes.status.unwrap_or(old.status);
        let mut errors = timeline.validate(status, time::now());
        if status != IncidentStatus::Resolved && old.status == IncidentStatus::Resolved {
            let shared =
                self.scope.post_mortem_status_in(write.txn(), id).await? != PostMortemStatus::Draft;
            if shared {
                errors.push(FieldError::new(
                    "status",
                    FieldErrorCode::Invalid,
                    "the post-mortem is published, so the incident stays RESOLVED; unpublish it first",
                ));
            }
        }
        if let Some(service_ids) = &changes.service_ids {
            errors.extend(self.scope.unknown_services(service_ids).await?);
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let new = incident::Model {
            title: changes.title.unwrap_or_else(|| old.title.clone()),
            summary: changes.summary.unwrap_or_else(|| old.summary.clone()),
            severity: changes.severity.unwrap_or(old.severity),
            status,
            started_at: timeline.started_at,
            detected_at: timeline.detected_at,
            mitigated_at: timeline.mitigated_at,
            resolved_at: timeline.resolved_at,
            version: old.version + 1,
            updated_at: time::now(),
            ..old.clone()
        };
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
            .filter(incident::Column::Id.eq(id))
            .filter(incident::Column::Version.eq(old.version))
            .exec(write.txn())
            .await?;
        if updated.rows_affected != 1 {
            return Ok(Err(vec![conflict(changes.version)]));
        }
        let mut audit_changes = diff(&old, &new);
        if let Some(service_ids) = &changes.service_ids {
            let before = INCIDENT_SERVICES
                .children(self.scope, write.txn(), id)
                .await?;
            INCIDENT_SERVICES
                .replace(self.scope, write.txn(), id, service_ids)
                .await?;
            let after = INCIDENT_SERVICES
                .children(self.scope, write.txn(), id)
                .await?;
            audit_changes = audit_changes.diff("serviceIds", &before, &after);
        }
        write.record(Change {
            action: Action::IncidentUpdate,
            subject_type: "Incident",
            subject_id: id,
            incident_id: Some(id),
            changes: audit_changes,
        });
        self.refresh_signatures(write.txn(), id).await?;
        write.commit().await?;
        Ok(Ok(new))
    }
}

fn conflict(read: i32) -> FieldError {
    FieldError::new(
        "version",
        FieldErrorCode::Conflict,
        format!(
            "the incident was changed by someone else since version {read}; reload it and apply your edit again"
        ),
    )
}

/// Every field of a new incident, for its creation entry.
fn created(new: &incident::Model) -> Changes {
    Changes::default()
        .set("number", &new.number)
        .set("title", &new.title)
        .set("summary", &new.summary)
        .set("severity", &new.severity.to_value())
        .set("status", &new.status.to_value())
        .set("startedAt", &new.started_at)
        .set("detectedAt", &new.detected_at)
        .set("mitigatedAt", &new.mitigated_at)
        .set("resolvedAt", &new.resolved_at)
}

fn diff(old: &incident::Model, new: &incident::Model) -> Changes {
    Changes::default()
        .diff("title", &old.title, &new.title)
        .diff("summary", &old.summary, &new.summary)
        .diff(
            "severity",
            &old.severity.to_value(),
            &new.severity.to_value(),
        )
        .diff("status", &old.status.to_value(), &new.status.to_value())
        .diff("startedAt", &old.started_at, &new.started_at)
        .diff("detectedAt", &old.detected_at, &new.detected_at)
        .diff("mitigatedAt", &old.mitigated_at, &new.mitigated_at)
        .diff("resolvedAt", &old.resolved_at, &new.resolved_at)
}
