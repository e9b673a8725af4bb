//! Webhook endpoints: ADMIN only, every change audited with a DIRECTORY_CHANGED event, and the
//! secret never in an audit entry.

use super::Message;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::domain::webhook::{self as rules, ROTATION_OVERLAP};
use crate::error::{AppError, AppResult};
use crate::repo::outcome::Outcome;
use crate::repo::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use crate::repo::scope::{Admin, Scope};
use crate::repo::write::{Change, Write};
use chrono::{DateTime, Utc};
use entity::{DeliveryStatus, EventType, webhook_delivery, webhook_endpoint};
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, Select,
};
use serde_json::json;
use uuid::Uuid;

/// A new endpoint, its input checked, and the secret it will sign with.
pub struct NewEndpoint {
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    pub secret: String,
}

/// What an update changes; `None` keeps the field.
#[derive(Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

/// The JSON column value of an endpoint's event types: their wire names.
fn stored_types(types: &[EventType]) -> serde_json::Value {
    json!(types.iter().map(ActiveEnum::to_value).collect::<Vec<_>>())
}

/// The event types an endpoint asks for; empty for all.
pub fn event_types_of(endpoint: &webhook_endpoint::Model) -> Vec<EventType> {
    let names: Vec<String> =
        serde_json::from_value(endpoint.event_types.clone()).unwrap_or_default();
    names
        .iter()
        .filter_map(|name| EventType::try_from_value(name).ok())
        .collect()
}

fn by_creation() -> Ordering<webhook_endpoint::Entity> {
    Ordering {
        column: webhook_endpoint::Column::CreatedAt,
        kind: KeyKind::Time,
        id: webhook_endpoint::Column::Id,
        direction: Direction::Asc,
        key: |e| Key {
            value: KeyValue::Time(e.created_at),
            id: e.id,
        },
    }
}

impl Scope {
    /// The tenant's endpoints, oldest first. ADMIN only.
    pub async fn webhook_endpoints(
        &self,
        request: &PageRequest,
    ) -> AppResult<Page<webhook_endpoint::Model>> {
        self.principal().require(Capability::ManageDirectory)?;
        let select = self.select::<webhook_endpoint::Entity>();
        page::fetch(self.db(), select, &by_creation(), request).await
    }

    /// How many endpoints the tenant has. ADMIN only.
    pub async fn webhook_endpoints_count(&self) -> AppResult<u64> {
        self.principal().require(Capability::ManageDirectory)?;
        Ok(self
            .select::<webhook_endpoint::Entity>()
            .count(self.db())
            .await?)
    }

    /// One endpoint; NOT_FOUND for an unknown id or a caller who is not ADMIN.
    pub async fn webhook_endpoint(&self, id: Uuid) -> AppResult<webhook_endpoint::Model> {
        self.webhook_endpoint_in(self.db(), id).await
    }

    pub(super) async fn webhook_endpoint_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<webhook_endpoint::Model> {
        self.one_endpoint(id)?
            .one(db)
            .await?
            .ok_or_else(endpoint_not_found)
    }

    /// [`Scope::webhook_endpoint`] locked for the rest of the write, so no worker changes
    /// the row (its lease, its mark, a disabling) between this read and the write.
    pub(super) async fn webhook_endpoint_locked(
        &self,
        write: &Write,
        id: Uuid,
    ) -> AppResult<webhook_endpoint::Model> {
        self.one_endpoint(id)?
            .lock(LockType::NoKeyUpdate)
            .one(write.txn())
            .await?
            .ok_or_else(endpoint_not_found)
    }

    /// The endpoint `id`, for an ADMIN; NOT_FOUND for anyone else.
    fn one_endpoint(&self, id: Uuid) -> AppResult<Select<webhook_endpoint::Entity>> {
        self.principal()
            .require(Capability::ManageDirectory)
            .map_err(|_| endpoint_not_found())?;
        Ok(self
            .select::<webhook_endpoint::Entity>()
            .filter(webhook_endpoint::Column::Id.eq(id)))
    }
}

fn endpoint_not_found() -> AppError {
    AppError::not_found("webhook endpoint")
}

