//! What each endpoint was sent: its deliveries, newest first, and every attempt of each.

use crate::domain::FieldError;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use crate::repo::outcome::{Outcome, refused};
use crate::repo::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use crate::repo::scope::{Admin, Scope};
use crate::repo::write::Change;
use entity::{DeliveryStatus, webhook_attempt, webhook_delivery};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Select,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Narrows an endpoint's deliveries.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
}

fn newest_first() -> Ordering<webhook_delivery::Entity> {
    Ordering {
        column: webhook_delivery::Column::CreatedAt,
        kind: KeyKind::Time,
        id: webhook_delivery::Column::Id,
        direction: Direction::Desc,
        key: |d| Key {
            value: KeyValue::Time(d.created_at),
            id: d.id,
        },
    }
}

impl Scope {
    /// An endpoint's deliveries, newest first. ADMIN only.
    pub async fn webhook_deliveries(
        &self,
        endpoint_id: Uuid,
        filter: &DeliveryFilter,
        request: &PageRequest,
    ) -> AppResult<Page<webhook_delivery::Model>> {
        let select = self.deliveries_of(endpoint_id, filter)?;
        page::fetch(self.db(), select, &newest_first(), request).await
    }

    /// How many deliveries [`Scope::webhook_deliveries`] lists.
    pub async fn webhook_deliveries_count(
        &self,
        endpoint_id: Uuid,
        filter: &DeliveryFilter,
    ) -> AppResult<u64> {
        Ok(self
            .deliveries_of(endpoint_id, filter)?
            .count(self.db())
            .await?)
    }

    /// How many of the tenant's deliveries wait for a successful attempt (pending, or
    /// failed with another attempt scheduled): the worker's `debrief_events_pending`.
    pub async fn pending_deliveries(&self) -> AppResult<u64> {
        use webhook_delivery::Column as D;
        let waiting = [DeliveryStatus::Pending, DeliveryStatus::Failed].map(|s| s.to_value());
        Ok(self
            .select::<webhook_delivery::Entity>()
            .filter(D::Status.is_in(waiting))
            .count(self.db())
            .await?)
    }

    fn deliveries_of(
        &self,
        endpoint_id: Uuid,
        filter: &DeliveryFilter,
    ) -> AppResult<Select<webhook_delivery::Entity>> {
        self.principal().require(Capability::ManageDirectory)?;
        let mut select = self
            .select::<webhook_delivery::Entity>()
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint_id));
        if let Some(status) = filter.status {
            select = select.filter(webhook_delivery::Column::Status.eq(status.to_value()));
        }
        Ok(select)
    }

    /// One delivery; NOT_FOUND for an unknown id or a caller who is not ADMIN.
    pub async fn webhook_delivery(&self, id: Uuid) -> AppResult<webhook_delivery::Model> {
        self.webhook_delivery_in(self.db(), id).await
    }

    async fn webhook_delivery_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<webhook_delivery::Model> {
        let not_found = || AppError::not_found("webhook delivery");
        self.principal()
            .require(Capability::ManageDirectory)
            .map_err(|_| not_found())?;
        self.select::<webhook_delivery::Entity>()
            .filter(webhook_delivery::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or_else(not_found)
    }

    /// The attempts of these deliveries, oldest first, keyed by delivery.
    pub async fn webhook_attempts(
        &self,
        delivery_ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Vec<webhook_attempt::Model>>> {
        self.principal().require(Capability::ManageDirectory)?;
        let rows = self
            .select::<webhook_attempt::Entity>()
            .filter(webhook_attempt::Column::DeliveryId.is_in(delivery_ids.iter().copied()))
            .order_by_asc(webhook_attempt::Column::AttemptedAt)
            .order_by_asc(webhook_attempt::Column::Id)
            .all(self.db())
            .await?;
        let mut grouped: HashMap<Uuid, Vec<webhook_attempt::Model>> = HashMap::new();
        for row in rows {
            grouped.entry(row.delivery_id).or_default().push(row);
        }
        Ok(grouped)
    }
}

impl Admin<'_> {
    /// Queues a delivery again, whatever its state, due now and with a fresh retry schedule.
    /// It keeps its `webhook-id` and body, so a receiver recognises a message it has seen.
    pub async fn webhook_delivery_retry(&self, id: Uuid) -> Outcome<webhook_delivery::Model> {
        let mut write = self.begin().await?;
        let delivery = self.scope.webhook_delivery_in(write.txn(), id).await?;
        let endpoint = self
            .scope
            .webhook_endpoint_in(write.txn(), delivery.endpoint_id)
            .await?;
        if !endpoint.enabled {
            return refused(vec![endpoint_disabled()]);
        }
        let mut row = delivery.clone().into_active_model();
        row.status = sea_orm::Set(DeliveryStatus::Pending);
        row.failures = sea_orm::Set(0);
        row.next_attempt_at = sea_orm::Set(Some(time::now()));
        row.updated_at = sea_orm::Set(time::now());
        let saved = row.update(write.txn()).await?;
        write.record(Change {
            action: Action::WebhookDeliveryRetry,
            subject_type: "WebhookDelivery",
            subject_id: id,
            incident_id: None,
            changes: crate::domain::changes::Changes::default().diff(
                "status",
                &delivery.status.to_value(),
                &saved.status.to_value(),
            ),
        });
        write.commit().await?;
        Ok(saved)
    }
}

fn endpoint_disabled() -> FieldError {
    FieldError::new(
        "id",
        crate::domain::FieldErrorCode::Invalid,
        "the endpoint is disabled; enable it before sending again",
    )
}
