//! Writing incidents.

use super::inputs::{IncidentCreateInput, IncidentDeleteInput, IncidentUpdateInput};
use super::object::Incident;
use crate::domain::deletion;
use crate::domain::policy::Capability;
use crate::error::AppResult;
use crate::graphql::context::scope;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::Checked;
use crate::graphql::payload::{answer, deletion_payload};
use async_graphql::{Context, Object, SimpleObject};

#[derive(SimpleObject)]
pub struct IncidentPayload {
    pub incident: Option<Incident>,
    pub user_errors: Vec<UserError>,
}

impl From<Checked<entity::incident::Model>> for IncidentPayload {
    fn from(result: Checked<entity::incident::Model>) -> Self {
        match result {
            Ok(model) => Self {
                incident: Some(Incident(model)),
                user_errors: vec![],
            },
            Err(errors) => Self {
                incident: None,
                user_errors: user_errors(errors),
            },
        }
    }
}

deletion_payload!(
    /// The result of `incidentDelete`.
    IncidentDeletePayload, deleted_incident_id, Incident
);

#[derive(Default)]
pub struct IncidentMutation;

#[Object]
impl IncidentMutation {
    /// Opens an incident with the next number of the tenant. ADMIN or EDITOR.
    async fn incident_create(
        &self,
        ctx: &Context<'_>,
        input: IncidentCreateInput,
    ) -> AppResult<IncidentPayload> {
        let writer = scope(ctx).writer()?;
        answer(async { writer.incident_create(input.try_into()?).await }.await)
    }

    /// Changes an incident, if nobody else has since `version`. ADMIN or EDITOR.
    async fn incident_update(
        &self,
        ctx: &Context<'_>,
        input: IncidentUpdateInput,
    ) -> AppResult<IncidentPayload> {
        let writer = scope(ctx).writer()?;
        let id = ids::decode(&input.id, NodeType::Incident)?;
        answer(async { writer.incident_update(id, input.try_into()?).await }.await)
    }

    /// Deletes an incident created by mistake, with everything under it, and audits the
    /// reason. Refused (`PUBLISHED`) once its post-mortem was ever published, even if it was
    /// unpublished since: clients may have read it. Writes INCIDENT_DELETED. ADMIN only.
    async fn incident_delete(
        &self,
        ctx: &Context<'_>,
        input: IncidentDeleteInput,
    ) -> AppResult<IncidentDeletePayload> {
        let scope = scope(ctx);
        scope.principal().require(Capability::DeleteIncidents)?;
        let admin = scope.admin()?;
        let id = ids::decode(&input.id, NodeType::Incident)?;
        match deletion::reason(&input.reason) {
            Ok(reason) => answer(admin.incident_delete(id, reason).await),
            Err(error) => Ok(Err(vec![error]).into()),
        }
    }
}
