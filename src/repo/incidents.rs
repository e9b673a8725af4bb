//! Incidents: numbered per tenant, listed with keyset pagination, changed under a version check.

use super::audit::{self, Event};
use super::changes::Changes;
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Scope, Writer};
use super::{Checked, post_mortems};
use crate::domain::incident::Timeline;
use crate::domain::policy::Capability;
use crate::domain::{FieldError, FieldErrorCode, time};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{IncidentStatus, Severity, incident, incident_service, service, tenant};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, Select, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Narrows an incident list; every condition must hold.
#[derive(Debug, Default, Clone)]
pub struct IncidentFilter {
    pub status: Option<Vec<IncidentStatus>>,
    pub severity: Option<Vec<Severity>>,
    pub service_id: Option<Uuid>,
    pub started_after: Option<DateTime<Utc>>,
    pub started_before: Option<DateTime<Utc>>,
}

/// The sort orders an incident list supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentSort {
    Number,
    StartedAt,
}

fn ordering(sort: IncidentSort, direction: Direction) -> Ordering<incident::Entity> {
    match sort {
        IncidentSort::Number => Ordering {
            column: incident::Column::Number,
            kind: KeyKind::Int,
            id: incident::Column::Id,
            direction,
            key: |m| Key {
                value: KeyValue::Int(m.number),
                id: m.id,
            },
        },
        IncidentSort::StartedAt => Ordering {
            column: incident::Column::StartedAt,
            kind: KeyKind::Time,
            id: incident::Column::Id,
            direction,
            key: |m| Key {
                value: KeyValue::Time(m.started_at),
                id: m.id,
            },
        },
    }
}

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

impl Scope {
    /// The incidents this caller may see. Staff and reporters see the whole tenant. CLIENT
    /// users see only incidents whose published post-mortem names their client's impact;
    /// post-mortems and impacts arrive with issues 3 and 4, so until then they see none.
    fn visible_incidents(&self) -> Select<incident::Entity> {
        let select = self.select::<incident::Entity>();
        if self.principal().can(Capability::ReadCatalog) {
            select
        } else {
            select.filter(Expr::value(false))
        }
    }

    pub async fn incident(&self, id: Uuid) -> AppResult<incident::Model> {
        self.visible_incidents()
            .filter(incident::Column::Id.eq(id))
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("incident"))
    }

    pub async fn incident_by_number(&self, number: i64) -> AppResult<incident::Model> {
        self.visible_incidents()
            .filter(incident::Column::Number.eq(number))
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("incident"))
    }

    fn filtered_incidents(&self, filter: &IncidentFilter) -> Select<incident::Entity> {
        let mut select = self.visible_incidents();
        if let Some(statuses) = &filter.status {
            select = select
                .filter(incident::Column::Status.is_in(statuses.iter().map(|s| s.to_value())));
        }
        if let Some(severities) = &filter.severity {
            select = select
                .filter(incident::Column::Severity.is_in(severities.iter().map(|s| s.to_value())));
        }
        if let Some(after) = filter.started_after {
            select = select.filter(incident::Column::StartedAt.gte(after));
        }
        if let Some(before) = filter.started_before {
            select = select.filter(incident::Column::StartedAt.lt(before));
        }
        if let Some(service_id) = filter.service_id {
            let affected = Query::select()
                .column(incident_service::Column::IncidentId)
                .from(incident_service::Entity)
                .and_where(incident_service::Column::TenantId.eq(self.tenant_id()))
                .and_where(incident_service::Column::ServiceId.eq(service_id))
                .to_owned();
            select = select.filter(incident::Column::Id.in_subquery(affected));
        }
        select
    }

    pub async fn incidents(
        &self,
        filter: &IncidentFilter,
        sort: IncidentSort,
        direction: Direction,
        request: &PageRequest,
    ) -> AppResult<Page<incident::Model>> {
        page::fetch(
            self.db(),
            self.filtered_incidents(filter),
            &ordering(sort, direction),
            request,
        )
        .await
    }

    pub async fn incidents_count(&self, filter: &IncidentFilter) -> AppResult<u64> {
        Ok(self.filtered_incidents(filter).count(self.db()).await?)
    }

    /// The services of each incident, for the per-request loader (one statement per batch).
    pub async fn services_of_incidents(
        &self,
        incident_ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<service::Model>>> {
        let links = self
            .select::<incident_service::Entity>()
            .filter(incident_service::Column::IncidentId.is_in(incident_ids.iter().copied()))
            .all(self.db())
            .await?;
        let service_ids: Vec<Uuid> = links.iter().map(|l| l.service_id).collect();
        let services = self.services_by_id(&service_ids).await?;
        let mut by_incident: HashMap<Uuid, Vec<service::Model>> = HashMap::new();
        for link in links {
            if let Some(service) = services.get(&link.service_id) {
                by_incident
                    .entry(link.incident_id)
                    .or_default()
                    .push(service.clone());
            }
        }
        for list in by_incident.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(by_incident)
    }

    /// Field errors for service ids that are not this tenant's.
    async fn unknown_services(&self, ids: &[Uuid]) -> AppResult<Vec<FieldError>> {
        let known = self.services_by_id(ids).await?;
        Ok(ids
            .iter()
            .enumerate()
            .filter(|(_, id)| !known.contains_key(id))
            .map(|(i, _)| {
                FieldError::new("serviceIds", FieldErrorCode::NotFound, "no such service")
                    .at_index(i)
            })
            .collect())
    }
}

