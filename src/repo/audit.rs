//! Reading the audit log; entries are written by `repo::write::Write` with each change.

use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use entity::audit_entry;
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter, Select};
use uuid::Uuid;

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
