//! The staff inbox: clients' threads across every incident, narrowed by status, lateness,
//! client or incident.

use super::page::{self, Page, PageRequest};
use super::scope::Scope;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::AppResult;
use chrono::TimeDelta;
use entity::{FeedbackStatus, feedback};
use sea_orm::sea_query::{Condition, IntoCondition};
use sea_orm::{ActiveEnum, ColumnTrait, PaginatorTrait, QueryFilter, Select};
use uuid::Uuid;

/// Which threads the inbox lists; every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Threads in this status.
    pub status: Option<FeedbackStatus>,
    /// `true`: threads still waiting for a first staff answer past the tenant's SLA;
    /// `false`: every other thread.
    pub overdue: Option<bool>,
    /// Threads from this client.
    pub client_id: Option<Uuid>,
    /// Threads on this incident.
    pub incident_id: Option<Uuid>,
}

impl Scope {
    /// Threads across the tenant's incidents, oldest first. Staff only.
    pub async fn feedback_inbox(
        &self,
        filter: &InboxFilter,
        request: &PageRequest,
    ) -> AppResult<Page<feedback::Model>> {
        self.principal().require(Capability::ReadInternal)?;
        let select = self.inbox(filter).await?;
        page::fetch(self.db(), select, &super::feedback::oldest_first(), request).await
    }

    /// How many threads the inbox holds under `filter`. Staff only.
    pub async fn feedback_inbox_count(&self, filter: &InboxFilter) -> AppResult<u64> {
        self.principal().require(Capability::ReadInternal)?;
        Ok(self.inbox(filter).await?.count(self.db()).await?)
    }

    async fn inbox(&self, filter: &InboxFilter) -> AppResult<Select<feedback::Entity>> {
        let mut select = self.visible_feedback();
        if let Some(status) = filter.status {
            select = select.filter(feedback::Column::Status.eq(status.to_value()));
        }
        if let Some(client) = filter.client_id {
            select = select.filter(feedback::Column::ClientId.eq(client));
        }
        if let Some(incident) = filter.incident_id {
            select = select.filter(feedback::Column::IncidentId.eq(incident));
        }
        if let Some(overdue) = filter.overdue {
            let late = self.overdue_condition().await?;
            select = select.filter(if overdue { late } else { late.not() });
        }
        Ok(select)
    }

    /// The SQL form of `domain::feedback::overdue`: OPEN, no staff reply, and opened before
    /// the tenant's answer SLA ago.
    async fn overdue_condition(&self) -> AppResult<Condition> {
        let sla = self.tenant().await?.feedback_answer_sla_hours;
        let cutoff = time::now() - TimeDelta::hours(i64::from(sla));
        Ok(Condition::all()
            .add(feedback::Column::Status.eq(FeedbackStatus::Open.to_value()))
            .add(feedback::Column::FirstResponseAt.is_null())
            .add(feedback::Column::CreatedAt.lt(cutoff))
            .into_condition())
    }
}