impl Admin<'_> {
    /// Registers an endpoint. It receives the events committed after it, starting with its
    /// own DIRECTORY_CHANGED.
    pub async fn webhook_endpoint_create(
        &self,
        new: NewEndpoint,
    ) -> Outcome<webhook_endpoint::Model> {
        let write = self.begin().await?;
        let now = time::now();
        let row = webhook_endpoint::Model {
            tenant_id: self.scope.tenant_id(),
            id: Uuid::now_v7(),
            url: new.url,
            description: new.description,
            event_types: stored_types(&new.event_types),
            enabled: true,
            secret: new.secret,
            previous_secret: None,
            previous_secret_expires_at: None,
            disabled_at: None,
            disabled_reason: None,
            failing_since: None,
            scanned_through: self.scope.last_position_in(write.txn()).await?,
            lease_owner: None,
            lease_expires_at: None,
            created_at: now,
            updated_at: now,
        };
        let saved = self
            .scope
            .insert(row.clone().into_active_model())
            .exec_with_returning(write.txn())
            .await?;
        commit(write, Action::WebhookEndpointCreate, None, &saved).await?;
        Ok(saved)
    }

    /// Changes an endpoint. Disabling stops its deliveries; enabling again resumes the
    /// deliveries it owes and sends the events committed from then on, not those committed
    /// while it was disabled (the event feed has them).
    pub async fn webhook_endpoint_update(
        &self,
        id: Uuid,
        changes: EndpointChanges,
    ) -> Outcome<webhook_endpoint::Model> {
        let write = self.begin().await?;
        let old = self.scope.webhook_endpoint_locked(&write, id).await?;
        let now = time::now();
        let mut new = old.clone();
        new.url = changes.url.unwrap_or(new.url);
        new.description = changes.description.unwrap_or(new.description);
        if let Some(types) = changes.event_types {
            new.event_types = stored_types(&types);
        }
        match changes.enabled {
            Some(false) if old.enabled => {
                new.enabled = false;
                new.disabled_at = Some(now);
                new.disabled_reason = Some("Disabled by an ADMIN.".to_owned());
            }
            Some(true) if !old.enabled => {
                new.enabled = true;
                new.disabled_at = None;
                new.disabled_reason = None;
                new.failing_since = None;
                new.scanned_through = self.scope.last_position_in(write.txn()).await?;
            }
            _ => {}
        }
        new.updated_at = now;
        let saved = save(&write, &new).await?;
        commit(write, Action::WebhookEndpointUpdate, Some(&old), &saved).await?;
        Ok(saved)
    }

    /// Removes an endpoint with its deliveries and their attempts.
    pub async fn webhook_endpoint_delete(&self, id: Uuid) -> Outcome<Uuid> {
        let mut write = self.begin().await?;
        let old = self.scope.webhook_endpoint_in(write.txn(), id).await?;
        self.scope
            .delete::<webhook_endpoint::Entity>()
            .filter(webhook_endpoint::Column::Id.eq(id))
            .exec(write.txn())
            .await?;
        write.record(Change {
            action: Action::WebhookEndpointDelete,
            subject_type: "WebhookEndpoint",
            subject_id: id,
            incident_id: None,
            changes: rules::endpoint_removed(&old),
        });
        write.commit().await?;
        Ok(id)
    }

    /// Replaces the signing secret. The old one keeps signing beside it for 24 hours, so
    /// receivers can switch without losing a delivery.
    pub async fn webhook_endpoint_rotate_secret(
        &self,
        id: Uuid,
        secret: String,
    ) -> Outcome<webhook_endpoint::Model> {
        let mut write = self.begin().await?;
        let old = self.scope.webhook_endpoint_locked(&write, id).await?;
        let now = time::now();
        let mut new = old.clone();
        new.previous_secret = Some(std::mem::replace(&mut new.secret, secret));
        new.previous_secret_expires_at = Some(now + ROTATION_OVERLAP);
        new.updated_at = now;
        let saved = save(&write, &new).await?;
        write.record(Change {
            action: Action::WebhookEndpointRotateSecret,
            subject_type: "WebhookEndpoint",
            subject_id: id,
            incident_id: None,
            changes: crate::domain::changes::Changes::default().diff(
                "previousSecretExpiresAt",
                &old.previous_secret_expires_at,
                &saved.previous_secret_expires_at,
            ),
        });
        write.commit().await?;
        Ok(saved)
    }

    /// Queues a test message (`webhook.test`) for the endpoint, delivered like any other.
    pub async fn webhook_endpoint_send_test(
        &self,
        id: Uuid,
        message: Message,
    ) -> Outcome<webhook_delivery::Model> {
        let mut write = self.begin().await?;
        let endpoint = self.scope.webhook_endpoint_in(write.txn(), id).await?;
        let delivery = queued(self.scope, &endpoint, None, 0, message);
        let saved = self
            .scope
            .insert(delivery.into_active_model())
            .exec_with_returning(write.txn())
            .await?;
        write.record(Change {
            action: Action::WebhookTestSend,
            subject_type: "WebhookEndpoint",
            subject_id: id,
            incident_id: None,
            changes: crate::domain::changes::Changes::default().set("deliveryId", &saved.id),
        });
        write.commit().await?;
        Ok(saved)
    }
}

/// A delivery owed to `endpoint`, due now.
pub(super) fn queued(
    scope: &Scope,
    endpoint: &webhook_endpoint::Model,
    event_id: Option<Uuid>,
    position: i64,
    message: Message,
) -> webhook_delivery::Model {
    let now = time::now();
    webhook_delivery::Model {
        tenant_id: scope.tenant_id(),
        id: Uuid::now_v7(),
        endpoint_id: endpoint.id,
        event_id,
        position,
        message_type: message.message_type,
        message_id: message.id,
        payload: message.body,
        status: DeliveryStatus::Pending,
        attempt_count: 0,
        failures: 0,
        next_attempt_at: Some(now),
        created_at: now,
        updated_at: now,
    }
}

/// Writes an endpoint's changed row.
pub(super) async fn save(
    write: &Write,
    row: &webhook_endpoint::Model,
) -> Result<webhook_endpoint::Model, sea_orm::DbErr> {
    // Every column an ADMIN owns; the lease is the workers' alone.
    let mut active = row.clone().into_active_model().reset_all();
    active.lease_owner = NotSet;
    active.lease_expires_at = NotSet;
    active.update(write.txn()).await
}

/// Records an endpoint created or changed, and commits.
pub(super) async fn commit(
    mut write: Write,
    action: Action,
    old: Option<&webhook_endpoint::Model>,
    new: &webhook_endpoint::Model,
) -> Result<(), sea_orm::DbErr> {
    write.record(Change {
        action,
        subject_type: "WebhookEndpoint",
        subject_id: new.id,
        incident_id: None,
        changes: rules::endpoint_changes(old, new),
    });
    write.commit().await
}

/// The keys that sign the endpoint's messages at `now`: the current secret's, then the
/// rotated-out one's while it is still within its overlap.
pub fn signing_secrets(endpoint: &webhook_endpoint::Model, now: DateTime<Utc>) -> Vec<&str> {
    let previous = endpoint.previous_secret.as_deref().filter(|_| {
        endpoint
            .previous_secret_expires_at
            .is_some_and(|at| at > now)
    });
    std::iter::once(endpoint.secret.as_str())
        .chain(previous)
        .collect()
}
