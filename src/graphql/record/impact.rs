//! How an incident affected each client.

use crate::domain::{Checks, impact, time};
use crate::error::AppResult;
use crate::graphql::connection::connection;
use crate::graphql::context::{load_list, scope};
use crate::graphql::directory::client::Client;
use crate::graphql::enums::ImpactLevel;
use crate::graphql::ids::{self, NodeType};
use crate::graphql::payload::answer;
use crate::graphql::payload::{deletion_payload, payload};
use crate::graphql::scalars::Timestamp;
use crate::repo::WriteError;
use crate::repo::batch::List;
use crate::repo::impacts::ImpactInput;
use async_graphql::{Context, ID, InputObject, Object};
use entity::client_impact;

/// What one incident did to one client, and for how long.
pub struct ClientImpact(pub client_impact::Model);

impl From<client_impact::Model> for ClientImpact {
    fn from(model: client_impact::Model) -> Self {
        Self(model)
    }
}

/// What one incident did to one client, and for how long.
#[Object]
impl ClientImpact {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::ClientImpact, self.0.id)
    }

    /// The client affected.
    async fn client(&self, ctx: &Context<'_>) -> AppResult<Option<Client>> {
        Ok(load_list(ctx, List::Client, self.0.client_id)
            .await?
            .client()?
            .map(Client))
    }

    async fn level(&self) -> ImpactLevel {
        self.0.level.into()
    }

    /// What was affected for this client.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// When the client was first affected.
    async fn started_at(&self) -> Timestamp {
        Timestamp(self.0.started_at)
    }

    /// When the client stopped being affected; null while it goes on.
    async fn ended_at(&self) -> Option<Timestamp> {
        self.0.ended_at.map(Timestamp)
    }

    /// How long the client was affected, in seconds; null while it goes on.
    async fn duration_seconds(&self) -> Option<i64> {
        impact::duration(self.0.started_at, self.0.ended_at).map(|d| d.num_seconds())
    }

    /// The same duration as people read it, e.g. `2 h 30 min`.
    async fn duration(&self) -> Option<String> {
        impact::duration(self.0.started_at, self.0.ended_at).map(impact::human_duration)
    }
}

connection!(
    ClientImpactConnection,
    ClientImpactEdge,
    ClientImpact,
    client_impact::Model
);

/// The impact of an incident on one client; it replaces any impact already recorded for
/// that client.
#[derive(InputObject)]
pub struct ClientImpactSetInput {
    pub incident_id: ID,
    pub client_id: ID,
    pub level: ImpactLevel,
    /// What was affected for this client; at most 5,000 characters.
    #[graphql(default)]
    pub description: String,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

/// The impact to remove.
#[derive(InputObject)]
pub struct ClientImpactRemoveInput {
    pub incident_id: ID,
    pub client_id: ID,
}

payload!(
    /// The result of `clientImpactSet`.
    ClientImpactPayload, client_impact: ClientImpact, client_impact::Model
);
deletion_payload!(
    /// The result of `clientImpactRemove`.
    ClientImpactRemovePayload, deleted_client_impact_id, ClientImpact
);

/// Client impact mutations. ADMIN or EDITOR.
#[derive(Default)]
pub struct ImpactMutation;

#[Object]
impl ImpactMutation {
    /// Records how an incident affected one client (an upsert per incident and client). ADMIN or EDITOR.
    async fn client_impact_set(
        &self,
        ctx: &Context<'_>,
        input: ClientImpactSetInput,
    ) -> AppResult<ClientImpactPayload> {
        let writer = scope(ctx).writer()?;
        answer(async { writer.client_impact_set(input.try_into()?).await }.await)
    }

    /// Removes the impact of an incident on one client. ADMIN or EDITOR.
    async fn client_impact_remove(
        &self,
        ctx: &Context<'_>,
        input: ClientImpactRemoveInput,
    ) -> AppResult<ClientImpactRemovePayload> {
        let writer = scope(ctx).writer()?;
        let incident_id = ids::decode(&input.incident_id, NodeType::Incident)?;
        match super::decode_list("clientId", &[input.client_id], NodeType::Client) {
            Ok(ids) => answer(writer.client_impact_remove(incident_id, ids[0]).await),
            Err(error) => Ok(Err(vec![error]).into()),
        }
    }
}

impl TryFrom<ClientImpactSetInput> for ImpactInput {
    type Error = WriteError;

    fn try_from(input: ClientImpactSetInput) -> Result<Self, WriteError> {
        let incident_id = ids::decode(&input.incident_id, NodeType::Incident)?;
        let (client_ids, description, started_at, ended_at) = (
            super::decode_list("clientId", &[input.client_id], NodeType::Client),
            impact::description(&input.description),
            time::in_range("startedAt", time::to_storage_precision(input.started_at.0)),
            input
                .ended_at
                .map(|at| time::in_range("endedAt", time::to_storage_precision(at.0)))
                .transpose(),
        )
            .all()?;
        impact::window(started_at, ended_at)?;
        Ok(ImpactInput {
            incident_id,
            client_id: client_ids[0],
            level: input.level.into(),
            description,
            started_at,
            ended_at,
        })
    }
}
