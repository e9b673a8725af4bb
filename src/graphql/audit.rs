//! The audit log, for ADMINs.

use super::connection::{ListRef, TotalCount, connection, page_cost};
use super::context::{load, scope};
use super::directory::user::User;
use super::ids::{self, NodeType};
use super::loaders::UsersById;
use crate::error::AppResult;
use crate::graphql::scalars::Timestamp;
use crate::repo::AuditFilter;
use async_graphql::{Context, ID, InputObject, Json, Object};
use entity::audit_entry;

/// One mutation: who changed what, and when.
pub struct AuditEntry(pub audit_entry::Model);

impl From<audit_entry::Model> for AuditEntry {
    fn from(model: audit_entry::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl AuditEntry {
    /// The entry's global id.
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::AuditEntry, self.0.id)
    }

    /// Who made the change; null for operator commands run on the server.
    async fn actor(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        match self.0.actor_id {
            Some(id) => Ok(load::<UsersById, _>(ctx, id).await?.map(User)),
            None => Ok(None),
        }
    }

    /// Dotted verb, e.g. `incident.update`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The type of the changed object, e.g. `Incident`.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    /// The global id of the changed object.
    async fn entity_id(&self) -> ID {
        match NodeType::from_name(&self.0.entity_type) {
            Some(node_type) => ids::encode(node_type, self.0.entity_id),
            None => ID(self.0.entity_id.to_string()),
        }
    }

    /// Changed fields: `{ "<field>": { "from": <old>, "to": <new> } }`.
    async fn changes(&self) -> Json<serde_json::Value> {
        Json(self.0.changes.clone())
    }

    /// When the change was made.
    async fn at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }
}

connection!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    audit_entry::Model
);

/// Narrows the audit log.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Entries about this object.
    pub entity_id: Option<ID>,
    /// Entries by this user.
    pub actor_id: Option<ID>,
}

/// Query fields for the audit log.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every change made in the tenant, newest first. ADMIN only.
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<AuditEntryConnection> {
        let scope = scope(ctx);
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            entity_id: filter
                .entity_id
                .map(|id| ids::decode_filter(&id, None, "entityId"))
                .transpose()?,
            actor_id: filter
                .actor_id
                .map(|id| ids::decode_filter(&id, Some(NodeType::User), "actorId"))
                .transpose()?,
        };
        let list = ListRef::new(scope.principal().tenant_id(), "auditLog");
        let page = scope
            .audit_log(&filter, &list.page_request(first, after, last, before)?)
            .await?;
        let counter = scope.clone();
        let total = TotalCount::new(move || {
            let (scope, filter) = (counter.clone(), filter.clone());
            Box::pin(async move { scope.audit_log_count(&filter).await })
        });
        Ok(AuditEntryConnection::new(&list, page, total))
    }
}
