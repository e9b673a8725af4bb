//! Incidents: numbered per tenant, listed with keyset pagination, changed under a version check.
//! Reads live here; writes in [`write`].

mod delete;
mod follow_through;
mod write;

pub use crate::domain::incident::{IncidentChanges, NewIncident};

/// Which services each incident affected.
pub(in crate::repo) const INCIDENT_SERVICES: LinkTable<incident_service::Entity> = LinkTable {
    parent: incident_service::Column::IncidentId,
    child: incident_service::Column::ServiceId,
    row: |tenant_id, incident_id, service_id| incident_service::ActiveModel {
        tenant_id: Set(tenant_id),
        incident_id: Set(incident_id),
        service_id: Set(service_id),
    },
};

use super::links::LinkTable;
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{
    IncidentStatus, PostMortemStatus, Severity, client_impact, incident, incident_service,
    post_mortem,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, Select, Set};
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
    /// Published post-mortems past their review date and still not reviewed (or, with
    /// `false`, every other incident).
    pub review_due: Option<bool>,
    /// Resolved SEV1/SEV2 incidents whose post-mortem is still a draft more than the
    /// tenant's `postMortemDueDays` after resolution (or, with `false`, every other incident).
    pub post_mortem_due: Option<bool>,
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

impl Scope {
    /// The incidents this caller may see. Staff and reporters see the whole tenant. A CLIENT
    /// user sees an incident only once its post-mortem is published (or reviewed) and only if
    /// it impacted their own client; anything else answers NOT_FOUND on every path.
    pub(in crate::repo) fn visible_incidents(&self) -> Select<incident::Entity> {
        let select = self.select::<incident::Entity>();
        if self.principal().can(Capability::ReadCatalog) {
            return select;
        }
        let Some(own_client) = self.principal().client_id() else {
            return select.filter(Expr::value(false));
        };
        let shared = self
            .query::<post_mortem::Entity>()
            .column(post_mortem::Column::IncidentId)
            .and_where(post_mortem::Column::Status.is_in([
                PostMortemStatus::Published.to_value(),
                PostMortemStatus::Reviewed.to_value(),
            ]))
            .to_owned();
        let impacted = self
            .query::<client_impact::Entity>()
            .column(client_impact::Column::IncidentId)
            .and_where(client_impact::Column::ClientId.eq(own_client))
            .to_owned();
        select
            .filter(incident::Column::Id.in_subquery(shared))
            .filter(incident::Column::Id.in_subquery(impacted))
    }

    /// Succeeds when the caller may see `incident_id`; otherwise the child they asked for
    /// (`what`) is NOT_FOUND, so a child never outlives its incident's visibility.
    pub(in crate::repo) async fn require_visible_incident<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
        what: &'static str,
    ) -> AppResult<()> {
        self.incident_in(db, incident_id)
            .await
            .map(|_| ())
            .map_err(|_| AppError::not_found(what))
    }

    /// The incidents of `ids` the caller may see, for a per-request loader (one statement).
    pub async fn incidents_by_id(&self, ids: &[Uuid]) -> AppResult<HashMap<Uuid, incident::Model>> {
        let rows = self
            .visible_incidents()
            .filter(incident::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }

    /// One incident the caller may see; any other is NOT_FOUND.
    pub async fn incident(&self, id: Uuid) -> AppResult<incident::Model> {
        self.incident_in(self.db(), id).await
    }

    /// [`Scope::incident`], read through `db` (a transaction, when writing).
    pub(super) async fn incident_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<incident::Model> {
        self.visible_incidents()
            .filter(incident::Column::Id.eq(id))
            .one(db)
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

    async fn filtered_incidents(
        &self,
        filter: &IncidentFilter,
    ) -> AppResult<Select<incident::Entity>> {
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
            let affected = self
                .query::<incident_service::Entity>()
                .column(incident_service::Column::IncidentId)
                .and_where(incident_service::Column::ServiceId.eq(service_id))
                .to_owned();
            select = select.filter(incident::Column::Id.in_subquery(affected));
        }
        self.follow_through_filters(select, filter).await
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
            self.filtered_incidents(filter).await?,
            &ordering(sort, direction),
            request,
        )
        .await
    }

    pub async fn incidents_count(&self, filter: &IncidentFilter) -> AppResult<u64> {
        Ok(self
            .filtered_incidents(filter)
            .await?
            .count(self.db())
            .await?)
    }
}
