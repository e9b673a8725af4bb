//! The `Incident` object.

use crate::domain::incident;
use crate::domain::policy::Capability;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::connection;
use crate::graphql::context::{IncidentServices, scope};
use crate::graphql::directory::service::Service;
use crate::graphql::enums::{IncidentStatus, Severity};
use crate::graphql::ids::{self, NodeType};
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

/// Something that went wrong for clients, and the record of how it was handled.
pub struct Incident(pub entity::incident::Model);

impl From<entity::incident::Model> for Incident {
    fn from(model: entity::incident::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Incident {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Incident, self.0.id)
    }

    /// Sequential within the tenant, starting at 1.
    async fn number(&self) -> i64 {
        self.0.number
    }

    /// Human reference, e.g. `INC-42`.
    async fn reference(&self) -> String {
        incident::reference(self.0.number)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Internal summary (Markdown). Staff only.
    async fn summary(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(Some(&self.0.summary))
    }

    async fn severity(&self) -> Severity {
        self.0.severity.into()
    }

    async fn status(&self) -> IncidentStatus {
        self.0.status.into()
    }

    /// When clients were first affected.
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    async fn detected_at(&self) -> Option<DateTime<Utc>> {
        self.0.detected_at
    }

    async fn mitigated_at(&self) -> Option<DateTime<Utc>> {
        self.0.mitigated_at
    }

    /// Set exactly when the status is RESOLVED.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }

    /// The affected services, by name.
    async fn services(&self, ctx: &Context<'_>) -> AppResult<Vec<Service>> {
        let loader = ctx.data_unchecked::<DataLoader<IncidentServices>>();
        let services = loader.load_one(self.0.id).await.map_err(AppError::from)?;
        Ok(services
            .unwrap_or_default()
            .into_iter()
            .map(Service)
            .collect())
    }

    /// Pass this back to `incidentUpdate`; it changes with every update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    IncidentConnection,
    IncidentEdge,
    Incident,
    entity::incident::Model
);
