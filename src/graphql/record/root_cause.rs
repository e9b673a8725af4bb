//! Root causes and contributing factors.

use super::decode_list;
use crate::domain::policy::Capability;
use crate::domain::{Checks, FieldError, text};
use crate::error::AppResult;
use crate::graphql::context::{load_list, scope};
use crate::graphql::directory::service::Service;
use crate::graphql::enums::{RootCauseCategory, RootCauseKind};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::answer;
use crate::graphql::payload::{deletion_payload, payload};
use crate::graphql::scalars::Timestamp;
use crate::repo::WriteError;
use crate::repo::batch::List;
use crate::repo::root_causes::{NewRootCause, RootCauseChanges};
use async_graphql::{Context, ID, InputObject, Object};
use entity::root_cause;

/// Longest analysis or explanation, in characters.
const TEXT_MAX: usize = 10_000;

/// Why an incident happened: the root cause, or a factor that contributed.
pub struct RootCause(pub root_cause::Model);

impl From<root_cause::Model> for RootCause {
    fn from(model: root_cause::Model) -> Self {
        Self(model)
    }
}

/// Why an incident happened: the root cause, or a factor that contributed.
#[Object]
impl RootCause {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::RootCause, self.0.id)
    }

    async fn kind(&self) -> RootCauseKind {
        self.0.kind.into()
    }

    async fn category(&self) -> RootCauseCategory {
        self.0.category.into()
    }

    /// The blameless internal analysis. Staff only.
    async fn internal_analysis(&self, ctx: &Context<'_>) -> AppResult<Option<&str>> {
        scope(ctx).principal().require(Capability::ReadInternal)?;
        Ok(Some(&self.0.internal_analysis))
    }

    /// What clients read about this cause.
    async fn client_explanation(&self) -> &str {
        &self.0.client_explanation
    }

    /// The services involved, by name.
    async fn services(&self, ctx: &Context<'_>) -> AppResult<Vec<Service>> {
        Ok(load_list(ctx, List::RootCauseServices, self.0.id)
            .await?
            .services()?
            .into_iter()
            .map(Service)
            .collect())
    }

    /// When the cause was recorded.
    async fn created_at(&self) -> Timestamp {
        Timestamp(self.0.created_at)
    }

    /// When the cause last changed.
    async fn updated_at(&self) -> Timestamp {
        Timestamp(self.0.updated_at)
    }
}

/// A new root cause or contributing factor.
#[derive(InputObject)]
pub struct RootCauseCreateInput {
    pub incident_id: ID,
    pub kind: RootCauseKind,
    pub category: RootCauseCategory,
    /// Internal only; Markdown, at most 10,000 characters.
    #[graphql(default)]
    pub internal_analysis: String,
    /// What clients read; Markdown, at most 10,000 characters.
    #[graphql(default)]
    pub client_explanation: String,
    /// The services involved.
    #[graphql(default)]
    pub service_ids: Vec<ID>,
}

/// Changes to a root cause; omitted fields keep their value.
#[derive(InputObject)]
pub struct RootCauseUpdateInput {
    pub id: ID,
    pub kind: Option<RootCauseKind>,
    pub category: Option<RootCauseCategory>,
    pub internal_analysis: Option<String>,
    pub client_explanation: Option<String>,
    /// Replaces the services involved.
    pub service_ids: Option<Vec<ID>>,
}

/// The root cause to delete.
#[derive(InputObject)]
pub struct RootCauseDeleteInput {
    pub id: ID,
}

payload!(
    /// The result of `rootCauseCreate` and `rootCauseUpdate`.
    RootCausePayload, root_cause: RootCause, root_cause::Model
);
deletion_payload!(
    /// The result of `rootCauseDelete`.
    RootCauseDeletePayload, deleted_root_cause_id, RootCause
);

/// Root cause mutations. ADMIN or EDITOR.
#[derive(Default)]
pub struct RootCauseMutation;

#[Object]
impl RootCauseMutation {
    /// Records a root cause or contributing factor. ADMIN or EDITOR.
    async fn root_cause_create(
        &self,
        ctx: &Context<'_>,
        input: RootCauseCreateInput,
    ) -> AppResult<RootCausePayload> {
        let writer = scope(ctx).writer()?;
        answer(async { writer.root_cause_create(input.try_into()?).await }.await)
    }

    /// Changes a root cause. ADMIN or EDITOR.
    async fn root_cause_update(
        &self,
        ctx: &Context<'_>,
        input: RootCauseUpdateInput,
    ) -> AppResult<RootCausePayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::RootCause)?;
        answer(async { writer.root_cause_update(id, input.try_into()?).await }.await)
    }

    /// Deletes a root cause. ADMIN or EDITOR.
    async fn root_cause_delete(
        &self,
        ctx: &Context<'_>,
        input: RootCauseDeleteInput,
    ) -> AppResult<RootCauseDeletePayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::RootCause)?;
        answer(writer.root_cause_delete(id).await)
    }
}

fn cause_text(field: &str, value: &str) -> Result<String, FieldError> {
    text::bounded(field, value, TEXT_MAX)
}

impl TryFrom<RootCauseCreateInput> for NewRootCause {
    type Error = WriteError;

    fn try_from(input: RootCauseCreateInput) -> Result<Self, WriteError> {
        let incident_id = ids::decode(&input.incident_id, NodeType::Incident)?;
        let (internal_analysis, client_explanation, service_ids) = (
            cause_text("internalAnalysis", &input.internal_analysis),
            cause_text("clientExplanation", &input.client_explanation),
            decode_list("serviceIds", &input.service_ids, NodeType::Service),
        )
            .all()?;
        Ok(NewRootCause {
            incident_id,
            kind: input.kind.into(),
            category: input.category.into(),
            internal_analysis,
            client_explanation,
            service_ids,
        })
    }
}

impl TryFrom<RootCauseUpdateInput> for RootCauseChanges {
    type Error = Vec<FieldError>;

    fn try_from(input: RootCauseUpdateInput) -> Result<Self, Self::Error> {
        let text =
            |field: &str, value: Option<String>| value.map(|v| cause_text(field, &v)).transpose();
        let (internal_analysis, client_explanation, service_ids) = (
            text("internalAnalysis", input.internal_analysis),
            text("clientExplanation", input.client_explanation),
            input
                .service_ids
                .map(|list| decode_list("serviceIds", &list, NodeType::Service))
                .transpose(),
        )
            .all()?;
        Ok(RootCauseChanges {
            kind: input.kind.map(Into::into),
            category: input.category.map(Into::into),
            internal_analysis,
            client_explanation,
            service_ids,
        })
    }
}
