//! Writing and reading the audit log.

use super::changes::Changes;
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Scope, Writer};
use crate::auth::Principal;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use entity::audit_entry;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, PaginatorTrait, QueryFilter, Select, Set,
};
use uuid::Uuid;

/// What one mutation did, recorded in its own transaction.
pub(super) struct Event<'a> {
    /// Dotted verb, e.g. `client.update`.
    pub action: &'static str,
    /// The type of the changed object, e.g. `Client`.
    pub entity_type: &'static str,
    /// The changed object's id.
    pub entity_id: Uuid,
    /// The fields the mutation changed.
    pub changes: Changes,
    /// Who made the change; the entry belongs to their tenant.
    pub principal: &'a Principal,
}

/// Appends `event` to the audit log through `db`, the mutation's own transaction.
pub(super) async fn record<C: ConnectionTrait>(db: &C, event: Event<'_>) -> Result<(), DbErr> {
    audit_entry::ActiveModel {
        tenant_id: Set(event.principal.tenant_id()),
        id: Set(Uuid::now_v7()),
        actor_id: Set(event.principal.user_id()),
        action: Set(event.action.to_owned()),
        entity_type: Set(event.entity_type.to_owned()),
        entity_id: Set(event.entity_id),
        changes: Set(event.changes.into_json()),
        created_at: Set(time::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

impl Writer<'_> {
    /// Records what an incident or post-mortem write did, in its transaction.
    pub(super) async fn record<C: ConnectionTrait>(
        &self,
        db: &C,
        action: &'static str,
        entity_type: &'static str,
        entity_id: Uuid,
        changes: Changes,
    ) -> Result<(), DbErr> {
        record(
            db,
            Event {
                action,
                entity_type,
                entity_id,
                changes,
                principal: self.scope.principal(),
            },
        )
        .await
    }
}

/// Narrows the audit log.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Only entries about this object.
    pub entity_id: Option<Uuid>,
    /// Only entries by this user.
    pub actor_id: Option<Uuid>,
}

fn ordering() -> Ordering<audit_entry::Entity> {
    Ordering {
        column: audit_entry::Column::Id,
        kind: KeyKind::Id,
        id: audit_entry::Column::Id,
        direction: Direction::Desc,
        key: |m| Key {
            value: KeyValue::Id(m.id),
            id: m.id,
        },
    }
}

impl Scope {
    /// The audit log, newest first (ids are time-ordered UUIDv7). ADMIN only.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        request: &PageRequest,
    ) -> AppResult<Page<audit_entry::Model>> {
        self.principal().require(Capability::ReadAuditLog)?;
        page::fetch(self.db(), self.audit_entries(filter), &ordering(), request).await
    }

    /// One audit entry. ADMIN only: anyone else gets NOT_FOUND.
    pub async fn audit_entry(&self, id: Uuid) -> AppResult<audit_entry::Model> {
        if !self.principal().can(Capability::ReadAuditLog) {
            return Err(AppError::not_found("audit entry"));
        }
        self.select::<audit_entry::Entity>()
            .filter(audit_entry::Column::Id.eq(id))
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("audit entry"))
    }

    /// How many audit entries match `filter`. ADMIN only.
    pub async fn audit_log_count(&self, filter: &AuditFilter) -> AppResult<u64> {
        self.principal().require(Capability::ReadAuditLog)?;
        Ok(self.audit_entries(filter).count(self.db()).await?)
    }

    fn audit_entries(&self, filter: &AuditFilter) -> Select<audit_entry::Entity> {
        let mut select = self.select::<audit_entry::Entity>();
        if let Some(entity_id) = filter.entity_id {
            select = select.filter(audit_entry::Column::EntityId.eq(entity_id));
        }
        if let Some(actor_id) = filter.actor_id {
            select = select.filter(audit_entry::Column::ActorId.eq(actor_id));
        }
        select
    }
}
