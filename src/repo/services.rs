//! Services: the systems incidents affect.

use super::directory::{DirectoryRecord, Fresh, Unique};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::Scope;
use crate::domain::FieldError;
use crate::domain::directory::{self, Audit};
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::service;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

fn by_name() -> Ordering<service::Entity> {
    Ordering {
        column: service::Column::Name,
        kind: KeyKind::Text,
        id: service::Column::Id,
        direction: Direction::Asc,
        key: |m| Key {
            value: KeyValue::Text(m.name.clone()),
            id: m.id,
        },
    }
}

impl Scope {
    /// Services sorted by name.
    pub async fn services(&self, request: &PageRequest) -> AppResult<Page<service::Model>> {
        self.principal().require(Capability::ReadCatalog)?;
        page::fetch(
            self.db(),
            self.select::<service::Entity>(),
            &by_name(),
            request,
        )
        .await
    }

    /// How many services the tenant has. Staff and reporters only.
    pub async fn services_count(&self) -> AppResult<u64> {
        self.principal().require(Capability::ReadCatalog)?;
        Ok(sea_orm::PaginatorTrait::count(self.select::<service::Entity>(), self.db()).await?)
    }

    /// One service; NOT_FOUND for an unknown id or a caller who cannot list services.
    pub async fn service(&self, id: Uuid) -> AppResult<service::Model> {
        self.service_in(self.db(), id).await
    }

    /// [`Scope::service`], read through `db` (a transaction, when writing).
    pub(super) async fn service_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<service::Model> {
        self.principal()
            .require(Capability::ReadCatalog)
            .map_err(|_| AppError::not_found("service"))?;
        self.select::<service::Entity>()
            .filter(service::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("service"))
    }

    /// The services with these ids, keyed by id; unknown ids are simply absent.
    pub(super) async fn services_by_id(
        &self,
        ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, service::Model>> {
        let rows = self
            .select::<service::Entity>()
            .filter(service::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|s| (s.id, s)).collect())
    }
}

impl DirectoryRecord for service::Entity {
    type New = String;
    type Edit = String;
    const NAME: Unique<Self> = Unique::new(service::Column::Name, directory::name_taken);
    const AUDIT: Audit<service::Model> = directory::SERVICE_AUDIT;

    fn created(name: String, fresh: Fresh) -> service::Model {
        service::Model {
            tenant_id: fresh.tenant_id,
            id: fresh.id,
            name,
            created_at: fresh.at,
            updated_at: fresh.at,
        }
    }

    fn edited(old: &service::Model, name: String, at: DateTime<Utc>) -> service::Model {
        service::Model {
            name,
            updated_at: at,
            ..old.clone()
        }
    }

    async fn load(scope: &Scope, txn: &DatabaseTransaction, id: Uuid) -> AppResult<service::Model> {
        scope.service_in(txn, id).await
    }
}

impl Scope {
    /// Field errors for service ids that are not this tenant's.
    pub(super) async fn unknown_services(&self, ids: &[Uuid]) -> AppResult<Vec<FieldError>> {
        let known = self.services_by_id(ids).await?;
        Ok(ids
            .iter()
            .enumerate()
            .filter(|(_, id)| !known.contains_key(id))
            .map(|(i, _)| directory::service_not_found(i))
            .collect())
    }
}
