//! Root causes and contributing factors, with the services each involves.

use super::links::LinkTable;
use super::outcome::{Outcome, refused};
use super::scope::{Scope, Writer};
use super::write::Change;
use crate::domain::event::Action;
use crate::domain::policy::Capability;
use crate::domain::root_cause as rules;
use crate::domain::{FieldError, FieldErrorCode, time};
use crate::error::{AppError, AppResult};
use entity::{RootCauseCategory, RootCauseKind, root_cause, root_cause_service};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, QueryFilter, Select, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Which services each root cause involves.
pub(in crate::repo) const ROOT_CAUSE_SERVICES: LinkTable<root_cause_service::Entity> = LinkTable {
    parent: root_cause_service::Column::RootCauseId,
    child: root_cause_service::Column::ServiceId,
    row: |tenant_id, root_cause_id, service_id| root_cause_service::ActiveModel {
        tenant_id: Set(tenant_id),
        root_cause_id: Set(root_cause_id),
        service_id: Set(service_id),
    },
};

/// A new root cause or contributing factor, its text already validated.
pub struct NewRootCause {
    pub incident_id: Uuid,
    pub kind: RootCauseKind,
    pub category: RootCauseCategory,
    pub internal_analysis: String,
    pub client_explanation: String,
    pub service_ids: Vec<Uuid>,
}

/// Changes to a root cause; `None` keeps the current value.
#[derive(Default)]
pub struct RootCauseChanges {
    pub kind: Option<RootCauseKind>,
    pub category: Option<RootCauseCategory>,
    pub internal_analysis: Option<String>,
    pub client_explanation: Option<String>,
    pub service_ids: Option<Vec<Uuid>>,
}

impl Scope {
    /// The root causes the caller may read: all for staff; for everyone else only those with
    /// a client explanation (an internal-only cause stays internal).
    pub(in crate::repo) fn visible_root_causes(&self) -> Select<root_cause::Entity> {
        let select = self.select::<root_cause::Entity>();
        if self.principal().can(Capability::ReadInternal) {
            select
        } else {
            select.filter(Expr::cust("TRIM(client_explanation) <> ''"))
        }
    }

    /// One root cause, if the caller may see its incident.
    pub async fn root_cause(&self, id: Uuid) -> AppResult<root_cause::Model> {
        let cause = self
            .visible_root_causes()
            .filter(root_cause::Column::Id.eq(id))
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("root cause"))?;
        self.require_visible_incident(self.db(), cause.incident_id, "root cause")
            .await?;
        Ok(cause)
    }

    async fn root_cause_in<C: ConnectionTrait>(
        &self,
        db: &C,
        id: Uuid,
    ) -> AppResult<root_cause::Model> {
        self.select::<root_cause::Entity>()
            .filter(root_cause::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(AppError::not_found("root cause"))
    }

    /// Field errors for root cause ids that are not causes of `incident_id`.
    pub(super) async fn foreign_root_causes<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
        ids: &[Uuid],
    ) -> AppResult<Vec<FieldError>> {
        let known: HashMap<Uuid, root_cause::Model> = self
            .select::<root_cause::Entity>()
            .filter(root_cause::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|cause| (cause.id, cause))
            .collect();
        Ok(ids
            .iter()
            .enumerate()
            .filter(|(_, id)| {
                known
                    .get(id)
                    .is_none_or(|cause| cause.incident_id != incident_id)
            })
            .map(|(i, _)| {
                FieldError::new(
                    "addresses",
                    FieldErrorCode::NotFound,
                    "no such root cause of this incident",
                )
                .at_index(i)
            })
            .collect())
    }
}

impl Writer<'_> {
    /// Records a root cause or contributing factor.
    pub async fn root_cause_create(&self, new: NewRootCause) -> Outcome<root_cause::Model> {
        let unknown = self.scope.unknown_services(&new.service_ids).await?;
        if !unknown.is_empty() {
            return refused(unknown);
        }
        let mut write = self.scope.begin_tenant_write().await?;
        let incident = self.scope.incident_in(write.txn(), new.incident_id).await?;
        let now = time::now();
        let saved = self
            .scope
            .insert(root_cause::ActiveModel {
                tenant_id: Set(self.scope.tenant_id()),
                id: Set(Uuid::now_v7()),
                incident_id: Set(incident.id),
                kind: Set(new.kind),
                category: Set(new.category),
                internal_analysis: Set(new.internal_analysis),
                client_explanation: Set(new.client_explanation),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(write.txn())
            .await?;
        ROOT_CAUSE_SERVICES
            .replace(self.scope, write.txn(), saved.id, &new.service_ids)
            .await?;
        let changes = rules::changes(None, &saved).services(None, &new.service_ids);
        write.record(Change {
            action: Action::RootCauseCreate,
            subject_type: "RootCause",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        self.refresh_signatures(write.txn(), saved.incident_id)
            .await?;
        write.commit().await?;
        Ok(saved)
    }

    /// Changes a root cause.
    pub async fn root_cause_update(
        &self,
        id: Uuid,
        new: RootCauseChanges,
    ) -> Outcome<root_cause::Model> {
        if let Some(service_ids) = &new.service_ids {
            let unknown = self.scope.unknown_services(service_ids).await?;
            if !unknown.is_empty() {
                return refused(unknown);
            }
        }
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self.scope.root_cause_in(write.txn(), id).await?;
        let mut row = old.clone().into_active_model();
        row.kind = Set(new.kind.unwrap_or(old.kind));
        row.category = Set(new.category.unwrap_or(old.category));
        row.internal_analysis = Set(new
            .internal_analysis
            .unwrap_or_else(|| old.internal_analysis.clone()));
        row.client_explanation = Set(new
            .client_explanation
            .unwrap_or_else(|| old.client_explanation.clone()));
        row.updated_at = Set(time::now());
        let saved = row.update(write.txn()).await?;
        let mut changes = rules::changes(Some(&old), &saved);
        if let Some(service_ids) = &new.service_ids {
            let (before, after) = ROOT_CAUSE_SERVICES
                .relink(self.scope, write.txn(), id, service_ids)
                .await?;
            changes = changes.services(Some(&before), &after);
        }
        write.record(Change {
            action: Action::RootCauseUpdate,
            subject_type: "RootCause",
            subject_id: saved.id,
            incident_id: Some(saved.incident_id),
            changes,
        });
        self.refresh_signatures(write.txn(), saved.incident_id)
            .await?;
        write.commit().await?;
        Ok(saved)
    }

    /// Deletes a root cause; its service links and the measures' references to it go too.
    pub async fn root_cause_delete(&self, id: Uuid) -> Outcome<Uuid> {
        let mut write = self.scope.begin_tenant_write().await?;
        let old = self.scope.root_cause_in(write.txn(), id).await?;
        self.scope
            .delete::<root_cause::Entity>()
            .filter(root_cause::Column::Id.eq(id))
            .exec(write.txn())
            .await?;
        let changes = rules::deleted(&old);
        write.record(Change {
            action: Action::RootCauseDelete,
            subject_type: "RootCause",
            subject_id: id,
            incident_id: Some(old.incident_id),
            changes,
        });
        self.refresh_signatures(write.txn(), old.incident_id)
            .await?;
        write.commit().await?;
        Ok(id)
    }
}
