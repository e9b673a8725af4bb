//! Services: the systems incidents affect.

use super::changes::Changes;
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Admin, Scope};
use super::write::Change;
use super::{Checked, unique};
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::domain::{FieldError, FieldErrorCode};
use crate::error::{AppError, AppResult};
use entity::service;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, Set};
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

impl Admin<'_> {
    /// Adds a service, or answers a `name` field error when the name is taken.
    pub async fn service_create(&self, name: String) -> AppResult<Checked<service::Model>> {
        let mut write = self.begin().await?;
        if unique::name_taken(
            write.txn(),
            self.scope.select::<service::Entity>(),
            service::Column::Name,
            &name,
            None,
        )
        .await?
        {
            return Ok(Err(vec![unique::taken("name")]));
        }
        let now = time::now();
        let saved = service::ActiveModel {
            tenant_id: Set(self.scope.tenant_id()),
            id: Set(Uuid::now_v7()),
            name: Set(name),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(write.txn())
        .await?;
        let changes = Changes::default().set("name", &saved.name);
        write.record(Change {
            action: Action::ServiceCreate,
            subject_type: "Service",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
    }

    /// Renames a service, or answers a `name` field error when another service has the name.
    /// NOT_FOUND for an unknown id.
    pub async fn service_update(
        &self,
        id: Uuid,
        name: String,
    ) -> AppResult<Checked<service::Model>> {
        let mut write = self.begin().await?;
        let old = self.scope.service_in(write.txn(), id).await?;
        if unique::name_taken(
            write.txn(),
            self.scope.select::<service::Entity>(),
            service::Column::Name,
            &name,
            Some((service::Column::Id, id)),
        )
        .await?
        {
            return Ok(Err(vec![unique::taken("name")]));
        }
        let mut row = old.clone().into_active_model();
        row.name = Set(name);
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let changes = Changes::default().diff("name", &old.name, &saved.name);
        write.record(Change {
            action: Action::ServiceUpdate,
            subject_type: "Service",
            subject_id: saved.id,
            incident_id: None,
            changes,
        });
        write.commit().await?;
        Ok(Ok(saved))
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
            .map(|(i, _)| {
                FieldError::new("serviceIds", FieldErrorCode::NotFound, "no such service")
                    .at_index(i)
            })
            .collect())
    }
}