impl Writer<'_> {
    pub async fn incident_create(&self, new: NewIncident) -> AppResult<Checked<incident::Model>> {
        let now = time::now();
        let mut errors = new.timeline.validate(new.status, now);
        errors.extend(self.scope.unknown_services(&new.service_ids).await?);
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let txn = self.scope.begin_write().await?;
        let number = self.next_incident_number(&txn).await?;
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
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        self.link_services(&txn, saved.id, &new.service_ids).await?;
        post_mortems::create_draft(&txn, self.scope.tenant_id(), saved.id, now).await?;
        let changes = Changes::default()
            .set("number", &saved.number)
            .set("title", &saved.title)
            .set("severity", &saved.severity.to_value())
            .set("status", &saved.status.to_value())
            .set("startedAt", &saved.started_at)
            .set("serviceIds", &new.service_ids);
        audit::record(
            &txn,
            Event {
                action: "incident.create",
                entity_type: "Incident",
                entity_id: saved.id,
                changes,
                principal: self.scope.principal(),
            },
        )
        .await?;
        txn.commit().await?;
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

    async fn link_services(
        &self,
        txn: &DatabaseTransaction,
        incident_id: Uuid,
        service_ids: &[Uuid],
    ) -> AppResult<()> {
        self.scope
            .delete::<incident_service::Entity>()
            .filter(incident_service::Column::IncidentId.eq(incident_id))
            .exec(txn)
            .await?;
        let mut unique_ids = service_ids.to_vec();
        unique_ids.sort();
        unique_ids.dedup();
        if unique_ids.is_empty() {
            return Ok(());
        }
        let rows = unique_ids
            .into_iter()
            .map(|service_id| incident_service::ActiveModel {
                tenant_id: Set(self.scope.tenant_id()),
                incident_id: Set(incident_id),
                service_id: Set(service_id),
            });
        incident_service::Entity::insert_many(rows)
            .exec(txn)
            .await?;
        Ok(())
    }

    pub async fn incident_update(
        &self,
        id: Uuid,
        changes: IncidentChanges,
    ) -> AppResult<Checked<incident::Model>> {
        let old = self.scope.incident(id).await?;
        if old.version != changes.version {
            return Ok(Err(vec![conflict(old.version)]));
        }
        let timeline = Timeline {
            started_at: changes.started_at.unwrap_or(old.started_at),
            detected_at: changes.detected_at.unwrap_or(old.detected_at),
            mitigated_at: changes.mitigated_at.unwrap_or(old.mitigated_at),
            resolved_at: changes.resolved_at.unwrap_or(old.resolved_at),
        };
        let status = changes.status.unwrap_or(old.status);
        let mut errors = timeline.validate(status, time::now());
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
        let txn = self.scope.begin_write().await?;
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
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Ok(Err(vec![conflict(old.version + 1)]));
        }
        if let Some(service_ids) = &changes.service_ids {
            self.link_services(&txn, id, service_ids).await?;
        }
        let audit_changes = diff(&old, &new).set_if("serviceIds", changes.service_ids.as_ref());
        audit::record(
            &txn,
            Event {
                action: "incident.update",
                entity_type: "Incident",
                entity_id: id,
                changes: audit_changes,
                principal: self.scope.principal(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Ok(new))
    }
}

fn conflict(current: i32) -> FieldError {
    FieldError::new(
        "version",
        FieldErrorCode::Conflict,
        format!(
            "the incident was changed by someone else (now at version {current}); reload it and apply your edit again"
        ),
    )
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
