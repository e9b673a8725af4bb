//! How each incident affected each client: one impact per incident and client.

use super::outcome::{Outcome, refused};
use super::page::{self, Direction, Key, KeyKind, KeyValue, Ordering, Page, PageRequest};
use super::scope::{Scope, Writer};
use super::write::{Change, Write};
use crate::domain::changes::Changes;
use crate::domain::event::Action;
use crate::domain::impact as rules;
use crate::domain::policy::Capability;
use crate::domain::time;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{ImpactLevel, client, client_impact};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    Select, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// An impact as `clientImpactSet` writes it, its text already validated.
pub struct ImpactInput {
    pub incident_id: Uuid,
    pub client_id: Uuid,
    pub level: ImpactLevel,
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

fn newest_first() -> Ordering<client_impact::Entity> {
    Ordering {
        column: client_impact::Column::StartedAt,
        kind: KeyKind::Time,
        id: client_impact::Column::Id,
        direction: Direction::Desc,
        key: |m| Key {
            value: KeyValue::Time(m.started_at),
            id: m.id,
        },
    }
}

impl Scope {
    /// The impacts the caller may read: all of them for staff and reporters, only their own
    /// client's for a CLIENT user.
    pub(in crate::repo) fn visible_impacts(&self) -> Select<client_impact::Entity> {
        let select = self.select::<client_impact::Entity>();
        if self.principal().can(Capability::ReadCatalog) {
            return select;
        }
        match self.principal().client_id() {
            Some(own) => select.filter(client_impact::Column::ClientId.eq(own)),
            None => select.filter(sea_orm::sea_query::Expr::value(false)),
        }
    }

    /// One impact, if the caller may see it and its incident.
    pub async fn impact(&self, id: Uuid) -> AppResult<client_impact::Model> {
        let impact = self
            .visible_impacts()
            .filter(client_impact::Column::Id.eq(id))
            .one(self.db())
            .await?
            .ok_or(AppError::not_found("client impact"))?;
        self.require_visible_incident(self.db(), impact.incident_id, "client impact")
            .await?;
        Ok(impact)
    }

    fn impacts_of_client_select(
        &self,
        client_id: Uuid,
    ) -> AppResult<Select<client_impact::Entity>> {
        self.principal().require(Capability::ReadCatalog)?;
        Ok(self
            .visible_impacts()
            .filter(client_impact::Column::ClientId.eq(client_id)))
    }

    /// A client's impacts, newest first. Staff and reporters only.
    pub async fn impacts_of_client(
        &self,
        client_id: Uuid,
        request: &PageRequest,
    ) -> AppResult<Page<client_impact::Model>> {
        page::fetch(
            self.db(),
            self.impacts_of_client_select(client_id)?,
            &newest_first(),
            request,
        )
        .await
    }

    pub async fn impacts_of_client_count(&self, client_id: Uuid) -> AppResult<u64> {
        Ok(self
            .impacts_of_client_select(client_id)?
            .count(self.db())
            .await?)
    }

    /// Client accounts by id (one statement), for impacts' clients.
    pub async fn clients_by_id(&self, ids: &[Uuid]) -> AppResult<HashMap<Uuid, client::Model>> {
        let rows = self
            .select::<client::Entity>()
            .filter(client::Column::Id.is_in(ids.iter().copied()))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }

    pub(super) async fn impact_of<C: ConnectionTrait>(
        &self,
        db: &C,
        incident_id: Uuid,
        client_id: Uuid,
    ) -> AppResult<Option<client_impact::Model>> {
        Ok(self
            .select::<client_impact::Entity>()
            .filter(client_impact::Column::IncidentId.eq(incident_id))
            .filter(client_impact::Column::ClientId.eq(client_id))
            .one(db)
            .await?)
    }
}

impl Writer<'_> {
    /// Creates or replaces the impact of an incident on one client.
    pub async fn client_impact_set(&self, input: ImpactInput) -> Outcome<client_impact::Model> {
        let mut write = self.scope.begin_write().await?;
        self.scope
            .incident_in(write.txn(), input.incident_id)
            .await?;
        self.scope
            .post_mortem_locked(write.txn(), input.incident_id)
            .await?;
        if !self
            .scope
            .client_exists(write.txn(), input.client_id)
            .await?
        {
            return refused(vec![rules::unknown_client()]);
        }
        let old = self
            .scope
            .impact_of(write.txn(), input.incident_id, input.client_id)
            .await?;
        let row = match &old {
            Some(old) => old.clone().into_active_model(),
            None => client_impact::ActiveModel {
                tenant_id: Set(self.scope.tenant_id()),
                id: Set(Uuid::now_v7()),
                incident_id: Set(input.incident_id),
                client_id: Set(input.client_id),
                created_at: Set(time::now()),
                ..Default::default()
            },
        };
        let saved = save_impact(self.scope, &write, row, input, old.is_some()).await?;
        let action = match old {
            Some(_) => Action::ClientImpactUpdate,
            None => Action::ClientImpactCreate,
        };
        write.record(change(action, &saved, rules::changes(old.as_ref(), &saved)));
        write.commit().await?;
        Ok(saved)
    }

    /// Removes the impact of an incident on one client.
    pub async fn client_impact_remove(&self, incident_id: Uuid, client_id: Uuid) -> Outcome<Uuid> {
        let mut write = self.scope.begin_write().await?;
        self.scope.incident_in(write.txn(), incident_id).await?;
        let Some(old) = self
            .scope
            .impact_of(write.txn(), incident_id, client_id)
            .await?
        else {
            return refused(vec![rules::no_impact()]);
        };
        self.scope
            .delete::<client_impact::Entity>()
            .filter(client_impact::Column::Id.eq(old.id))
            .exec(write.txn())
            .await?;
        write.record(change(
            Action::ClientImpactDelete,
            &old,
            rules::removed(&old),
        ));
        write.commit().await?;
        Ok(old.id)
    }
}

/// Writes the input's fields into `row`: an update of a stored impact, or an insert.
async fn save_impact(
    scope: &Scope,
    write: &Write,
    mut row: client_impact::ActiveModel,
    input: ImpactInput,
    stored: bool,
) -> AppResult<client_impact::Model> {
    row.level = Set(input.level);
    row.description = Set(input.description);
    row.started_at = Set(input.started_at);
    row.ended_at = Set(input.ended_at);
    row.updated_at = Set(time::now());
    Ok(match stored {
        true => row.update(write.txn()).await?,
        false => scope.insert(row).exec_with_returning(write.txn()).await?,
    })
}

fn change(action: Action, impact: &client_impact::Model, changes: Changes) -> Change {
    Change {
        action,
        subject_type: "ClientImpact",
        subject_id: impact.id,
        incident_id: Some(impact.incident_id),
        changes,
    }
}
